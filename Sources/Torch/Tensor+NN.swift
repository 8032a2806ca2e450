import CTorch

/// Which convolution kernels to use on the CPU.
public enum ConvolutionBackend: Sendable {
    /// oneDNN for float32 on the CPU (forward and backward), libtorch's own choice otherwise. The default.
    case automatic
    /// Always oneDNN for CPU tensors (float32 only; fails otherwise); a CUDA tensor takes libtorch's kernels.
    case oneDNN
    /// libtorch's dispatch (`torch.nn.functional.conv3d`), which in 1.13 falls back to `slow_conv3d` for
    /// batch-1 3-D inputs. Kept for comparison and for float64 gradient checks.
    case libtorch
}

/// Losses' reduction over the batch, PyTorch's `reduction=`.
public enum Reduction: Int64, Sendable {
    case none = 0, mean = 1, sum = 2
}

/// `F.interpolate` modes.
public enum InterpolationMode: Int32, Sendable {
    case nearest = 0
    /// Linear, bilinear or trilinear by the number of spatial dimensions.
    case linear = 1
    /// Bicubic (Keys' cubic convolution, a = −0.75); 2-D inputs only.
    case bicubic = 2
}

/// `F.grid_sample` modes.
public enum GridSampleMode: Int32, Sendable {
    case bilinear = 0, nearest = 1, bicubic = 2
}

public enum GridSamplePadding: Int32, Sendable {
    case zeros = 0, border = 1, reflection = 2
}

extension Tensor {
    // MARK: - Convolution

    /// N-d convolution of an (N, C, spatial…) input; `stride`, `padding` and `dilation` have one entry per
    /// spatial dimension.
    public func convolution(
        weight: Tensor, bias: Tensor? = nil, stride: [Int], padding: [Int], dilation: [Int]? = nil,
        groups: Int = 1, backend: ConvolutionBackend = .automatic
    ) throws -> Tensor {
        let spatial = weight.rank - 2
        guard spatial >= 1, stride.count == spatial, padding.count == spatial else {
            throw TorchError("weight \(weight.shape) needs \(Swift.max(spatial, 0)) strides and paddings, got \(stride) / \(padding)",
                             operation: "conv")
        }
        let dilation = dilation ?? Array(repeating: 1, count: spatial)
        let code: ct_conv_backend
        switch backend {
        // oneDNN is a CPU library: a tensor on a GPU takes libtorch's own (cuDNN) kernels whatever was asked.
        case .oneDNN: code = device == .cpu ? CT_CONV_ONEDNN : CT_CONV_DEFAULT
        case .libtorch: code = CT_CONV_DEFAULT
        case .automatic:
            code = dtype == .float32 && device == .cpu && rank == spatial + 2 && Runtime.hasOneDNN ? CT_CONV_ONEDNN : CT_CONV_DEFAULT
        }
        return try withInt64s(stride) { s, _ in
            try withInt64s(padding) { p, _ in
                try withInt64s(dilation) { d, _ in
                    try Tensor.make("conv\(spatial)d input \(shape) weight \(weight.shape)") {
                        ct_conv_nd(handle, weight.handle, optionalHandle(bias), s, p, d, Int64(spatial), Int64(groups), code, $0)
                    }
                }
            }
        }
    }

