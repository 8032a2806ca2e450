import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import NN

/// logits = W · flatten(x) + b: every gradient is a row of W, so each method has a closed form.
final class LinearModel: ExplainableModel {
    let weight: Tensor
    let spatial: [Int]
    init(weights: [[Float]], spatial: [Int]) throws {
        weight = try Tensor(weights.flatMap { $0 }, shape: [weights.count, weights[0].count])
        self.spatial = spatial
    }
    var attributionLayers: [String] { [] }
    var defaultCAMLayer: String { "none" }
    func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        (try input.flattened(from: 1).matmul(weight.transposed(0, 1)).adding(0.25), [:])
    }
}

/// logits_c = Σ_k V[c][k] · mean_S(A_k) with A = "features" = x: ∂logit_t/∂A_k = V[t][k] / |S| everywhere.
final class PooledChannelModel: ExplainableModel {
    let v: Tensor
    init(_ v: [[Float]]) throws { self.v = try Tensor(v.flatMap { $0 }, shape: [v.count, v[0].count]) }
    var attributionLayers: [String] { ["features"] }
    var defaultCAMLayer: String { "features" }
    func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        let a = try input.multiplying(1.0)
        let pooled = try a.mean(dims: [2, 3, 4])
        return (try pooled.matmul(v.transposed(0, 1)), capture.contains("features") ? ["features": a] : [:])
    }
}

@Suite("Attribution methods on models with closed forms")
struct HandDerivedTests {
    let w: [[Float]] = [[0.5, -1, 2, 0.25, 1.5, -0.75], [-0.5, 1, 0.25, 1, -2, 0.125]]
    let x: [Float] = [1, 2, -1, 3, 0.5, 2]

    func model() throws -> LinearModel { try LinearModel(weights: w, spatial: [1, 2, 3]) }
    func input() throws -> Tensor { try Tensor(x, shape: [1, 1, 1, 2, 3]) }

    @Test func saliencyIsTheAbsoluteWeightRow() throws {
        let map: [Float] = try Saliency(model: model()).attribute(input(), target: .classIndex(1)).scalars()
        expectClose(map, w[1].map(abs), absolute: 1e-7)
    }

    @Test func inputXGradientIsInputTimesWeight() throws {
        let map: [Float] = try InputXGradient(model: model()).attribute(input(), target: .classIndex(0)).scalars()
        expectClose(map, zip(x, w[0]).map { $0 * $1 }, absolute: 1e-6)
    }

    @Test func defaultTargetIsThePredictedClass() throws {
        // logits: 0 → 0.5−2−2+0.75+0.75−1.5+0.25 = −3.25; 1 → −0.5+2−0.25+3−1+0.25+0.25 = 3.75 → class 1.
        let map: [Float] = try Saliency(model: model()).attribute(input()).scalars()
        expectClose(map, w[1].map(abs), absolute: 1e-7)
    }

    @Test func smoothGradOfSaliencyIgnoresTheNoiseOnALinearModel() throws {
        let method = SmoothGrad(model: try model(), samples: 4, noise: .absolute(3), batchSize: 3, generator: try Generator(seed: 9))
        let map: [Float] = try method.attribute(input(), target: .classIndex(0)).scalars()
        expectClose(map, w[0].map(abs), absolute: 1e-6)
    }

    @Test func gradientShapWithFixedAlphaIsTheMeanBaselineDifferenceTimesWeight() throws {
        let baselines = try Tensor([Float](repeating: 0, count: 6) + [Float](repeating: 1, count: 6), shape: [2, 1, 1, 2, 3])
        let draws = GradientShapDraws(baselineIndices: [0, 1, 1], alphas: [0.5, 0.5, 0.5])
        let method = GradientShap(model: try model(), baselines: baselines, samples: 3, batchSize: 2, generator: try Generator(seed: 1))
        let map: [Float] = try method.attribute(input(), target: .classIndex(0), draws: draws).scalars()
        // mean over rows of (x − b)·w = (x·w + 2·(x − 1)·w) / 3.
        let expected = zip(x, w[0]).map { xi, wi in (xi * wi + 2 * (xi - 1) * wi) / 3 }
        expectClose(map, expected, absolute: 1e-6)
    }

    @Test func gradCAMAndGradCAMPlusPlusHaveTheirClosedForms() throws {
        let v: [[Float]] = [[2, -1], [0.5, 3]]
        let model = try PooledChannelModel(v)
        let values: [Float] = (0..<16).map { Float($0 % 5) - 1.5 }  // two channels of 1×2×4
        let x = try Tensor(values, shape: [1, 2, 1, 2, 4])
        let s = 8.0
        let a = [Array(values[0..<8]).map(Double.init), Array(values[8..<16]).map(Double.init)]
        // GradCAM: w_k = V[0][k] / |S|.
        let cam = try GradCAM(model: model).layerMap(x, target: .classIndex(0)).scalars(as: Double.self)
        let expectedCAM = (0..<8).map { max(0, Double(v[0][0]) / s * a[0][$0] + Double(v[0][1]) / s * a[1][$0]) }
        expectClose(cam, expectedCAM, absolute: 1e-6)
        // GradCAM++: g = V[0][k]/|S| constant; α = g² / (2g² + Σ_S A_k · g³ + 1e-6); w_k = |S| · relu(g) · α.
        let weights = (0..<2).map { k -> Double in
            let g = Double(v[0][k]) / s
            let alpha = g * g / (2 * g * g + a[k].reduce(0, +) * g * g * g + 1e-6)
            return s * max(g, 0) * alpha
        }
        let plus = try GradCAMPlusPlus(model: model, variant: .gradCAM).layerMap(x, target: .classIndex(0)).scalars(as: Double.self)
        expectClose(plus, (0..<8).map { max(0, weights[0] * a[0][$0] + weights[1] * a[1][$0]) }, absolute: 1e-5)
        // MONAI's GradCAM++: α = g² / (2g² + Σ_S(A_k · g³) + 1e-7), w_k = |S| · α · relu(exp(logit_0) · g).
        let logit = (0..<2).reduce(0.0) { $0 + Double(v[0][$1]) * a[$1].reduce(0, +) / s }
        let monaiWeights = (0..<2).map { k -> Double in
            let g = Double(v[0][k]) / s
            let alpha = g * g / (2 * g * g + a[k].reduce(0) { $0 + $1 * g * g * g } + 1e-7)
            return s * alpha * max(exp(logit) * g, 0)
        }
        let monai = try GradCAMPlusPlus(model: model, variant: .monai).layerMap(x, target: .classIndex(0)).scalars(as: Double.self)
        let expectedMONAI = (0..<8).map { max(0, monaiWeights[0] * a[0][$0] + monaiWeights[1] * a[1][$0]) }
        expectClose(monai, expectedMONAI, absolute: 1e-5)
        // …returned min-max normalised to [0, 1] over the input.
        let low = expectedMONAI.min() ?? 0, high = expectedMONAI.max() ?? 1
        let normalised = try GradCAMPlusPlus(model: model, variant: .monai).attribute(x, target: .classIndex(0)).select(1, 0).scalars(as: Double.self)
        expectClose(normalised, expectedMONAI.map { ($0 - low) / (high - low) }, absolute: 1e-5)
        // Upsampling a map already at the input's resolution leaves it unchanged.
        expectClose(try GradCAM(model: model).attribute(x, target: .classIndex(0)).select(1, 0).scalars(as: Double.self), expectedCAM, absolute: 1e-6)
    }
}
