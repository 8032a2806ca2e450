import Foundation
import NN
import Segmentation
import TestSupport
import Testing

@Suite("PlainConvUNet")
struct PlainConvUNetTests {
    struct Reference: Decodable {
        struct Config: Decodable { var features: [Int]; var kernels: [[Int]]; var strides: [[Int]]; var classes: Int }
        var config: Config
        var canonical_keys: [String]
        var parameter_count: Int
        var input: TensorData
        var outputs: [TensorData]
    }

    @Test("loads a dynamic_network_architectures state dict by name and gives the same deep-supervision logits",
          arguments: [UpsamplingMethod.matmul, .libtorch])
    func parity(upsampling: UpsamplingMethod) throws {
        let reference = try Fixture.json(Reference.self, "nnunet_plainconvunet_tiny.json", in: .module)
        let c = reference.config
        let network = try PlainConvUNet(UNetArchitecture(classes: c.classes, featuresPerStage: c.features, kernelSizes: c.kernels,
                                                         strides: c.strides), generator: Generator(seed: 0))
        network.upsampling = upsampling
        #expect(network.stateDict().map(\.name) == reference.canonical_keys)
        #expect(network.parameterCount == reference.parameter_count)
        let state = try SafeTensors.read(Fixture.url("nnunet_plainconvunet_tiny.safetensors", in: .module)).tensors
        try network.load(nnUNetStateDict: state)
        let input = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let outputs = try network.forward(input, mode: .inference, deepSupervision: true)
        #expect(outputs.count == reference.outputs.count)
        for (output, expected) in zip(outputs, reference.outputs) {
            #expect(output.shape == expected.shape)
            expectClose(try output.scalars(as: Float.self), expected.values.map(Float.init), absolute: 2e-4, relative: 1e-4)
        }
    }

    @Test("analytic parameter count of the plans equals the built network's")
    func parameterCount() throws {
        let plans = SyntheticLesions.tinyPlans(features: [4, 8, 16, 32])
        let network = try PlainConvUNet(UNetArchitecture(plans), generator: Generator(seed: 1))
        #expect(network.parameterCount == plans.parameterCount)
    }

    @Test("matmul transposed convolution equals libtorch's in values and gradients")
    func transposedConvolution() throws {
        let g = try Generator(seed: 3)
        let x = try Tensor.randn([2, 5, 3, 4, 6], dtype: .float64, generator: g).requiringGrad()
        let w = try Tensor.randn([5, 3, 1, 2, 2], dtype: .float64, generator: g).requiringGrad()
        let b = try Tensor.randn([3], dtype: .float64, generator: g).requiringGrad()
        let up = try PlainConvUNet.upsample(x, weight: w, bias: b, method: .matmul)
        let reference = try x.transposedConvolution(weight: w, bias: b, stride: [1, 2, 2], padding: [0, 0, 0])
        #expect(up.shape == [2, 3, 3, 8, 12])
        expectClose(try up.scalars(as: Double.self), try reference.scalars(as: Double.self), absolute: 1e-12)
        let probe = try Tensor.randn(up.shape, dtype: .float64, generator: g)
        let ours = try gradients(of: [up.multiplying(probe).sum()], withRespectTo: [x, w, b])
        let theirs = try gradients(of: [reference.multiplying(probe).sum()], withRespectTo: [x, w, b])
        #expect(ours.count == 3 && theirs.count == 3)
        for (a, e) in zip(ours, theirs) {
            let a = try #require(a), e = try #require(e)
            expectClose(try a.scalars(as: Double.self), try e.scalars(as: Double.self), absolute: 1e-10)
        }
    }

    @Test("deep-supervision weights: 1, ½, ¼, …, lowest 0, normalised")
    func deepSupervisionWeights() {
        let loss = DeepSupervisionLoss(outputs: 4, batchDice: false)
        expectClose(loss.weights, [1 / 1.75, 0.5 / 1.75, 0.25 / 1.75, 0], absolute: 1e-12)
    }
}
