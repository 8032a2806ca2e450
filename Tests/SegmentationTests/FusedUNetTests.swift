import Foundation
import NN
@testable import Segmentation
import TestSupport
import Testing

/// nnU-Net's PlainConvUNet compiled into a oneDNN graph against the network run op by op and against
/// dynamic_network_architectures' own logits; the sliding window with batched mirroring against the op-by-op one.
@Suite("Fused U-Net inference", .enabled(if: FusedPrecision.float32.isAvailable, "the fused graphs are built against Debian's oneDNN only"))
struct FusedUNetTests {
    @Test("the compiled U-Net gives nnU-Net's full-resolution logits")
    func fusedEqualsReference() throws {
        let reference = try Fixture.json(PlainConvUNetTests.Reference.self, "nnunet_plainconvunet_tiny.json", in: .module)
        let c = reference.config
        let network = try PlainConvUNet(UNetArchitecture(classes: c.classes, featuresPerStage: c.features, kernelSizes: c.kernels,
                                                         strides: c.strides), generator: Generator(seed: 0))
        try network.load(nnUNetStateDict: SafeTensors.read(Fixture.url("nnunet_plainconvunet_tiny.safetensors", in: .module)).tensors)
        let input = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let fused = try FusedInference(network, inputShape: input.shape)(input)
        let libtorch = try network.logits(input, engine: .libtorch)
        let expected = try #require(reference.outputs.first)
        #expect(fused.shape == expected.shape)
        expectClose(try fused.scalars(as: Float.self), expected.values.map(Float.init), absolute: 2e-4, relative: 1e-4)
        expectClose(try fused.scalars(as: Float.self), try libtorch.scalars(as: Float.self), absolute: 1e-4, relative: 1e-4)
    }

    @Test("a batch of 8 (the mirrored tiles) is normalised per sample")
    func batchIsPerSample() throws {
        let plans = SyntheticLesions.tinyPlans(features: [4, 8, 16])
        let network = try PlainConvUNet(UNetArchitecture(plans), generator: Generator(seed: 5))
        let x = try Tensor.randn([8, 1] + plans.patchSize, generator: Generator(seed: 6))
        let fused = try network.logits(x, engine: .fused(.float32))
        let libtorch = try network.logits(x, engine: .libtorch)
        expectClose(try fused.scalars(as: Float.self), try libtorch.scalars(as: Float.self), absolute: 1e-4, relative: 1e-4)
    }

    @Test("sliding window with batched mirroring: the same logits and labels as op by op")
    func slidingWindowMatches() throws {
        let plans = SyntheticLesions.tinyPlans(features: [4, 8, 16])
        let network = try PlainConvUNet(UNetArchitecture(plans), generator: Generator(seed: 7))
        var configuration = PredictionConfiguration(mirroring: true, skipAirTiles: false)
        let image = try Tensor.randn([1] + plans.patchSize.map { $0 + $0 / 2 }, generator: Generator(seed: 8))
        configuration.engine = .libtorch
        let (reference, counts) = try SlidingWindowPredictor(network: network, plans: plans, configuration: configuration)
            .slidingWindowLogits(image, head: nil)
        configuration.engine = .fused(.float32)
        let (fused, fusedCounts) = try SlidingWindowPredictor(network: network, plans: plans, configuration: configuration)
            .slidingWindowLogits(image, head: nil)
        #expect(counts == fusedCounts && counts.run > 1)
        expectClose(try fused.scalars(as: Float.self), try reference.scalars(as: Float.self), absolute: 1e-4, relative: 1e-4)
        // Labels agree but where two classes are closer than the summation-order noise.
        let agreement = try fused.argmax(dim: 1).eq(reference.argmax(dim: 1)).to(.float64).mean().item()
        #expect(agreement >= 0.999)
    }
}
