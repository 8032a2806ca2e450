import NN

/// nnU-Net's `UNetDecoder`, shared by `PlainConvUNet` and `ResidualEncoderUNet`: from the bottom up, per stage a
/// transposed convolution (kernel = stride), the encoder's skip concatenated, stacked convolutions and a 1×1×1
/// segmentation head. Its state-dict keys are nnU-Net's under the network's `decoder`: `stages.{s}`,
/// `transpconvs.{s}`, `seg_layers.{s}`.
final class UNetDecoder: Module {
    let stages: [StackedConvBlocks]
    let transposedConvolutions: [ConvTranspose3d]
    let segmentationLayers: [Conv3d]

    /// - Parameters:
    ///   - featuresPerStage, strides, kernelSizes: the encoder's, one entry per stage.
    ///   - convolutionsPerStage: convolutions of decoder stage s (bottom-up, s = 0 …), one per encoder stage but the last.
    init(featuresPerStage: [Int], strides: [[Int]], kernelSizes: [[Int]], convolutionsPerStage: [Int], classes: Int,
         generator: Generator) throws {
        let count = featuresPerStage.count
        var decoder: [StackedConvBlocks] = [], upsampling: [ConvTranspose3d] = [], heads: [Conv3d] = []
        for s in 1..<count {
            let below = featuresPerStage[count - s], skip = featuresPerStage[count - s - 1]
            let stride = strides[count - s]
            upsampling.append(try ConvTranspose3d(below, skip, kernel: stride, stride: stride, bias: true,
                                                  initializer: .kaimingNormal(a: 0.01), generator: generator))
            decoder.append(try StackedConvBlocks(count: convolutionsPerStage[s - 1], 2 * skip, skip,
                                                 kernel: kernelSizes[count - s - 1], firstStride: [1, 1, 1], generator: generator))
            heads.append(try Conv3d(skip, classes, kernel: [1, 1, 1], bias: true, initializer: .kaimingNormal(a: 0.01),
                                    generator: generator))
        }
        stages = decoder
        transposedConvolutions = upsampling
        segmentationLayers = heads
    }

    var children: [(name: String, module: any Module)] {
        [("stages", ModuleList(stages)), ("transpconvs", ModuleList(transposedConvolutions)),
         ("seg_layers", ModuleList(segmentationLayers))]
    }

    /// Logits at every decoder resolution, full resolution first, or only the full-resolution ones when
    /// `deepSupervision` is false.
    ///
    /// - Parameter skips: the encoder stages' outputs, top first; the last is the bottleneck the decoder starts from.
    func forward(skips: [Tensor], upsampling: UpsamplingMethod, mode: Mode, deepSupervision: Bool) throws -> [Tensor] {
        guard var x = skips.last, !stages.isEmpty else {
            throw SegmentationError.invalidConfiguration(detail: "the U-Net decoder has no stage")
        }
        var outputs: [Tensor] = []
        for s in stages.indices {
            let up = transposedConvolutions[s]
            let upsampled = try PlainConvUNet.upsample(x, weight: up.weight, bias: up.bias, method: upsampling)
            x = try stages[s].forward(Tensor.cat([upsampled, skips[skips.count - s - 2]], dim: 1), mode: mode)
            if deepSupervision || s == stages.count - 1 {
                outputs.append(try segmentationLayers[s].forward(x, mode: mode))
            }
        }
        return outputs.reversed()
    }
}
