import Foundation
import Testing
import TestSupport
import Classification
import Explain
import Imaging
import NN

/// A network that is not a ResNet: one 3×3×3 convolution ("features"), ReLU, global average pooling ("pooled"),
/// a linear layer. Added to NeoICH through `ClassifierArchitectures.register` alone.
final class ToyConvNet: ClassifierNetwork {
    let conv: Conv3d
    let fc: Linear

    init(_ c: ResNet3DConfiguration, generator: Generator) throws {
        conv = try Conv3d(c.inputChannels, c.width, kernel: [3, 3, 3], padding: [1, 1, 1], generator: generator)
        fc = try Linear(c.width, c.classes, generator: generator)
    }

    var children: [(name: String, module: any Module)] { [("conv", conv), ("fc", fc)] }
    var attributionLayers: [String] { ["features"] }
    var defaultCAMLayer: String { "features" }
    var boundaryNames: [String] { ["input", "features", "logits"] }
    var trainableStages: [any Module] { [conv] }
    var lastLayer: any Layer { fc }

    func forward(_ x: Tensor, mode: Mode, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        let features = try relu.apply(conv.forward(x, mode: mode))
        let pooled = try features.adaptiveAvgPool(outputSize: [1, 1, 1]).flattened(from: 1)
        var activations: [String: Tensor] = [:]
        if capture.contains("features") { activations["features"] = features }
        if capture.contains("pooled") { activations["pooled"] = pooled }
        return (try fc.forward(pooled, mode: mode), activations)
    }

    func forward(_ h: Tensor, from start: String, through end: String, mode: Mode) throws -> Tensor {
        switch (start, end) {
        case ("input", "features"): try conv.forward(h, mode: mode).relu()
        case ("features", "logits"): try fc.forward(h.adaptiveAvgPool(outputSize: [1, 1, 1]).flattened(from: 1), mode: mode)
        case ("input", "logits"): try forward(h, mode: mode)
        default: throw ModuleError.invalidConfiguration("ToyConvNet segment \(start) → \(end)")
        }
    }
}

/// An attribution method that is not one of the study's: |x|, whatever the model. Added through
/// `AttributionMethods.register` alone.
struct InputMagnitude: AttributionMethod {
    static let name = AttributionMethodName(rawValue: "InputMagnitude")
    var name: AttributionMethodName { Self.name }
    func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor { try input.abs() }
}

@Suite("Networks and attribution methods are added through the registries alone")
struct ArchitectureRegistryTests {
    init() {
        ClassifierArchitectures.register("ToyConvNet") { try ToyConvNet($0, generator: $1) }
        AttributionMethods.register(.init(InputMagnitude.name, aliases: ["abs-input"]) { _, _, _ in InputMagnitude() })
    }

    static let architecture = ResNet3DConfiguration(block: .basic, layers: [1], width: 3)

    static func card() -> ClassifierModelCard {
        ClassifierModelCard(name: "toy", architecture: architecture, cropSize: VolumeShape(z: 4, y: 6, x: 6), network: "ToyConvNet")
    }

