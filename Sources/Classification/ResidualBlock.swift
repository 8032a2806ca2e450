import NN

/// One residual block (MONAI `ResNetBlock` / `ResNetBottleneck`), parameters named `conv1`, `bn1`, …,
/// `downsample.0|1`.
final class ResidualBlock: Module {
    let convolutions: [Conv3d]
    let norms: [BatchNorm3d]
    let downsample: Sequential?
    let shortcutA: (stride: Int, outChannels: Int)?

    init(inChannels: Int, planes: Int, stride: Int, configuration c: ResNet3DConfiguration, generator: Generator) throws {
        let out = planes * c.block.expansion
        let he = Initializer.kaimingNormal(a: 0, fanOut: true)  // MONAI: kaiming_normal_(fan_out, relu)
        let s = [stride, stride, stride]
        switch c.block {
        case .basic:
            convolutions = [
                try Conv3d(inChannels, planes, kernel: [3, 3, 3], stride: s, padding: [1, 1, 1], bias: false, initializer: he, generator: generator),
                try Conv3d(planes, planes, kernel: [3, 3, 3], padding: [1, 1, 1], bias: false, initializer: he, generator: generator),
            ]
            norms = [try BatchNorm3d(planes), try BatchNorm3d(planes)]
        case .bottleneck:
            convolutions = [
                try Conv3d(inChannels, planes, kernel: [1, 1, 1], bias: false, initializer: he, generator: generator),
                try Conv3d(planes, planes, kernel: [3, 3, 3], stride: s, padding: [1, 1, 1], bias: false, initializer: he, generator: generator),
                try Conv3d(planes, out, kernel: [1, 1, 1], bias: false, initializer: he, generator: generator),
            ]
            norms = [try BatchNorm3d(planes), try BatchNorm3d(planes), try BatchNorm3d(out)]
        }
        let needsProjection = stride != 1 || inChannels != out
        if needsProjection && c.shortcut == .b {
            downsample = Sequential([
                try Conv3d(inChannels, out, kernel: [1, 1, 1], stride: s, bias: c.downsampleBias, initializer: he, generator: generator),
                try BatchNorm3d(out),
            ])
        } else {
            downsample = nil
        }
        shortcutA = needsProjection && c.shortcut == .a ? (stride, out) : nil
    }

    var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = []
        for i in convolutions.indices {
            list.append(("conv\(i + 1)", convolutions[i]))
            list.append(("bn\(i + 1)", norms[i]))
        }
        if let downsample { list.append(("downsample", downsample)) }
        return list
    }

    func forward(_ x: Tensor, mode: Mode, relu: ReLUKind = .standard) throws -> Tensor {
        try forwardKeepingMiddles(x, mode: mode, relu: relu).output
    }

    /// `forward`, plus the activations between its convolutions (after each but the last, ReLU applied).
    func forwardKeepingMiddles(_ x: Tensor, mode: Mode, relu: ReLUKind = .standard) throws -> (output: Tensor, middles: [Tensor]) {
        var h = x
        var middles: [Tensor] = []
        for i in convolutions.indices {
            h = try norms[i].forward(convolutions[i].forward(h, mode: mode), mode: mode)
            if i < convolutions.count - 1 {
                h = try relu.apply(h)
                middles.append(h)
            }
        }
        return (try relu.apply(h.adding(shortcut(x, mode: mode))), middles)
    }

    /// The shortcut path: the projection (B), MONAI's pooled-and-zero-padded identity (A), or the identity.
    func shortcut(_ x: Tensor, mode: Mode) throws -> Tensor {
        if let downsample { return try downsample.forward(x, mode: mode) }
        guard let (stride, outChannels) = shortcutA else { return x }
        // MONAI `_downsample_basic_block`: avg_pool3d(kernel 1, stride) then zero channels appended.
        let pooled = try x.avgPool(kernel: [1, 1, 1], stride: [stride, stride, stride])
        var zerosShape = pooled.shape
        zerosShape[1] = outChannels - pooled.shape[1]
        return try Tensor.cat([pooled, Tensor.zeros(zerosShape, dtype: pooled.dtype, on: pooled.device)], dim: 1)
    }
}
