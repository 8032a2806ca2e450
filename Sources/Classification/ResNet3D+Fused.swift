import NN

extension ResNet3D: FusedLowerable {
    /// MONAI's parameter-free shortcut A is not compiled.
    public var canLower: Bool { configuration.shortcut != .a }

    /// The inference pass up to the global average pool (N, C, 1, 1, 1): every convolution with its batch norm
    /// folded in, ReLU fused, each block's shortcut added inside its last convolution. The fully connected layer
    /// runs in libtorch (`fusedInference`).
    ///
    /// - Throws: `ModuleError.invalidConfiguration` for MONAI's parameter-free shortcut A (not compiled).
    public func lower(into graph: FusedGraph) throws -> FusedGraph.Value {
        let stem = try conv1.folded(with: bn1)
        var h = try graph.convolution(graph.input, weight: stem.weight, bias: stem.bias, stride: conv1.stride,
                                      padding: conv1.padding, activation: .relu)
        if configuration.maxPool { h = try graph.maxPool(h, kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]) }
        for stage in stages {
            for layer in stage.layers {
                guard let block = (layer as? BlockLayer)?.block else {
                    throw ModuleError.invalidConfiguration("fused ResNet3D: a stage holds a layer that is not a residual block")
                }
                h = try block.lower(h, into: graph)
            }
        }
        return try graph.globalAveragePool(h)
    }
}

extension ResidualBlock {
    func lower(_ x: FusedGraph.Value, into graph: FusedGraph) throws -> FusedGraph.Value {
        guard shortcutA == nil else {
            throw ModuleError.invalidConfiguration("fused ResNet3D: shortcut A (pooled identity plus zero channels) is not compiled")
        }
        var residual = x
        if let downsample {
            guard downsample.layers.count == 2, let conv = downsample.layers[0] as? Conv3d,
                  let norm = downsample.layers[1] as? BatchNorm3d else {
                throw ModuleError.invalidConfiguration("fused ResNet3D: the projection shortcut is not conv + batch norm")
            }
            let p = try conv.folded(with: norm)
            residual = try graph.convolution(x, weight: p.weight, bias: p.bias, stride: conv.stride, padding: conv.padding)
        }
        var h = x
        for i in convolutions.indices {
            let conv = convolutions[i], p = try conv.folded(with: norms[i])
            let last = i == convolutions.count - 1
            h = try graph.convolution(h, weight: p.weight, bias: p.bias, stride: conv.stride, padding: conv.padding,
                                      residual: last ? residual : nil, activation: .relu)
        }
        return h
    }
}
