import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import Imaging
import NN
import Stats

/// The reference run of scripts/fixtures/xai_protocol_fixtures.py: the explain_reference model as the paper's
/// log-softmax model, Captum's and MONAI's maps of log p(target), and AIX360's loop over every voxel of sample 0.
struct XAIProtocolReference: Decodable {
    struct Noise: Decodable { var samples: Int; var fraction: Double; var stdev: Double }
    var targets: [Int]
    var predicted_sample0: Int
    var unperturbed_probability: Double
    var smoothgrad: Noise
    var faithfulness_crop: [String: Double]
    var faithfulness_lesion: [String: Double]
    var nonzero_voxels_sample0: Int
    var lesion_voxels_sample0: Int
}

/// Counts the perturbed inputs a model is asked to classify (every row of every batch but the first call's).
final class CountingModel: ExplainableModel {
    let base: any ExplainableModel
    private(set) var rows = 0
    private(set) var calls = 0
    init(_ base: any ExplainableModel) { self.base = base }
    var attributionLayers: [String] { base.attributionLayers }
    var defaultCAMLayer: String { base.defaultCAMLayer }
    func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        if calls > 0 { rows += input.shape[0] }
        calls += 1
        return try base.evaluate(input, capture: capture, relu: relu)
    }
}

@Suite("The study protocol of 000_…: log p(target), every-voxel faithfulness, MONAI GradCAM++, SmoothGrad noise")
struct XAIProtocolTests {
    let f: ExplainFixture
    let reference: XAIProtocolReference
    let tensors: [String: Tensor]

    init() throws {
        f = try ExplainFixture()
        reference = try Fixture.json(XAIProtocolReference.self, "xai_protocol_reference.json", in: .module)
        tensors = try SafeTensors.read(Fixture.url("xai_protocol_reference.safetensors", in: .module)).tensors
    }

