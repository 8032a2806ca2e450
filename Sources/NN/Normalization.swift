/// Batch normalisation over (N, C, D, H, W) (`torch.nn.BatchNorm3d`): `weight`, `bias`, and the buffers
/// `running_mean`, `running_var`, `num_batches_tracked` under PyTorch's names.
public final class BatchNorm3d: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let numBatchesTracked: Tensor
    public let momentum: Double
    public let eps: Double
    /// Set by `DataParallel.synchronizeBatchNorm`: training-mode statistics then come from the whole global batch
    /// (every rank's part), as `torch.nn.SyncBatchNorm`; inference is unchanged.
    public var synchronization: ProcessGroup?

    /// PyTorch defaults: momentum 0.1, eps 1e-5, weight 1, bias 0.
    public init(_ channels: Int, momentum: Double = 0.1, eps: Double = 1e-5) throws {
        weight = try parameter(.ones([channels]))
        bias = try parameter(.zeros([channels]))
        runningMean = try .zeros([channels])
        runningVar = try .ones([channels])
        numBatchesTracked = try .zeros([], dtype: .int64)
        self.momentum = momentum
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var localBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        if mode.isTraining { try GradMode.withoutGrad { try numBatchesTracked.addInPlace(1) } }
        if mode.isTraining, let group = synchronization {
            return try group.syncBatchNorm(input, weight: weight, bias: bias, runningMean: runningMean,
                                           runningVar: runningVar, momentum: momentum, eps: eps)
        }
        return try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                   training: mode.isTraining, momentum: momentum, eps: eps)
    }
}

/// Instance normalisation (`torch.nn.InstanceNorm3d(affine=True)`), nnU-Net's normalisation: statistics per
/// sample and channel in training and inference alike.
public final class InstanceNorm3d: Layer {
    public let weight: Tensor?
    public let bias: Tensor?
    public let eps: Double

    /// nnU-Net v2 default: eps 1e-5, affine.
    public init(_ channels: Int, eps: Double = 1e-5, affine: Bool = true) throws {
        weight = affine ? try parameter(.ones([channels])) : nil
        bias = affine ? try parameter(.zeros([channels])) : nil
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.instanceNorm(weight: weight, bias: bias, eps: eps)
    }
}
