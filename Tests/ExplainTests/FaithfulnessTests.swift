import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import Imaging
import NN

/// Faithfulness against AIX360 0.3.0's `faithfulness_metric` run on the same weights and case
/// (scripts/fixtures/explain_fixtures.py), and the receptive-field strategy against the full forward.
@Suite("Faithfulness vs AIX360")
struct FaithfulnessTests {
    static let methods = ["saliency", "input_x_gradient", "smoothgrad", "gradient_shap", "gradcam_layer4_trilinear",
                          "guided_gradcam_layer4", "gradcam_plus_plus_layer4_trilinear"]

    @Test(arguments: [VoxelDeletion.Strategy.full, .incremental, .incremental(fullFraction: 1), .incremental(fullFraction: 0)])
    func deletionProbabilitiesMatchAIX360(_ strategy: VoxelDeletion.Strategy) throws {
        let f = try ExplainFixture()
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let deletion = try VoxelDeletion(model: f.model, batchSize: 16, strategy: strategy).probabilities(sample, voxelOffsets: f.lesionOffsets)
        #expect(deletion.voxelOffsets == f.lesionOffsets)
        #expect(deletion.predictedClass == f.reference.targets[0])
        let worst = zip(deletion.probabilities, f.reference.lesion_probabilities).map { abs($0 - $1) }.max() ?? 0
        print("parity deletion probabilities \(strategy): worst |Δ| \(worst)")
        expectClose(deletion.probabilities, f.reference.lesion_probabilities, absolute: 2e-6, relative: 0)
        for name in Self.methods {
            let map: [Float] = try f.output(name).narrow(0, start: 0, length: 1).scalars()
            let score = try FaithfulnessMetric.score(attribution: map, deletion: deletion)
            let expected = try #require(f.reference.faithfulness[name])
            print("parity faithfulness \(name): \(score) vs AIX360 \(expected), |Δ| \(abs(score - expected))")
            expectClose(score, expected, absolute: 1e-4, relative: 0, name)
        }
    }

    /// `faithfulnessVoxels`: the same correlation on a seeded uniform subset of the lesion — the AIX360 deletion
    /// probabilities of exactly those voxels, and the same subset for every method and run with the same seed.
    @Test func sampledFaithfulnessIsTheMetricOnASeededSubset() throws {
        let f = try ExplainFixture()
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let shape = VolumeShape(z: f.reference.input_shape[2], y: f.reference.input_shape[3], x: f.reference.input_shape[4])
        let labels = try LabelMap(geometry: VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 1, y: 1, x: 1)), voxels: f.reference.labels)
        let request = ExplanationRequest(methods: [.saliency, .gradCAM], faithfulness: true, faithfulnessVoxels: 12, faithfulnessSet: .lesion)
        let result = try CaseExplanation.run(model: f.model, input: sample, labels: labels, request: request)
        let deletion = try #require(result.deletion)
        #expect(result.summary.faithfulnessVoxels == 12 && result.summary.lesionVoxels == f.lesionOffsets.count)
        #expect(deletion.voxelOffsets.count == 12 && Set(deletion.voxelOffsets).isSubset(of: Set(f.lesionOffsets)))
        #expect(deletion.voxelOffsets == deletion.voxelOffsets.sorted())
        #expect(request.evaluatedVoxels(f.lesionOffsets) == deletion.voxelOffsets)
        let reference = Dictionary(uniqueKeysWithValues: zip(f.lesionOffsets, f.reference.lesion_probabilities))
        expectClose(deletion.probabilities, deletion.voxelOffsets.map { reference[$0]! }, absolute: 2e-6, relative: 0)
        for (entry, (_, map)) in zip(result.summary.methods, result.maps) {
            let values = map.voxels
            let expected = -FaithfulnessMetric.pearson(deletion.voxelOffsets.map { Double(values[$0]) }, deletion.probabilities)
            expectClose(try #require(entry.faithfulness), expected, absolute: 1e-12)
        }
        var all = request
        all.faithfulnessVoxels = nil
        #expect(all.evaluatedVoxels(f.lesionOffsets) == f.lesionOffsets)
    }

    /// `targetClass` explains another class than the argmax: the maps' target, the tracked probability and the
    /// faithfulness all follow it (the probability of the other class is 1 − p for two classes).
    @Test func targetClassOverridesTheArgmax() throws {
        let f = try ExplainFixture()
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let shape = VolumeShape(z: f.reference.input_shape[2], y: f.reference.input_shape[3], x: f.reference.input_shape[4])
        let labels = try LabelMap(geometry: VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 1, y: 1, x: 1)), voxels: f.reference.labels)
        let argmax = f.reference.targets[0], other = 1 - argmax
        var request = ExplanationRequest(methods: [.saliency], faithfulness: true, faithfulnessVoxels: 10)
        let plain = try CaseExplanation.run(model: f.model, input: sample, labels: labels, request: request)
        request.targetClass = other
        let flipped = try CaseExplanation.run(model: f.model, input: sample, labels: labels, request: request)
        #expect(plain.summary.predictedClass == argmax && flipped.summary.predictedClass == other)
        let a = try #require(plain.deletion), b = try #require(flipped.deletion)
        #expect(b.predictedClass == other && a.voxelOffsets == b.voxelOffsets)
        expectClose(b.probabilities, a.probabilities.map { 1 - $0 }, absolute: 1e-6, relative: 0)
        request.targetClass = 5
        #expect(throws: ExplainError.self) { try CaseExplanation.run(model: f.model, input: sample, labels: labels, request: request) }
    }

    @Test func constantAttributionGivesNaN() throws {
        let deletion = VoxelDeletionProbabilities(voxelOffsets: [0, 1, 2], predictedClass: 0, unperturbedProbability: 0.5,
                                                  probabilities: [0.1, 0.2, 0.3], baseline: 0)
        #expect(try FaithfulnessMetric.score(attribution: [1, 1, 1], deletion: deletion).isNaN)
        // A map that ranks voxels exactly as their deletion lowers the probability scores 1.
        expectClose(try FaithfulnessMetric.score(attribution: [3, 2, 1], deletion: deletion), 1, absolute: 1e-12)
    }

    @Test func voxelsAlreadyAtTheBaselineKeepTheUnperturbedProbability() throws {
        let f = try ExplainFixture()
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let outside = try #require(f.reference.labels.firstIndex(of: 0))
        let deletion = try VoxelDeletion(model: f.model).probabilities(sample, voxelOffsets: [outside])
        #expect(deletion.probabilities == [deletion.unperturbedProbability])
    }

    @Test func quantusCorrelationIsPerfectOnALinearModel() throws {
        // For a linear model the logit drop of a subset is the sum of its x·w terms, which is exactly the sum of
        // the InputXGradient attributions: Quantus' correlation is 1 for every draw.
        let model = try LinearModel(weights: [[0.5, -1, 2, 0.25, 1.5, -0.75], [1, 1, 1, 1, 1, 1]], spatial: [1, 2, 3])
        let x = try Tensor([Float]([1, 2, -1, 3, 0.5, 2]), shape: [1, 1, 1, 2, 3])
        let map: [Float] = try InputXGradient(model: model).attribute(x, target: .classIndex(0)).scalars()
        let metric = FaithfulnessCorrelation(model: model, subsetSize: 2, runs: 20, baseline: .value(0))
        let score = try metric.score(x, attribution: map, target: 0, generator: Generator(seed: 3))
        expectClose(score, 1, absolute: 1e-5)
    }
}