    /// Transposed convolution (`F.conv_transpose{1,2,3}d`); weight is (C_in, C_out / groups, k…).
    public func transposedConvolution(
        weight: Tensor, bias: Tensor? = nil, stride: [Int], padding: [Int], outputPadding: [Int]? = nil,
        dilation: [Int]? = nil, groups: Int = 1
    ) throws -> Tensor {
        let spatial = weight.rank - 2
        guard spatial >= 1, stride.count == spatial, padding.count == spatial else {
            throw TorchError("weight \(weight.shape) needs \(Swift.max(spatial, 0)) strides and paddings", operation: "conv_transpose")
        }
        let outputPadding = outputPadding ?? Array(repeating: 0, count: spatial)
        let dilation = dilation ?? Array(repeating: 1, count: spatial)
        return try withInt64s(stride) { s, _ in
            try withInt64s(padding) { p, _ in
                try withInt64s(outputPadding) { o, _ in
                    try withInt64s(dilation) { d, _ in
                        try Tensor.make("conv_transpose\(spatial)d input \(shape) weight \(weight.shape)") {
                            ct_conv_transpose_nd(handle, weight.handle, optionalHandle(bias), s, p, o, d, Int64(spatial), Int64(groups), $0)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Normalisation

    /// Batch normalisation over (N, C, …); in training mode the running statistics are updated in place.
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
        training: Bool, momentum: Double = 0.1, eps: Double = 1e-5
    ) throws -> Tensor {
        try Tensor.make("batch_norm \(shape)") {
            ct_batch_norm(handle, optionalHandle(weight), optionalHandle(bias), optionalHandle(runningMean),
                          optionalHandle(runningVar), training, momentum, eps, $0)
        }
    }

    /// Instance normalisation (statistics per sample and channel), as nnU-Net uses.
    public func instanceNorm(weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        try Tensor.make("instance_norm \(shape)") {
            ct_instance_norm(handle, optionalHandle(weight), optionalHandle(bias), eps, $0)
        }
    }

    // MARK: - Pooling

    public func maxPool(kernel: [Int], stride: [Int]? = nil, padding: [Int]? = nil, dilation: [Int]? = nil,
                        ceilMode: Bool = false) throws -> Tensor {
        let n = kernel.count
        let stride = stride ?? kernel, padding = padding ?? Array(repeating: 0, count: n)
        let dilation = dilation ?? Array(repeating: 1, count: n)
        guard stride.count == n, padding.count == n, dilation.count == n else {
            throw TorchError("kernel, stride, padding and dilation must have the same length", operation: "max_pool")
        }
        // libtorch's CPU max_pool3d also computes indices for the backward pass; without gradients oneDNN's
        // kernel is about 2.5× faster on head-CT-sized activations.
        let oneDNN = n == 3 && rank == 5 && dtype == .float32 && device == .cpu && dilation == [1, 1, 1]
            && (!GradMode.isEnabled || !requiresGrad) && Runtime.hasOneDNN
        return try withInt64s(kernel) { k, _ in
            try withInt64s(stride) { s, _ in
                try withInt64s(padding) { p, _ in
                    try withInt64s(dilation) { d, _ in
                        try Tensor.make("max_pool\(n)d \(shape)") {
                            oneDNN ? ct_max_pool3d_onednn(handle, k, s, p, ceilMode, $0)
                                : ct_max_pool_nd(handle, k, s, p, d, Int64(n), ceilMode, $0)
                        }
                    }
                }
            }
        }
    }

    public func avgPool(kernel: [Int], stride: [Int]? = nil, padding: [Int]? = nil, ceilMode: Bool = false,
                        countIncludePad: Bool = true) throws -> Tensor {
        let n = kernel.count
        let stride = stride ?? kernel, padding = padding ?? Array(repeating: 0, count: n)
        guard stride.count == n, padding.count == n else {
            throw TorchError("kernel, stride and padding must have the same length", operation: "avg_pool")
        }
        return try withInt64s(kernel) { k, _ in
            try withInt64s(stride) { s, _ in
                try withInt64s(padding) { p, _ in
                    try Tensor.make("avg_pool\(n)d \(shape)") { ct_avg_pool_nd(handle, k, s, p, Int64(n), ceilMode, countIncludePad, $0) }
                }
            }
        }
    }

    public func adaptiveAvgPool(outputSize: [Int]) throws -> Tensor {
        try withInt64s(outputSize) { o, n in
            try Tensor.make("adaptive_avg_pool \(shape)") { ct_adaptive_avg_pool_nd(handle, o, n, $0) }
        }
    }

    // MARK: - Dense layers, activations, dropout

    /// `x · Wᵀ + b`.
    public func linear(weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try Tensor.make("linear \(shape) weight \(weight.shape)") { ct_linear(handle, weight.handle, optionalHandle(bias), $0) }
    }

    /// Inverted dropout; identity unless `training`.
    public func dropout(_ p: Double, training: Bool, generator: Generator? = nil) throws -> Tensor {
        try Tensor.make("dropout") { ct_dropout(handle, p, training, generator?.handle, $0) }
    }

    public func softmax(dim: Int) throws -> Tensor {
        try Tensor.make("softmax") { ct_softmax(handle, Int64(dim), $0) }
    }

    public func logSoftmax(dim: Int) throws -> Tensor {
        try Tensor.make("log_softmax") { ct_log_softmax(handle, Int64(dim), $0) }
    }

    /// ReLU whose backward pass is guided backpropagation (`grad_in = relu(grad_out) · 1[x > 0]`).
    public func guidedReLU() throws -> Tensor {
        try Tensor.make("guided_relu") { ct_guided_relu(handle, $0) }
    }

    // MARK: - Losses

    /// Negative log-likelihood of log-probabilities (N, C, …) at integer targets (N, …).
    public func nllLoss(target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean, ignoreIndex: Int = -100) throws -> Tensor {
        try Tensor.make("nll_loss input \(shape) target \(target.shape)") {
            ct_nll_loss(handle, target.handle, optionalHandle(weight), reduction.rawValue, Int64(ignoreIndex), $0)
        }
    }

    /// Cross-entropy of logits (N, C, …) at integer targets (N, …).
    public func crossEntropy(target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                             ignoreIndex: Int = -100, labelSmoothing: Double = 0) throws -> Tensor {
        try Tensor.make("cross_entropy input \(shape) target \(target.shape)") {
            ct_cross_entropy(handle, target.handle, optionalHandle(weight), reduction.rawValue, Int64(ignoreIndex), labelSmoothing, $0)
        }
    }

    // MARK: - Resampling

    /// Resizes the spatial dimensions of an (N, C, spatial…) tensor to `size`.
    public func interpolated(size: [Int], mode: InterpolationMode, alignCorners: Bool = false) throws -> Tensor {
        try withInt64s(size) { s, n in
            try Tensor.make("interpolate \(shape) → \(size)") { ct_interpolate(handle, s, n, mode.rawValue, alignCorners, $0) }
        }
    }

    /// The sampling grid of an affine map `theta` (N, 3, 4) for an output of `size` (N, C, D, H, W).
    public static func affineGrid(theta: Tensor, size: [Int], alignCorners: Bool = false) throws -> Tensor {
        try withInt64s(size) { s, n in
            try make("affine_grid") { ct_affine_grid(theta.handle, s, n, alignCorners, $0) }
        }
    }

    /// Samples `self` (N, C, D, H, W) at the normalised coordinates of `grid` (N, D', H', W', 3).
    public func gridSample(_ grid: Tensor, mode: GridSampleMode = .bilinear, padding: GridSamplePadding = .zeros,
                           alignCorners: Bool = false) throws -> Tensor {
        try Tensor.make("grid_sample \(shape) grid \(grid.shape)") {
            ct_grid_sample(handle, grid.handle, mode.rawValue, padding.rawValue, alignCorners, $0)
        }
    }
}
