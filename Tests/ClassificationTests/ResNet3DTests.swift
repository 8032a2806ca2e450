import Foundation
import Testing
import TestSupport
@testable import Classification
import NN

/// NeoICH's ResNet3D against MONAI 1.3.2's `ResNet` (scripts/fixtures/resnet_fixtures.py).
@Suite("ResNet3D vs MONAI")
struct ResNet3DTests {
    struct Reference: Decodable {
        struct Config: Decodable { var block: String; var layers: [Int]; var block_inplanes: [Int]; var shortcut_type: String }
        var config: Config
        var keys: [String]
        var parameter_count: Int
        var input: TensorData
        var logits: TensorData
    }

    static func configuration(_ r: Reference) -> ResNet3DConfiguration {
        ResNet3DConfiguration(block: r.config.block == "basic" ? .basic : .bottleneck, layers: r.config.layers,
                              width: r.config.block_inplanes[0], stemStride: [1, 2, 2],
                              shortcut: r.config.shortcut_type == "A" ? .a : .b)
    }

    @Test(arguments: ["basic_B", "basic_A", "bottleneck_B"])
    func monaiWeightsLoadAndGiveTheSameLogits(_ name: String) throws {
        let reference = try Fixture.json(Reference.self, "monai_resnet_\(name).json", in: .module)
        let net = try ResNet3D(Self.configuration(reference), generator: Generator(seed: 1))
        #expect(net.stateDict().map(\.name) == reference.keys)
        #expect(net.parameterCount == reference.parameter_count)
        let weights = try SafeTensors.read(Fixture.url("monai_resnet_\(name).safetensors", in: .module))
        try net.load(stateDict: weights.tensors)
        let x = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let logits = try GradMode.withoutGrad { try net.forward(x, mode: .inference) }
        expectClose(try logits.scalars(as: Double.self), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func resnet34AtWidth64HasMONAIsParameterCount() throws {
        struct Count: Decodable { var parameter_count: Int }
        let expected = try Fixture.json(Count.self, "monai_resnet34_parameter_count.json", in: .module).parameter_count
        let net = try ResNet3D(.resnet34(width: 64), generator: Generator(seed: 0))
        #expect(net.parameterCount == expected)
    }

    @Test func capturedActivationsStayInTheGraph() throws {
        let net = try ResNet3D(.resnet18(width: 4), generator: Generator(seed: 2))
        let x = try Tensor.randn([1, 1, 4, 32, 32], generator: Generator(seed: 3))
        let (logits, activations) = try net.forward(x, mode: .inference, capture: ["layer4", "layer3"])
        let layer4 = try #require(activations["layer4"])
        #expect(layer4.shape == [1, 32, 1, 1, 1])
        #expect(activations["layer3"]?.shape == [1, 16, 1, 2, 2])
        let score = try logits.select(1, 1).sum()
        let g = try gradient(of: score, withRespectTo: layer4)
        #expect(g.shape == layer4.shape)
        // logits = fc(mean over space of layer4), so ∂score/∂layer4 = fc.weight[1] / (number of voxels) = fc.weight[1].
        expectClose(try g.flattened().scalars(as: Double.self), try net.classifierHead.weight.select(0, 1).scalars(as: Double.self), absolute: 1e-6)
    }
}
