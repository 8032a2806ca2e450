import Foundation
import Imaging
import NN
import Stats

/// What `CaseExplanation.run` computes for one classifier input.
public struct ExplanationRequest: Sendable {
    /// Methods to run (default: the study's seven).
    public var methods: [AttributionMethodName]
    public var configuration: AttributionConfiguration
    /// Also score every map with the faithfulness metric (one shared deletion pass over the voxels not at the
    /// baseline).
    public var faithfulness: Bool
    /// The metric's features: every crop voxel (000_… §2.5, the default) or the lesion only.
    public var faithfulnessSet: FaithfulnessSet
    /// Perturbed forwards per batch in the deletion pass.
    public var deletionBatchSize: Int
    public var deletionStrategy: VoxelDeletion.Strategy
    /// Evaluate the deletion of this many lesion voxels drawn at random (seeded by `configuration.seed`) instead
    /// of all of them; nil (the default) is the exact metric. For the `.crop` set the sample estimates the
    /// every-voxel score (each sampled voxel weighted N/n, the background exact; `FaithfulnessFeatures`); for
    /// `.lesion` it is the same Pearson correlation on the subset. For cohorts where one forward per lesion voxel
    /// is too slow.
    public var faithfulnessVoxels: Int?
    /// The class to explain (and whose probability the faithfulness tracks); nil, the study's convention, takes
    /// the predicted (argmax) class. The reader passes the class of its thresholded decision.
    public var targetClass: Int?

    public init(methods: [AttributionMethodName] = AttributionMethodName.study,
                configuration: AttributionConfiguration = AttributionConfiguration(), faithfulness: Bool = false,
                deletionBatchSize: Int = 8, deletionStrategy: VoxelDeletion.Strategy = .incremental,
                faithfulnessVoxels: Int? = nil, faithfulnessSet: FaithfulnessSet = .crop) {
        self.methods = methods
        self.configuration = configuration
        self.faithfulness = faithfulness
        self.faithfulnessSet = faithfulnessSet
        self.deletionBatchSize = deletionBatchSize
        self.deletionStrategy = deletionStrategy
        self.faithfulnessVoxels = faithfulnessVoxels
    }

    /// The faithfulness population of a crop (`FaithfulnessFeatures`): the lesion, plus for `.crop` every other
    /// voxel not at the baseline 0 (none in a masked crop).
    func faithfulnessPopulation(lesion: [Int], values: [Float]) -> [Int] {
        guard faithfulnessSet == .crop else { return lesion }
        let inLesion = Set(lesion)
        let outside = values.indices.filter { values[$0] != 0 && !inLesion.contains($0) }
        return outside.isEmpty ? lesion : (lesion + outside).sorted()
    }

    /// The population voxels whose deletion is evaluated: all, or a seeded uniform sample of `faithfulnessVoxels`.
    func evaluatedVoxels(_ lesion: [Int]) -> [Int] {
        guard let n = faithfulnessVoxels, n >= 2, n < lesion.count else { return lesion }
        var random = SplitMix64(seed: configuration.seed &+ 0x0FA1_7FB1)
        var pool = lesion
        for i in 0..<n { pool.swapAt(i, Int.random(in: i..<pool.count, using: &random)) }
        return pool[0..<n].sorted()
    }
}

/// The explanation of one case: per method its map, region importance and (optionally) faithfulness.
public struct CaseExplanation: Sendable {
    /// One method's result (the JSON report's entry; the map itself is written separately).
    public struct MethodResult: Codable, Sendable {
        public var method: AttributionMethodName
        public var regionImportance: RegionImportance
        /// AIX360 faithfulness (−pearson over `Summary.faithfulnessSet`); nil when not requested, NaN when undefined.
        public var faithfulness: Double?
        public var seconds: Double
    }

    /// The JSON-encodable summary.
    public struct Summary: Codable, Sendable {
        public var predictedClass: Int
        public var probabilities: [Double]
        /// The explained output (log p(target) or the logit).
        public var output: AttributionOutput
        public var layer: String
        public var upsampling: CAMUpsampling
        /// Whose Grad-CAM++.
        public var camVariant: CAMVariant
        /// SmoothGrad's noise setting.
        public var smoothGradNoise: SmoothGradNoise
        public var lesionVoxels: Int
        /// The faithfulness features (every crop voxel or the lesion); nil without faithfulness.
        public var faithfulnessSet: FaithfulnessSet?
        /// n: population voxels whose deletion was evaluated (all unless sampled); nil without faithfulness.
        public var faithfulnessVoxels: Int?
        /// N: the population (`FaithfulnessFeatures`); nil without faithfulness.
        public var faithfulnessPopulation: Int?
        /// "exact, N of N" or "estimate, n of N"; nil without faithfulness.
        public var faithfulnessLabel: String?
        /// Perturbed forwards of the deletion pass (0 when reused); nil without faithfulness.
        public var deletionForwards: Int?
        public var deletionSeconds: Double?
        public var methods: [MethodResult]