    @Test func aModelCardNamingTheToyNetworkSavesLoadsAndPredicts() throws {
        let folder = try TemporaryDirectory()
        let model = try ClassifierModel(card: Self.card(), seed: 3)
        #expect(model.network is ToyConvNet)
        try model.save(to: folder.url)
        let loaded = try ClassifierModel.load(from: folder.url)
        #expect(loaded.network is ToyConvNet)
        #expect(loaded.card.network == "ToyConvNet")
        #expect(loaded.network.stateDict().map(\.name) == ["conv.weight", "conv.bias", "fc.weight", "fc.bias"])
        let input = try Tensor((0..<144).map { Float($0 % 7) / 7 }, shape: [1, 1, 4, 6, 6])
        expectClose(try loaded.probabilities(input), try model.probabilities(input), absolute: 1e-6)
        // By hand: P(class 1) = softmax(fc(mean over voxels of relu(conv(x)))).
        let features: [Float] = try model.network.forward(input, from: "input", through: "features", mode: .inference).scalars()
        let perChannel = 144
        let pooled = (0..<3).map { c in features[c * perChannel..<(c + 1) * perChannel].reduce(0, +) / Float(perChannel) }
        let w: [Float] = try (model.network as? ToyConvNet).map { try $0.fc.weight.scalars() } ?? []
        let b: [Float] = try (model.network as? ToyConvNet).map { try $0.fc.bias!.scalars() } ?? []
        var logits: [Double] = []
        for k in 0..<2 {
            var sum = b[k]
            for c in 0..<3 { sum += w[k * 3 + c] * pooled[c] }
            logits.append(Double(sum))
        }
        let p1: Double = exp(logits[1]) / (exp(logits[0]) + exp(logits[1]))
        expectClose(try model.probabilities(input), [p1], absolute: 1e-5)
    }

    @Test func anUnknownNetworkIsRefusedNamingTheCard() throws {
        let folder = try TemporaryDirectory()
        try ClassifierModel(card: Self.card(), seed: 3).save(to: folder.url)
        let cardURL = folder.url.appendingPathComponent("model.json")
        let text = try String(contentsOf: cardURL, encoding: .utf8).replacingOccurrences(of: "\"ToyConvNet\"", with: "\"NoSuchNet\"")
        try text.write(to: cardURL, atomically: true, encoding: .utf8)
        #expect { try ClassifierModel.load(from: folder.url) } throws: { "\($0)".contains("model.json") && "\($0)".contains("NoSuchNet") }
    }

    @Test func theToyMethodIsParsedListedAndRunOnTheToyNetwork() throws {
        #expect(AttributionMethodName(parsing: "abs_input") == InputMagnitude.name)
        #expect(AttributionMethodName(parsing: "inputmagnitude") == InputMagnitude.name)
        #expect(AttributionMethodName.allCases.contains(InputMagnitude.name))
        #expect(AttributionMethodName.allCases.prefix(8).map(\.rawValue) == ["Saliency", "InputXGradient", "SmoothGrad", "GradientShap",
                                                                           "GradCAM", "GuidedGradCAM", "GradCAMPlusPlus", "GuidedBackprop"])
        let model = try ClassifierModel(card: Self.card(), seed: 5)
        let values = (0..<144).map { Float(($0 * 5) % 11) / 11 - 0.2 }
        let input = try Tensor(values, shape: [1, 1, 4, 6, 6])
        let geometry = VolumeGeometry(shape: VolumeShape(z: 4, y: 6, x: 6), spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        let labels = try LabelMap(geometry: geometry, voxels: (0..<144).map { UInt8([1, 2, 0, 0][$0 % 4]) })
        let request = ExplanationRequest(methods: [.gradCAM, InputMagnitude.name], faithfulness: true, deletionStrategy: .incremental)
        let result = try CaseExplanation.run(model: model.network, input: input, labels: labels, request: request)
        #expect(result.summary.layer == "features")
        #expect(result.summary.methods.map(\.method) == [.gradCAM, InputMagnitude.name])
        let magnitude = try #require(result.maps.last).map.voxels
        expectClose(magnitude.map(Double.init), values.map { Double(abs($0)) }, absolute: 0)
        let json = try JSONEncoder().encode(result.summary)
        #expect(String(decoding: json, as: UTF8.self).contains("\"InputMagnitude\""))
    }

    @Test func explainedClassifierLoadsTheToyNetworkFromItsCard() throws {
        let folder = try TemporaryDirectory()
        try ClassifierModel(card: Self.card(), seed: 4).save(to: folder.url)
        let explained = try ExplainedClassifier(card: folder.url.appendingPathComponent("model.json"),
                                                weights: folder.url.appendingPathComponent("model.safetensors"))
        #expect(explained.network is ToyConvNet)
    }
}
