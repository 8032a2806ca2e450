import Classification
import Foundation
import Imaging
import NN
import Segmentation

/// Where the two model folders are: arguments, else `$NEOICH_MODELS/{segmentation,classifier}`, else
/// `Models/{segmentation,classifier}` under the current folder.
public struct ModelLocations: Sendable, Equatable {
    /// `plans.json` + `model.safetensors`.
    public var segmentation: URL
    /// `model.json` + `model.safetensors`.
    public var classifier: URL
    /// Folds and checkpoint used when `segmentation` is an nnU-Net v2 results folder.
    public var nnUNetSelection = NNUNetModelSelection()

    public init(segmentation: URL, classifier: URL) {
        self.segmentation = segmentation
        self.classifier = classifier
    }

    /// The folders to use given optional explicit paths and the environment.
    public static func resolve(segmentation: String? = nil, classifier: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelLocations {
        let root = environment["NEOICH_MODELS"].map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "Models")
        return ModelLocations(
            segmentation: segmentation.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("segmentation"),
            classifier: classifier.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("classifier"))
    }

    /// What is missing from the two folders, one line each; empty when both look complete. Weights may be any
    /// of the files the loaders accept (NeoICH's safetensors, a MONAI or nnU-Net v2 PyTorch checkpoint).
    public var missingFiles: [String] {
        func missing(_ folder: URL, _ names: [String]) -> [String] {
            names.contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) } ? []
                : [folder.appendingPathComponent(names[0]).path + (names.count > 1 ? " (or " + names.dropFirst().joined(separator: ", ") + ")" : "")]
        }
        // An nnU-Net results folder keeps its weights in fold_*/; its reader names a missing fold.
        let segmentationWeights = NNUNetResultsFolder.isResultsFolder(segmentation) ? [] : missing(segmentation, SegmentationModel.weightFileNames)
        return missing(segmentation, ["plans.json"]) + segmentationWeights
            + missing(classifier, ["model.json"]) + missing(classifier, ClassifierModel.weightFileNames)
    }
}

/// The segmentation and classification models, loaded once and used for every case.
///
/// `@unchecked Sendable`: the networks are only run for inference, and callers run one case at a time
/// (`neoich predict` is sequential; the reader's job queue has a single worker).
public final class PipelineModels: @unchecked Sendable {
    public let segmentation: SegmentationModel
    public let classifier: ClassifierModel
    /// Identifiers written into every report.
    public let identifiers: PredictionReport.ModelIdentifiers

    /// - Parameter digests: SHA-256 of the two model folders, recorded in every report.
    public init(segmentation: SegmentationModel, classifier: ClassifierModel, segmentationName: String,
                digests: (segmentation: String, classifier: String)? = nil) {
        self.segmentation = segmentation
        self.classifier = classifier
        identifiers = PredictionReport.ModelIdentifiers(
            segmentation: "\(segmentation.plans.datasetName) (\(segmentationName))",
            classifier: classifier.card.name, classifierNotice: classifier.card.notice,
            segmentationSHA256: digests?.segmentation, classifierSHA256: digests?.classifier)
    }

    /// Loads both folders.
    ///
    /// - Throws: `PipelineError.modelMissing` naming the missing files, `.modelInvalid` with the loader's
    ///   message for a folder that cannot be used.
    public static func load(_ locations: ModelLocations) throws -> PipelineModels {
        let missing = locations.missingFiles
        guard missing.isEmpty else {
            let folder = missing.contains { $0.hasPrefix(locations.segmentation.path) } ? locations.segmentation : locations.classifier
            throw PipelineError.modelMissing(folder: folder.path, detail: "no " + missing.joined(separator: ", "))
        }
        let segmentation: SegmentationModel
        do { segmentation = try SegmentationModel.read(locations.segmentation, selection: locations.nnUNetSelection) } catch {
            throw PipelineError.modelInvalid(folder: locations.segmentation.path, detail: "\(error)")
        }
        let classifier: ClassifierModel
        do { classifier = try ClassifierModel.load(from: locations.classifier) } catch {
            throw PipelineError.modelInvalid(folder: locations.classifier.path, detail: "\(error)")
        }
        let digests: (String, String)
        do { digests = (try FileDigest.of(locations.segmentation).sha256, try FileDigest.of(locations.classifier).sha256) } catch {
            throw PipelineError.modelInvalid(folder: locations.segmentation.deletingLastPathComponent().path, detail: "\(error)")
        }
        return PipelineModels(segmentation: segmentation, classifier: classifier,
                              segmentationName: locations.segmentation.lastPathComponent, digests: digests)
    }

    /// Moves every network (the segmentation's folds and the classifier) to `device`.
    public func move(to device: Device) throws {
        try segmentation.network.move(to: device)
        for network in segmentation.nnUNet?.networks ?? [] { try network.move(to: device) }
        try classifier.network.move(to: device)
    }
}
