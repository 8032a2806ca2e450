import Imaging
import NN
import Stats

/// How far the sampled every-voxel faithfulness (`FaithfulnessFeatures`, n of N lesion voxels weighted N/n, the
/// background exact) lies from the exact score, measured on synthetic masked crops: an ICH ellipsoid inside a PHE
/// shell at a random place and size, zero elsewhere. Used by the tests and `neoich-explain-bench`.
public enum FaithfulnessEstimatorError {
    /// One case and method.
    public struct Measurement: Sendable {
        public var caseIndex: Int
        public var method: AttributionMethodName
        /// N and n.
        public var population: Int
        public var sampled: Int
        public var exact: Double
        public var estimate: Double
        /// The same sample without the N/n weights (each sampled voxel counted once).
        public var unweighted: Double
    }

    /// Measures the estimator on `cases` synthetic crops for InputXGradient and Grad-CAM++ (the study's defaults).
    ///
    /// - Parameters:
    ///   - model: the classifier.
    ///   - shape: the crop (z, y, x).
    ///   - sampleFraction: n / N.
    ///   - seed: the crops' generator and the sample's seed.
    /// - Throws: `ExplainError`, `TorchError`.
    public static func measure(model: any ExplainableModel, cases: Int, shape: [Int], sampleFraction: Double,
                               seed: UInt64) throws -> [Measurement] {
        var random = SplitMix64(seed: seed)
        var result: [Measurement] = []
        let geometry = VolumeGeometry(shape: VolumeShape(z: shape[0], y: shape[1], x: shape[2]), spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        for index in 0..<cases {
            let (values, labels) = syntheticCrop(shape: shape, using: &random)
            let input = try Tensor(values, shape: [1, 1] + shape)
            let labelMap = try LabelMap(geometry: geometry, voxels: labels)
            let methods: [AttributionMethodName] = [.inputXGradient, .gradCAMPlusPlus]
            var configuration = AttributionConfiguration()
            configuration.seed = seed &+ UInt64(index)
            let exact = try CaseExplanation.run(model: model, input: input, labels: labelMap,
                                                request: ExplanationRequest(methods: methods, configuration: configuration, faithfulness: true))
            let lesion = labels.filter { $0 != 0 }.count
            let n = max(2, Int((Double(lesion) * sampleFraction).rounded()))
            let sampled = try CaseExplanation.run(model: model, input: input, labels: labelMap,
                                                  request: ExplanationRequest(methods: methods, configuration: configuration, faithfulness: true,
                                                                              faithfulnessVoxels: n))
            guard let deletion = sampled.deletion else { continue }
            // Unweighted: the sampled voxels count once, the unsampled lesion voxels not at all.
            var weights = labels.map { $0 == 0 ? 1.0 : 0.0 }
            var probabilities = [Double](repeating: deletion.unperturbedProbability, count: values.count)
            for (offset, p) in zip(deletion.voxelOffsets, deletion.probabilities) {
                weights[offset] = 1
                probabilities[offset] = p
            }
            for ((entry, estimate), (_, map)) in zip(zip(exact.summary.methods, sampled.summary.methods), sampled.maps) {
                let unweighted = -Correlation.weightedPearson(map.voxels.map(Double.init), probabilities, weights: weights)
                result.append(Measurement(caseIndex: index, method: entry.method, population: lesion, sampled: deletion.voxelOffsets.count,
                                          exact: entry.faithfulness ?? .nan, estimate: estimate.faithfulness ?? .nan, unweighted: unweighted))
            }
        }
        return result
    }

    /// A masked crop: ICH (label 1, values about 0.6) in a PHE shell (label 2, about 0.25), zero elsewhere.
    static func syntheticCrop(shape: [Int], using random: inout SplitMix64) -> (values: [Float], labels: [UInt8]) {
        let (d, h, w) = (shape[0], shape[1], shape[2])
        let centre = [Double.random(in: 0.35...0.65, using: &random) * Double(d), Double.random(in: 0.3...0.7, using: &random) * Double(h),
                      Double.random(in: 0.3...0.7, using: &random) * Double(w)]
        let radii = [Double.random(in: 1.5...2.5, using: &random), Double.random(in: 3...7, using: &random),
                     Double.random(in: 3...7, using: &random)]
        let shell = Double.random(in: 1.6...2.6, using: &random)
        var values = [Float](repeating: 0, count: d * h * w), labels = [UInt8](repeating: 0, count: d * h * w)
        for z in 0..<d { for y in 0..<h { for x in 0..<w {
            let r2 = [z, y, x].enumerated().reduce(0.0) { sum, axis in
                let t = (Double(axis.element) - centre[axis.offset]) / radii[axis.offset]
                return sum + t * t
            }
            let i = (z * h + y) * w + x
            if r2 <= 1 {
                labels[i] = 1
                values[i] = Float(0.6 + 0.15 * Double.random(in: -1...1, using: &random))
            } else if r2 <= shell {
                labels[i] = 2
                values[i] = Float(0.25 + 0.08 * Double.random(in: -1...1, using: &random))
            }
        }}}
        return (values, labels)
    }
}
