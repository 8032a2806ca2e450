import Classification
import Foundation
import Imaging
import NN

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

    public init(methods: [AttributionMethodName] = AttributionMethodName.study,
                configuration: AttributionConfiguration = AttributionConfiguration(), faithfulness: Bool = false,
                deletionBatchSize: Int = 8, deletionStrategy: VoxelDeletion.Strategy = .receptiveField(split: "layer1")) {
        self.methods = methods
        self.configuration = configuration
        self.faithfulness = faithfulness
        self.deletionBatchSize = deletionBatchSize
        self.deletionStrategy = deletionStrategy
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
        let predicted = try logits.argmax(dim: 1).itemInt()
        let labelValues = labels.voxels
        let lesion = labelValues.indices.filter { labelValues[$0] != 0 }
        var deletion: VoxelDeletionProbabilities?
        var deletionSeconds: Double?
        if request.faithfulness, let reused, reused.voxelOffsets == lesion, reused.predictedClass == predicted {
            deletion = reused
        } else if request.faithfulness {
            let start = Date()
            deletion = try VoxelDeletion(model: model, batchSize: request.deletionBatchSize, strategy: request.deletionStrategy)
                .probabilities(input, voxelOffsets: lesion) { done, total in
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
                              deletionSeconds: deletionSeconds, methods: results)
        return CaseExplanation(summary: summary, maps: maps, deletion: deletion)
    }
}
