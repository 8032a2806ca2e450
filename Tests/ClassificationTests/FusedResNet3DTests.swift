import Foundation
import Testing
import TestSupport
@testable import Classification
import NN

/// The ResNet compiled into a oneDNN graph (batch norm folded, ReLU and shortcuts fused) against the same network
/// run op by op in libtorch, and against MONAI's logits.
@Suite("Fused ResNet3D inference", .enabled(if: FusedPrecision.float32.isAvailable, "the fused graphs are built against Debian's oneDNN only"))
struct FusedResNet3DTests {
    /// A network whose batch norms are not the identity (random statistics and affine parameters), so that folding
    /// them is tested.
    static func network(_ configuration: ResNet3DConfiguration, seed: UInt64) throws -> ResNet3D {
        let net = try ResNet3D(configuration, generator: Generator(seed: seed))
        let g = try Generator(seed: seed + 1)
        var state: [String: Tensor] = [:]
        for (name, tensor) in net.stateDict() {
            if name.hasSuffix("running_mean") || name.hasSuffix(".bias") && !name.hasPrefix("fc") {
                state[name] = try Tensor.randn(tensor.shape, generator: g).multiplying(0.2)
            } else if name.hasSuffix("running_var") {
                state[name] = try Tensor.rand(tensor.shape, generator: g).adding(0.5)
            } else if name.contains("bn") && name.hasSuffix(".weight") || name.hasSuffix("downsample.1.weight") {
                state[name] = try Tensor.rand(tensor.shape, generator: g).adding(0.5)
            } else {
                state[name] = tensor
            }
        }
        try net.load(stateDict: state)
        return net
    }

    static let configurations: [(String, ResNet3DConfiguration)] = [
        ("resnet34 stem (1,2,2)", .init(block: .basic, layers: [3, 4, 6, 3], width: 4)),
        ("resnet18 MONAI stem stride 1", .init(block: .basic, layers: [2, 2, 2, 2], width: 4, stemStride: [1, 1, 1])),
        ("bottleneck without max pool", .init(block: .bottleneck, layers: [1, 1, 1, 1], width: 4, maxPool: false)),
    ]

    @Test(arguments: configurations.indices)
    func fusedLogitsEqualLibtorch(_ index: Int) throws {
        let (name, configuration) = Self.configurations[index]
        let net = try Self.network(configuration, seed: UInt64(10 + index))
        let x = try Tensor.randn([2, 1, 10, 36, 36], generator: Generator(seed: 3))
        let expected = try GradMode.withoutGrad { try net.forward(x, mode: .inference) }
        let fused = try net.fusedInference(inputShape: x.shape)(x)
        #expect(fused.shape == expected.shape)
        expectClose(try fused.scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 1e-4, relative: 1e-4, name)
    }

    @Test(arguments: ["basic_B", "bottleneck_B"])
    func fusedLogitsEqualMONAIs(_ name: String) throws {
        let reference = try Fixture.json(ResNet3DTests.Reference.self, "monai_resnet_\(name).json", in: .module)
        let net = try ResNet3D(ResNet3DTests.configuration(reference), generator: Generator(seed: 1))
        try net.load(stateDict: SafeTensors.read(Fixture.url("monai_resnet_\(name).safetensors", in: .module)).tensors)
        let x = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let logits = try net.fusedInference(inputShape: x.shape)(x)
        expectClose(try logits.scalars(as: Double.self), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func shortcutAIsRefusedNotMiscomputed() throws {
        let net = try ResNet3D(.init(block: .basic, layers: [1, 1], width: 4, shortcut: .a), generator: Generator(seed: 2))
        let error = #expect(throws: ModuleError.self) { try net.fusedInference(inputShape: [1, 1, 8, 16, 16]) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("shortcut A"))
        // The model falls back to libtorch for it.
        let model = ClassifierModel(card: try Self.card(), network: net)
        let x = try Tensor.randn([1, 1, 8, 16, 16], generator: Generator(seed: 4))
        #expect(try model.logits(x).shape == [1, 2])
    }

    static func card() throws -> ClassifierModelCard {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/classifier/model.json")
        return try ClassifierModelCard.read(models)
    }

    @Test func modelRecompilesWhenItsWeightsChange() throws {
        let net = try Self.network(.init(block: .basic, layers: [1, 1, 1, 1], width: 4), seed: 21)
        let model = ClassifierModel(card: try Self.card(), network: net)
        let x = try Tensor.randn([1, 1, 8, 24, 24], generator: Generator(seed: 5))
        #expect(model.inferenceEngine == .automatic)
        let before = try model.logits(x).scalars(as: Double.self)
        // An optimizer step changes a convolution in place; the next call must see it.
        let conv = try #require(net.namedParameters().first { $0.name == "layer1.0.conv1.weight" }?.tensor)
        try GradMode.withoutGrad { try conv.addInPlace(Tensor.randn(conv.shape, generator: Generator(seed: 6)).multiplying(0.5)) }
        let after = try model.logits(x).scalars(as: Double.self)
        let reference = try GradMode.withoutGrad { try net.forward(x, mode: .inference) }.scalars(as: Double.self)
        #expect(before != after)
        expectClose(after, reference, absolute: 1e-4, relative: 1e-4)
        model.inferenceEngine = .libtorch
        #expect(try model.logits(x).scalars(as: Double.self) == reference)
    }
}
