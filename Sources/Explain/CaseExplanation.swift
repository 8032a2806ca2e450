import Classification
import Foundation
import Imaging
import NN
import Stats

/// What `CaseExplanation.run` computes for one classifier input.
public struct ExplanationRequest: Sendable {
    /// Methods to run (default: the study's seven).
    public var methods: [AttributionMethodName]
    public var configuration: AttributionConfiguration
    /// Also score every map with the faithfulness metric (one shared deletion pass over ICH ∪ PHE).
    public var faithfulness: Bool
    /// Perturbed forwards per batch in the deletion pass.
    public var deletionBatchSize: Int
    public var deletionStrategy: VoxelDeletion.Strategy
    /// Score faithfulness on this many lesion voxels drawn at random (seeded by `configuration.seed`) instead of
    /// all of them; nil (the default) is the exact metric over every ICH ∪ PHE voxel. The sampled score is the
    /// same Pearson correlation on a uniform subset, for cohorts where one deletion pass per voxel is too slow.
    public var faithfulnessVoxels: Int?
    /// The class to explain (and whose probability the faithfulness tracks); nil, the study's convention, takes
    /// the predicted (argmax) class. The reader passes the class of its thresholded decision.
    public var targetClass: Int?

    public init(methods: [AttributionMethodName] = AttributionMethodName.study,
                configuration: AttributionConfiguration = AttributionConfiguration(), faithfulness: Bool = false,
                deletionBatchSize: Int = 8, deletionStrategy: VoxelDeletion.Strategy = .incremental,
                faithfulnessVoxels: Int? = nil) {
        self.methods = methods
        self.configuration = configuration
        self.faithfulness = faithfulness
        self.deletionBatchSize = deletionBatchSize
        self.deletionStrategy = deletionStrategy
        self.faithfulnessVoxels = faithfulnessVoxels
    }

    /// The lesion voxels the faithfulness is scored on: all, or a seeded uniform sample of `faithfulnessVoxels`.
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
        /// AIX360 faithfulness (−pearson); nil when not requested, NaN when undefined.
        public var faithfulness: Double?
        public var seconds: Double
    }

    /// The JSON-encodable summary.
    public struct Summary: Codable, Sendable {
        public var predictedClass: Int
        public var probabilities: [Double]
        public var layer: String
        public var upsampling: CAMUpsampling
        public var lesionVoxels: Int
        /// Voxels the faithfulness was scored on (all lesion voxels unless sampled); nil without faithfulness.
        public var faithfulnessVoxels: Int?
        public var deletionSeconds: Double?
        public var methods: [MethodResult]
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
    public static func run(model: ResNet3D, input: Tensor, labels: LabelMap, request: ExplanationRequest,
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
        let evaluated = request.evaluatedVoxels(lesion)
        var deletion: VoxelDeletionProbabilities?
        var deletionSeconds: Double?
        if request.faithfulness, let reused, reused.voxelOffsets == evaluated, reused.predictedClass == predicted {
            deletion = reused
        } else if request.faithfulness {
            let start = Date()
            deletion = try VoxelDeletion(model: model, batchSize: request.deletionBatchSize, strategy: request.deletionStrategy)
                .probabilities(input, voxelOffsets: evaluated, targetClass: predicted) { done, total in
                    if done == total || done % (request.deletionBatchSize * 100) == 0 { log("deletion pass: \(done)/\(total) voxels") }
                }
            deletionSeconds = Date().timeIntervalSince(start)
        }
        let generator = try Generator(seed: request.configuration.seed)
        var results: [MethodResult] = []
        var maps: [(method: AttributionMethodName, map: Volume<Float>)] = []
        for name in request.methods {
            let start = Date()
            let method = AttributionMethods.make(name, model: model, configuration: request.configuration, generator: generator)
            let attribution = try method.attribute(input, target: .classIndex(predicted))
            let map = try Volume<Float>(tensor: attribution, geometry: labels.geometry)
            let values = map.voxels
            let faithfulness = try deletion.map { try FaithfulnessMetric.score(attribution: values, deletion: $0) }
            results.append(MethodResult(method: name, regionImportance: try RegionImportance(map: values, labels: labelValues),
                                        faithfulness: faithfulness, seconds: Date().timeIntervalSince(start)))
            maps.append((name, map))
            log("\(name.rawValue): done")
        }
        let layer = request.configuration.layer ?? model.defaultCAMLayer
        let summary = Summary(predictedClass: predicted, probabilities: probabilities, layer: layer,
                              upsampling: request.configuration.upsampling, lesionVoxels: lesion.count,
                              faithfulnessVoxels: request.faithfulness ? evaluated.count : nil,
                              deletionSeconds: deletionSeconds, methods: results)
        return CaseExplanation(summary: summary, maps: maps, deletion: deletion)
    }
}
