import Foundation
import Imaging
import NN

/// A trained segmentation model as a folder: `plans.json` (SegmentationPlans) and `model.safetensors`
/// (the plans' network, by default a PlainConvUNet, with weights under its PyTorch state-dict keys).
public struct SegmentationModel {
    public var plans: SegmentationPlans
    public var network: any SegmentationNetwork

    public init(plans: SegmentationPlans, network: any SegmentationNetwork) {
        self.plans = plans
        self.network = network
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
    public static func read(_ folder: URL) throws -> SegmentationModel {
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