        /// A summary; the protocol settings default to the study's (log p, MONAI GradCAM++, SmoothGrad 15 %).
        public init(predictedClass: Int, probabilities: [Double], output: AttributionOutput = .logProbability, layer: String,
                    upsampling: CAMUpsampling, camVariant: CAMVariant = .monai, smoothGradNoise: SmoothGradNoise = .standard,
                    lesionVoxels: Int, faithfulnessSet: FaithfulnessSet? = nil, faithfulnessVoxels: Int?,
                    faithfulnessPopulation: Int? = nil, faithfulnessLabel: String? = nil, deletionForwards: Int? = nil,
                    deletionSeconds: Double?, methods: [MethodResult]) {
            self.predictedClass = predictedClass
            self.probabilities = probabilities
            self.output = output
            self.layer = layer
            self.upsampling = upsampling
            self.camVariant = camVariant
            self.smoothGradNoise = smoothGradNoise
            self.lesionVoxels = lesionVoxels
            self.faithfulnessSet = faithfulnessSet
            self.faithfulnessVoxels = faithfulnessVoxels
            self.faithfulnessPopulation = faithfulnessPopulation
            self.faithfulnessLabel = faithfulnessLabel
            self.deletionForwards = deletionForwards
            self.deletionSeconds = deletionSeconds
            self.methods = methods
        }
    }

    public var summary: Summary
    /// The maps on the crop grid, by method (same order as `summary.methods`).
    public var maps: [(method: AttributionMethodName, map: Volume<Float>)]
    public var deletion: VoxelDeletionProbabilities?

    /// Runs the requested methods on one input.
    ///
    /// - Parameters:
    ///   - model: the classifier.
    ///   - input: the classifier input (1, 1, z, y, x) on `labels`' grid.
    ///   - labels: the crop's label map (for region importance and the faithfulness voxels).
    ///   - request: methods and settings.
    ///   - deletion: the deletion pass of an earlier call on the same input and model, reused instead of
    ///     recomputed when `request.faithfulness` is set (it does not depend on the method).
    ///   - log: progress lines.
    /// - Throws: `ExplainError` for inputs that do not fit, `TorchError` from libtorch.
    public static func run(model: any ExplainableModel, input: Tensor, labels: LabelMap, request: ExplanationRequest,
                           deletion reused: VoxelDeletionProbabilities? = nil,
                           log: (String) -> Void = { _ in }) throws -> CaseExplanation {
        try validateAttributionInput(input)
        guard input.shape == [1, 1] + labels.shape.array else {
            throw ExplainError.invalidInput("input shape \(input.shape) does not match the label map's \(labels.shape.array)")
        }
        let logits = try GradMode.withoutGrad { try model.evaluate(input, capture: [], relu: .standard).logits }
        let probabilities = try logits.softmax(dim: 1).scalars(as: Double.self)
        let predicted = try request.targetClass ?? logits.argmax(dim: 1).itemInt()
        guard (0..<logits.shape[1]).contains(predicted) else {
            throw ExplainError.invalidInput("target class \(predicted) outside the model's \(logits.shape[1]) classes")
        }
        let labelValues = labels.voxels
        let lesion = labelValues.indices.filter { labelValues[$0] != 0 }
        let population = request.faithfulness ? request.faithfulnessPopulation(lesion: lesion, values: try input.scalars()) : lesion
        let evaluated = request.evaluatedVoxels(population)
        var deletion: VoxelDeletionProbabilities?
        var deletionSeconds: Double?
        var deletionForwards = 0
        if request.faithfulness, let reused, reused.voxelOffsets == evaluated, reused.predictedClass == predicted {
            deletion = reused
        } else if request.faithfulness {
            let start = Date()
            deletion = try VoxelDeletion(model: model, batchSize: request.deletionBatchSize, strategy: request.deletionStrategy)
                .probabilities(input, voxelOffsets: evaluated, targetClass: predicted) { done, total in
                    if done == total || done % (request.deletionBatchSize * 100) == 0 { log("deletion pass: \(done)/\(total) voxels") }
                }
            deletionSeconds = Date().timeIntervalSince(start)
            deletionForwards = deletion?.forwards ?? 0
        }
        let features = try deletion.map {
            try FaithfulnessFeatures(set: request.faithfulnessSet, cropVoxels: labelValues.count, population: population, deletion: $0)
        }
        let generator = try Generator(seed: request.configuration.seed)
        var results: [MethodResult] = []
        var maps: [(method: AttributionMethodName, map: Volume<Float>)] = []
        for name in request.methods {
            let start = Date()
            let method = try AttributionMethods.make(name, model: model, configuration: request.configuration, generator: generator)
            let attribution = try method.attribute(input, target: .classIndex(predicted))
            let map = try Volume<Float>(tensor: attribution, geometry: labels.geometry)
            let values = map.voxels
            let faithfulness = try features.map { try $0.score(values) }
            results.append(MethodResult(method: name, regionImportance: try RegionImportance(map: values, labels: labelValues),
                                        faithfulness: faithfulness, seconds: Date().timeIntervalSince(start)))
            maps.append((name, map))
            log("\(name.rawValue): done")
        }
        let layer = request.configuration.layer ?? model.defaultCAMLayer
        let c = request.configuration
        let summary = Summary(predictedClass: predicted, probabilities: probabilities, output: c.output, layer: layer,
                              upsampling: c.upsampling, camVariant: c.camVariant, smoothGradNoise: c.smoothGradNoise,
                              lesionVoxels: lesion.count, faithfulnessSet: features?.set,
                              faithfulnessVoxels: features?.evaluatedCount, faithfulnessPopulation: features?.populationCount,
                              faithfulnessLabel: features?.label, deletionForwards: features.map { _ in deletionForwards },
                              deletionSeconds: deletionSeconds, methods: results)
        return CaseExplanation(summary: summary, maps: maps, deletion: deletion)
    }
}
