import NN

extension PlainConvUNet: FusedLowerable {
    /// The inference pass (full-resolution logits only): every conv → instance norm → leaky ReLU as a convolution
    /// and one normalisation step with the activation fused, transposed convolutions, skip concatenations and the
    /// last segmentation head, all in oneDNN's blocked layout.
    public func lower(into graph: FusedGraph) throws -> FusedGraph.Value {
        var skips: [FusedGraph.Value] = []
        var x = graph.input
        for stage in encoderStages {
            for layer in stage.layers {
                guard let blocks = layer as? StackedConvBlocks else {
                    throw SegmentationError.invalidConfiguration(detail: "fused U-Net: an encoder stage holds \(type(of: layer))")
                }
                x = try blocks.lower(x, into: graph)
            }
            skips.append(x)
        }
        return try decoder.lower(skips: skips, into: graph)
    }
}

extension SegmentationNetwork {
    /// Full-resolution logits in inference mode by `engine`: the compiled oneDNN graph (`FusedInferenceCaches`) for a
    /// float32 CPU input of a network that can be compiled, libtorch otherwise.
    public func logits(_ input: Tensor, engine: InferenceEngine) throws -> Tensor {
        guard case .fused(let precision) = engine, input.device == .cpu, input.dtype == .float32,
              let lowerable = self as? any FusedLowerable, lowerable.canLower else {
            return try GradMode.withoutGrad { try logits(input) }
        }
        return try FusedInferenceCaches.run(self, precision: precision, input: input) { shape in
            try FusedInference(lowerable, inputShape: shape, precision: precision)
        }
    }
}

extension SegmentationNetwork {
    /// Float32 full-resolution logits by `engine`, under autocast in `precision` on `device` (fp16 / bf16: CUDA only;
    /// the predictors keep their accumulators in float32).
    public func logits(_ input: Tensor, engine: InferenceEngine, precision: Precision, on device: Device) throws -> Tensor {
        let output = try Autocast.run(precision, on: device) { try logits(input, engine: engine) }
        return output.dtype == .float32 ? output : try output.to(.float32)
    }
}

extension ConvNormActivation {
    func lower(_ x: FusedGraph.Value, into graph: FusedGraph) throws -> FusedGraph.Value {
        let y = try graph.convolution(x, weight: conv.weight.detached(), bias: conv.bias?.detached(), stride: conv.stride,
                                      padding: conv.padding, dilation: conv.dilation)
        return try graph.instanceNorm(y, weight: norm.weight?.detached(), bias: norm.bias?.detached(), eps: norm.eps,
                                      activation: activation ? .leakyReLU(0.01) : .identity)
    }
}

extension StackedConvBlocks {
    func lower(_ x: FusedGraph.Value, into graph: FusedGraph) throws -> FusedGraph.Value {
        var h = x
        for layer in convs.layers {
            guard let block = layer as? ConvNormActivation else {
                throw SegmentationError.invalidConfiguration(detail: "fused U-Net: a conv stage holds \(type(of: layer))")
            }
            h = try block.lower(h, into: graph)
        }
        return h
    }
}

extension UNetDecoder {
    /// The decoder's full-resolution logits from the encoder stages' outputs (top first).
    func lower(skips: [FusedGraph.Value], into graph: FusedGraph) throws -> FusedGraph.Value {
        guard var x = skips.last, let head = segmentationLayers.last else {
            throw SegmentationError.invalidConfiguration(detail: "the U-Net decoder has no stage")
        }
        for s in stages.indices {
            let up = transposedConvolutions[s]
            guard up.groups == 1, up.outputPadding.allSatisfy({ $0 == 0 }) else {
                throw SegmentationError.invalidConfiguration(detail: "fused U-Net: grouped or output-padded upsampling")
            }
            let upsampled = try graph.transposedConvolution(x, weight: up.weight.detached(), bias: up.bias?.detached(),
                                                            stride: up.stride, padding: up.padding)
            x = try stages[s].lower(graph.concatenate([upsampled, skips[skips.count - s - 2]]), into: graph)
        }
        return try graph.convolution(x, weight: head.weight.detached(), bias: head.bias?.detached(), stride: head.stride,
                                     padding: head.padding)
    }
}
