import Foundation
import Imaging

/// What a segmentation model folder holds besides its plans and weights, for people: `model-card.json` with the
/// network, the data and command it was trained with, and the Dice measured on named evaluation sets.
public struct SegmentationModelCard: Codable, Sendable, Equatable {
    /// One evaluation set's result: `SegmentationEvaluation`'s summary, with or without its per-case rows.
    public struct Result: Codable, Sendable, Equatable {
        public var labels: [String]
        /// Per-case rows; nil for large sets, whose rows stay in their results folder.
        public var cases: [SegmentationEvaluation.CaseResult]?
        public var dice: [SegmentationEvaluation.DiceSummary]
        public var volumes: [SegmentationEvaluation.VolumeAgreement]

        public init(_ evaluation: SegmentationEvaluation, perCase: Bool) {
            labels = evaluation.labels
            cases = perCase ? evaluation.cases : nil
            dice = evaluation.dice
            volumes = evaluation.volumes
        }
    }

    /// The evaluation sets by name (null when a set was not evaluated) and the command that evaluated them.
    public struct Evaluation: Codable, Sendable, Equatable {
        public var results: [String: Result?]
        public var command: String

        public init(results: [String: Result?], command: String) {
            self.results = results
            self.command = command
        }

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            command = try container.decode(String.self, forKey: Key(stringValue: "command"))
            var results: [String: Result?] = [:]
            for key in container.allKeys where key.stringValue != "command" {
                results[key.stringValue] = try container.decodeIfPresent(Result.self, forKey: key)
            }
            self.results = results
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(command, forKey: Key(stringValue: "command"))
            for (name, result) in results {
                if let result { try container.encode(result, forKey: Key(stringValue: name)) } else { try container.encodeNil(forKey: Key(stringValue: name)) }
            }
        }
    }

    public static let fileName = "model-card.json"

    public var name: String
    public var notice: String
    /// The network in words (the plans name it for the software).
    public var architecture: String
    public var featuresPerStage: [Int]
    public var patchSize: [Int]
    public var targetSpacingMM: [Double]
    public var normalization: CTNormalization
    public var trainingData: String
    public var training: String
    public var command: String
    public var evaluation: Evaluation

    /// A card for a model with `plans`; the architecture line names the plans' network.
    public init(name: String, notice: String, plans: SegmentationPlans, trainingData: String, training: String, command: String,
                evaluation: Evaluation) {
        self.name = name
        self.notice = notice
        architecture = plans.networkName == "PlainConvUNet" ? "PlainConvUNet (nnU-Net v2 state-dict names), plans.json in this folder"
            : "\(plans.networkName), plans.json in this folder"
        featuresPerStage = plans.featuresPerStage
        patchSize = plans.patchSize
        targetSpacingMM = plans.targetSpacingMM
        normalization = plans.normalization
        self.trainingData = trainingData
        self.training = training
        self.command = command
        self.evaluation = evaluation
    }

    /// Reads the `summary.json` that `SegmentationEvaluation.write` left in `folder`; nil when there is none.
    ///
    /// - Throws: `ImagingError.invalidDataset` naming a summary that does not decode.
    public static func result(in folder: URL, perCase: Bool) throws -> Result? {
        let url = folder.appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do { return Result(try JSONDecoder().decode(SegmentationEvaluation.self, from: data), perCase: perCase) } catch {
            throw ImagingError.invalidDataset(file: url.path, detail: "not an evaluate-seg summary: \(error)")
        }
    }

    /// Writes `model-card.json` into `folder`, atomically.
    public func write(to folder: URL) throws {
        try VersionedJSON.write(self, to: folder.appendingPathComponent(Self.fileName))
    }
}
