import Foundation
import Imaging
import NN
import Stats

/// Everything needed to use a trained classifier besides its weights: architecture, input, decision rule,
/// provenance and metrics. Stored as `model.json` next to `model.safetensors`.
public struct ClassifierModelCard: Codable, Sendable, Equatable {
    /// Version of this schema; a card of another version is refused with a clear message.
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    /// Plain statement of the data the model saw; demo models say they were trained on synthetic data.
    public var notice: String
    /// The registered network (`ClassifierArchitectures`); `nil` (every card written before the field existed):
    /// `ClassifierArchitectures.defaultName`, the ResNet3D.
    public var network: String?
    /// The network's configuration (for the ResNet3D, MONAI's `ResNet` arguments).
    public var architecture: ResNet3DConfiguration
    /// Crop size (z, y, x), 001_…: 20 × 200 × 200.
    public var cropSize: VolumeShape
    public var normalization: CropNormalization
    /// Class index of "neoplastic" in the network's output.
    public var positiveClass: Int
    /// P(neoplastic) ≥ threshold → neoplastic. Chosen on the development set and applied unchanged elsewhere.
    public var threshold: Double
    public var thresholdCriterion: OperatingPoint.Criterion
    public var training: TrainingRecord?
    /// Named metrics (e.g. "validation AUC") with the set they were measured on.
    public var metrics: [String: Double]
    /// The voxel-axis orientation of the training scans (e.g. "LPS"); scans are reoriented to it before
    /// lesions are cropped. `nil` in cards written before the field existed: `Reorientation.defaultModelOrientation`.
    public var orientation: String?

    /// The orientation the network expects its crops in.
    public var trainingOrientation: String { orientation ?? Reorientation.defaultModelOrientation }

    /// Provenance of the weights.
    public struct TrainingRecord: Codable, Sendable, Equatable {
        public var dataset: String
        public var cases: Int
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Double
        public var seed: UInt64
        public var command: String
        public init(dataset: String, cases: Int, epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64, command: String) {
            self.dataset = dataset
            self.cases = cases
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
            self.command = command
        }
    }

    public init(name: String, notice: String = "Research use only; not for clinical use.",
                architecture: ResNet3DConfiguration, cropSize: VolumeShape = VolumeShape(z: 20, y: 200, x: 200),
                normalization: CropNormalization = CropNormalization(), positiveClass: Int = 1, threshold: Double = 0.5,
                thresholdCriterion: OperatingPoint.Criterion = .sensitivityTimesSpecificity,
                training: TrainingRecord? = nil, metrics: [String: Double] = [:], orientation: String? = nil,
                network: String? = nil) {
        version = Self.currentVersion
        self.network = network
        self.name = name
        self.notice = notice
        self.architecture = architecture
        self.cropSize = cropSize
        self.normalization = normalization
        self.positiveClass = positiveClass
        self.threshold = threshold
        self.thresholdCriterion = thresholdCriterion
        self.training = training
        self.metrics = metrics
        self.orientation = orientation
    }
}

extension ClassifierModelCard {
    /// Reads a card, refusing another schema version before decoding the rest, an unknown network and an
    /// invalid orientation.
    ///
    /// - Throws: `ClassificationError.modelCard` naming the file and the problem.
    public static func read(_ url: URL) throws -> ClassifierModelCard {
        let card: ClassifierModelCard
        do {
            card = try JSONFile.readVersioned(ClassifierModelCard.self, from: url, expectedVersion: currentVersion)
        } catch let error as JSONFileError {
            if case .otherVersion(let found) = error.kind {
                throw ClassificationError.modelCard(url.path, "schema version \(found), this NeoICH reads \(currentVersion)")
            }
            throw ClassificationError.modelCard(url.path, error.detail)
        }
        if let network = card.network, !ClassifierArchitectures.names.contains(network) {
            throw ClassificationError.modelCard(url.path, "unknown network \"\(network)\" (known: \(ClassifierArchitectures.names.joined(separator: ", ")))")
        }
        if let orientation = card.orientation {
            do { try Reorientation.validate(code: orientation) } catch {
                throw ClassificationError.modelCard(url.path, "\(error)")
            }
        }
        return card
    }

    /// Writes the card as pretty-printed JSON with sorted keys, atomically.
    public func write(to url: URL) throws {
        try JSONFile.write(self, to: url)
    }
}
