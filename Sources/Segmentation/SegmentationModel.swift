import Foundation
import Imaging
import NN

/// A trained segmentation model as a folder: `plans.json` (SegmentationPlans) and `model.safetensors`
/// (the plans' network, by default a PlainConvUNet, with weights under its PyTorch state-dict keys), or an nnU-Net
/// v2 results folder.
public struct SegmentationModel {
    public var plans: SegmentationPlans
    /// The network (for an nnU-Net results folder: the first fold's).
    public var network: any SegmentationNetwork
    /// Set when the folder is an nnU-Net v2 results folder: prediction then follows `nnUNetPredictor`.
    public var nnUNet: NNUNetResultsFolder?

    public init(plans: SegmentationPlans, network: any SegmentationNetwork) {
        self.plans = plans
        self.network = network
    }

    /// An nnU-Net v2 results folder as a model.
    public init(nnUNet: NNUNetResultsFolder) throws {
        guard let first = nnUNet.networks.first else {
            throw SegmentationError.invalidConfiguration(detail: "\(nnUNet.folder.path): no fold loaded")
        }
        plans = nnUNet.segmentationPlans
        network = first
        self.nnUNet = nnUNet
    }

    /// The label map on `ct`'s grid: NeoICH's sliding window for its own models, `NNUNetEnsemblePredictor`
    /// (every tile, the checkpoint's mirroring axes, folds averaged) for an nnU-Net results folder.
    ///
    /// - Parameter progress: called after each tile of an nnU-Net model with (done, total).
    public func segment(_ ct: Volume<Float>, id: String = "CT", configuration: PredictionConfiguration = .init(),
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> (labels: LabelMap, tiles: SlidingWindowPredictor.TileCounts) {
        if let nnUNet {
            var predictor = NNUNetEnsemblePredictor(model: nnUNet, mirroring: configuration.mirroring,
                                                    stepFraction: configuration.stepFraction,
                                                    device: configuration.device, precision: configuration.precision)
            predictor.engine = configuration.engine
            let prediction = try predictor.predict(ct, id: id, progress: progress)
            return (configuration.postProcessing.apply(to: prediction.labels), .init(run: prediction.tiles, skipped: 0))
        }
        return try SlidingWindowPredictor(network: network, plans: plans, configuration: configuration).predictWithCounts(ct, id: id)
    }

    /// Weight files a model folder may hold, in the order they are looked for.
    public static let weightFileNames = ["model.safetensors", "checkpoint_best.safetensors", "checkpoint_final.safetensors",
                                         "checkpoint_final.pth", "checkpoint_best.pth"]

    /// Reads a model folder (or a trainer output folder, whose `checkpoint_final|best.safetensors` is used
    /// when there is no `model.safetensors`). Failing those, an nnU-Net v2 `checkpoint_final.pth` /
    /// `checkpoint_best.pth` is loaded when its plans describe the same U-Net as `plans.json`.
    ///
    /// - Throws: plans version/format errors, `SegmentationError.modelMismatch` when the weights do not fit
    ///   (for an nnU-Net checkpoint: each architecture field that differs).
    /// An nnU-Net v2 results folder (`NNUNetResultsFolder.isResultsFolder`) is read with `selection`.
    public static func read(_ folder: URL, selection: NNUNetModelSelection = .init()) throws -> SegmentationModel {
        if NNUNetResultsFolder.isResultsFolder(folder) {
            return try SegmentationModel(nnUNet: NNUNetResultsFolder.read(folder, selection: selection))
        }
        let plans = try SegmentationPlans.read(folder.appendingPathComponent("plans.json"))
        let network = try SegmentationNetworks.make(plans, generator: Generator(seed: 0))
        guard let weights = weightFileNames.map({ folder.appendingPathComponent($0) })
            .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ImagingError.fileNotFound(file: folder.appendingPathComponent("model.safetensors").path)
        }
        if weights.pathExtension == "pth" {
            try network.load(nnUNetCheckpoint: NNUNetCheckpoint.read(weights))
            return SegmentationModel(plans: plans, network: network)
        }
        var tensors = try SafeTensors.read(weights).tensors
        if weights.lastPathComponent.hasPrefix("checkpoint") {
            var model: [String: Tensor] = [:]
            for (key, value) in tensors where key.hasPrefix("model.") { model[String(key.dropFirst(6))] = value }
            tensors = model
        }
        do { try network.load(nnUNetStateDict: tensors) } catch {
            throw SegmentationError.modelMismatch(file: weights.path, detail: "\(error)")
        }
        return SegmentationModel(plans: plans, network: network)
    }

    /// Writes `plans.json` and `model.safetensors`.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try plans.write(to: folder.appendingPathComponent("plans.json"))
        try SafeTensors.write(network.stateDict().map { (name: $0.name, tensor: try $0.tensor.detached()) },
                              metadata: ["format": "pt", "neoich.model": plans.networkName],
                              to: folder.appendingPathComponent("model.safetensors"))
    }
}
