import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import NN

/// The reference run of scripts/fixtures/explain_fixtures.py: a tiny MONAI ResNet, two inputs, each library's
/// output, the injected random draws and AIX360's faithfulness.
struct ExplainReference: Decodable {
    struct ShapDraws: Decodable { var samples: Int; var baseline_indices: [Int]; var alphas: [Double] }
    struct Noise: Decodable { var samples: Int; var stdev: Double }
    var input_shape: [Int]
    var logits: [Double]
    var targets: [Int]
    var smoothgrad: Noise
    var gradient_shap: ShapDraws
    var labels: [UInt8]
    var faithfulness: [String: Double]
    var lesion_probabilities: [Double]
}

/// Loaded once per test (tests run in parallel; each gets its own model and tensors).
struct ExplainFixture {
    let reference: ExplainReference
    let tensors: [String: Tensor]
    let model: ResNet3D
    let input: Tensor

    init() throws {
        reference = try Fixture.json(ExplainReference.self, "explain_reference.json", in: .module)
        tensors = try SafeTensors.read(Fixture.url("explain_reference.safetensors", in: .module)).tensors
        let configuration = ResNet3DConfiguration(block: .basic, layers: [1, 1, 1, 1], width: 4, stemStride: [1, 2, 2], shortcut: .b)
        model = try ResNet3D(configuration, generator: Generator(seed: 0))
        var weights: [String: Tensor] = [:]
        for (key, value) in tensors where key.hasPrefix("model.") { weights[String(key.dropFirst(6))] = value }
        try model.load(stateDict: weights)
        input = try #require(tensors["input"])
    }

    func output(_ name: String) throws -> Tensor {
        guard let t = tensors["output.\(name)"] else { throw ExplainError.file("explain_reference.safetensors", "no output.\(name)") }
        return t
    }

    /// The lesion voxels (ICH ∪ PHE) of sample 0, as linear offsets.
    var lesionOffsets: [Int] { reference.labels.indices.filter { reference.labels[$0] > 0 } }
}

/// Element-wise comparison that also prints the worst absolute and relative error (for the parity report).
func expectParity(_ actual: Tensor, _ expected: Tensor, _ label: String, absolute: Double = 1e-5, relative: Double = 1e-4,
                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    let a = try actual.scalars(as: Double.self), e = try expected.scalars(as: Double.self)
    let scale = e.map(abs).max() ?? 0
    var worstAbs = 0.0
    for (x, y) in zip(a, e) { worstAbs = max(worstAbs, abs(x - y)) }
    print("parity \(label): worst |Δ| \(worstAbs), relative to max |ref| \(scale > 0 ? worstAbs / scale : 0)")
    expectClose(a, e, absolute: absolute * max(scale, 1e-12), relative: relative, label, sourceLocation: sourceLocation)
}