    func output(_ name: String) throws -> Tensor { try #require(tensors["output.\(name)"]) }

    func sampleLabels() throws -> LabelMap {
        let shape = VolumeShape(z: f.reference.input_shape[2], y: f.reference.input_shape[3], x: f.reference.input_shape[4])
        return try LabelMap(geometry: VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 1, y: 1, x: 1)), voxels: f.reference.labels)
    }

    @Test func gradientMethodsExplainTheLogProbabilityAsCaptumOnALogSoftmaxModel() throws {
        let model = AttributionOutput.logProbability.scored(f.model)
        #expect(try model.resolve(.predicted, for: f.input) == reference.targets)
        try expectParity(InputXGradient(model: model).attribute(f.input), output("input_x_gradient"), "InputXGradient log p")
        try expectParity(Saliency(model: model).attribute(f.input), output("saliency"), "Saliency log p")
        // The logit output is still the model itself (the Captum parity of AttributionParityTests).
        #expect(AttributionOutput.logit.scored(f.model) === f.model)
    }

    @Test func smoothGradNoiseIsAFractionOfTheInputRange() throws {
        let values: [Float] = try f.input.scalars()
        let range = Double(values.max()! - values.min()!)
        let sigma = try SmoothGradNoise.fractionOfRange(reference.smoothgrad.fraction).standardDeviation(for: f.input)
        expectClose(sigma, reference.smoothgrad.fraction * range, absolute: 1e-6)
        expectClose(sigma, reference.smoothgrad.stdev, absolute: 1e-5)
        #expect(SmoothGradNoise.standard == .fractionOfRange(0.15) && AttributionConfiguration().smoothGradNoise == .standard)
        // Captum drew its noise with that σ: the sample standard deviation of its 192 000 draws agrees to 1 %.
        let noise: [Float] = try output("smoothgrad_noise").scalars()
        let mean = noise.reduce(0.0) { $0 + Double($1) } / Double(noise.count)
        let sd = (noise.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(noise.count - 1)).squareRoot()
        expectClose(sd, sigma, absolute: 0, relative: 0.01)
        let method = SmoothGrad(model: AttributionOutput.logProbability.scored(f.model), samples: reference.smoothgrad.samples,
                                noise: .standard, batchSize: 4, generator: try Generator(seed: 1))
        try expectParity(method.attribute(f.input, target: .predicted, noise: output("smoothgrad_noise")), output("smoothgrad"),
                         "SmoothGrad 15 % of the range, log p")
    }

    @Test func smoothGradNoiseIsWrittenAsItsSetting() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(SmoothGradNoise.standard), as: UTF8.self) == #"{"fractionOfRange":0.15}"#)
        #expect(String(decoding: try encoder.encode(SmoothGradNoise.absolute(1)), as: UTF8.self) == #"{"absolute":1}"#)
        for noise in [SmoothGradNoise.standard, .absolute(1)] {
            #expect(try JSONDecoder().decode(SmoothGradNoise.self, from: encoder.encode(noise)) == noise)
        }
        #expect(throws: ExplainError.self) { try SmoothGradNoise.fractionOfRange(-0.1).standardDeviation(for: f.input) }
    }

    @Test func gradCAMPlusPlusMatchesMONAI() throws {
        let model = AttributionOutput.logProbability.scored(f.model)
        for b in 0..<2 {
            let x = try f.input.narrow(0, start: b, length: 1)
            let method = GradCAMPlusPlus(model: model, variant: .monai)
            try expectParity(method.layerMap(x, target: .predicted), output("monai_gradcampp_layer4_raw").narrow(0, start: b, length: 1),
                             "MONAI GradCAMpp compute_map, input \(b)")
            // MONAI's default normaliser maps (min, max) to (1, 0); NeoICH's map is 1 − that.
            let inverted = try output("monai_gradcampp_layer4").narrow(0, start: b, length: 1).negated().adding(1)
            try expectParity(method.attribute(x, target: .predicted), inverted, "MONAI GradCAMpp normalised, input \(b)")
        }
        #expect(AttributionConfiguration().camVariant == .monai)
    }

    /// `neoich explain --crop C --crop-labels L --faithfulness` with its defaults runs `ExplanationRequest(faithfulness:
    /// true)`: every crop voxel is a feature, and the score equals AIX360's loop over every voxel.
    @Test func everyVoxelFaithfulnessMatchesTheLoopOverAllVoxels() throws {
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let result = try CaseExplanation.run(model: f.model, input: sample, labels: sampleLabels(), request: ExplanationRequest(faithfulness: true))
        let s = result.summary
        #expect(s.predictedClass == reference.predicted_sample0)
        #expect(s.faithfulnessSet == .crop && s.output == .logProbability && s.camVariant == .monai)
        #expect(s.faithfulnessPopulation == reference.lesion_voxels_sample0 && s.faithfulnessLabel?.hasPrefix("exact") == true)
        #expect(s.deletionForwards == reference.nonzero_voxels_sample0)
        let p: [Double] = try #require(tensors["pixel_probabilities"]).scalars()
        for (entry, (_, map)) in zip(s.methods, result.maps) {
            let values = map.voxels.map(Double.init)
            let loop = -Correlation.pearson(values, p)
            let score = try #require(entry.faithfulness)
            print("parity every-voxel faithfulness \(entry.method.rawValue): \(score) vs loop over all voxels \(loop)")
            expectClose(score, loop, absolute: 1e-5, relative: 0, entry.method.rawValue)
            if let python = reference.faithfulness_crop[entry.method.rawValue] {
                expectClose(score, python, absolute: 1e-4, relative: 0, "\(entry.method.rawValue) vs the fixture's maps")
            }
        }
        let ixg = try #require(result.maps.first { $0.method == .inputXGradient }?.map)
        let captum: [Float] = try output("input_x_gradient").narrow(0, start: 0, length: 1).scalars()
        let scale = Double(captum.map(abs).max() ?? 1)
        expectClose(ixg.voxels.map(Double.init), captum.map(Double.init), absolute: 1e-5 * scale, relative: 1e-4)
        // The lesion set keeps the earlier metric.
        let lesion = try CaseExplanation.run(model: f.model, input: sample, labels: sampleLabels(),
                                             request: ExplanationRequest(methods: [.inputXGradient], faithfulness: true, faithfulnessSet: .lesion))
        expectClose(try #require(lesion.summary.methods[0].faithfulness), try #require(reference.faithfulness_lesion["InputXGradient"]),
                    absolute: 1e-4, relative: 0)
    }

    /// The every-voxel score costs no more forwards than the lesion-only one: background voxels need none.
    @Test(arguments: [nil, 40] as [Int?])
    func everyVoxelScoreCostsNoMoreForwards(_ sampled: Int?) throws {
        let sample = try f.input.narrow(0, start: 0, length: 1)
        let values: [Float] = try sample.scalars()
        var counted: [FaithfulnessSet: Int] = [:]
        for set in FaithfulnessSet.allCases {
            let request = ExplanationRequest(faithfulness: true, faithfulnessVoxels: sampled, faithfulnessSet: set)
            let offsets = request.evaluatedVoxels(request.faithfulnessPopulation(lesion: f.lesionOffsets, values: values))
            let counter = CountingModel(f.model)
            let deletion = try VoxelDeletion(model: counter, batchSize: 16, strategy: .full).probabilities(sample, voxelOffsets: offsets)
            #expect(deletion.forwards == counter.rows)
            counted[set] = counter.rows
            let run = try CaseExplanation.run(model: f.model, input: sample, labels: sampleLabels(),
                                              request: ExplanationRequest(methods: [.saliency], faithfulness: true,
                                                                          faithfulnessVoxels: sampled, faithfulnessSet: set))
            #expect(run.summary.deletionForwards == counter.rows)
        }
        print("forwards for the every-voxel score \(counted[.crop] ?? -1), lesion only \(counted[.lesion] ?? -1), crop voxels \(values.count)")
        #expect(try #require(counted[.crop]) <= #require(counted[.lesion]))
        if sampled == nil { #expect(counted[.crop] == reference.nonzero_voxels_sample0) }
    }

    /// The sampled score estimates the every-voxel score: with n = N it is exact; on six synthetic crops with n = N/4
    /// its error is printed and bounded (a sample that ignored the background or mis-weighted it misses by more).
    @Test func sampledEveryVoxelScoreEstimatesTheExactScore() throws {
        let errors = try FaithfulnessEstimatorError.measure(model: f.model, cases: 6, shape: [12, 40, 40], sampleFraction: 0.25, seed: 5)
        for e in errors {
            print(String(format: "estimator case %d %@: N %d, n %d, exact %.4f, estimate %.4f, |Δ| %.4f (unweighted sample %.4f)",
                         e.caseIndex, e.method.rawValue, e.population, e.sampled, e.exact, e.estimate, abs(e.estimate - e.exact), e.unweighted))
        }
        let deltas = errors.map { abs($0.estimate - $0.exact) }
        print(String(format: "estimator error (n = N/4, 6 cases × 2 methods): mean |Δ| %.4f, max %.4f",
                     deltas.reduce(0, +) / Double(deltas.count), deltas.max() ?? .nan))
        #expect(errors.count == 12 && errors.allSatisfy { $0.exact.isFinite && $0.estimate.isFinite })
        // Measured with n = N/4 on these crops: mean |Δ| 0.034, max 0.126 (an InputXGradient map).
        #expect(deltas.reduce(0, +) / Double(deltas.count) < 0.06 && deltas.max()! < 0.2)
        let full = try FaithfulnessEstimatorError.measure(model: f.model, cases: 2, shape: [12, 40, 40], sampleFraction: 1, seed: 5)
        for e in full { expectClose(e.estimate, e.exact, absolute: 1e-12) }
    }

    @Test func weightedPearsonCountsAWeightAsRepeatedPairs() {
        let a = [1.0, 2, 4, 3], b = [0.5, 1.5, 1, 4], w = [2.0, 1, 0, 3]
        let repeated = Correlation.pearson([1, 1, 2, 3, 3, 3], [0.5, 0.5, 1.5, 4, 4, 4])
        expectClose(Correlation.weightedPearson(a, b, weights: w), repeated, absolute: 1e-12)
        expectClose(Correlation.weightedPearson(a, b, weights: [1, 1, 1, 1]), Correlation.pearson(a, b), absolute: 1e-12)
        #expect(Correlation.weightedPearson(a, b, weights: [0, 0, 0, 0]).isNaN)
        #expect(Correlation.weightedPearson(a, b, weights: [1, -1, 1, 1]).isNaN)
    }
}
