import Foundation
import Imaging
import NN
import Stats

/// A classifier ready to use: its card and its network.
public final class ClassifierModel: @unchecked Sendable {
    public var card: ClassifierModelCard
    public let network: any ClassifierNetwork

    /// How `probabilities` runs the network: the fused oneDNN graph by default where the network can be compiled
    /// (equal to libtorch's logits to ~1e-5), libtorch otherwise.
    public var inferenceEngine: InferenceEngine = .automatic

    public init(card: ClassifierModelCard, network: any ClassifierNetwork) {
        self.card = card
        self.network = network
    }

    /// Moves the network to `device`; training and inference then run there (inputs are moved to it).
    public func move(to device: Device) throws {
        try network.move(to: device)
    }

    /// A freshly initialised model for `card`.
    public convenience init(card: ClassifierModelCard, seed: UInt64) throws {
        self.init(card: card, network: try ClassifierArchitectures.make(card.network, architecture: card.architecture,
                                                                    generator: Generator(seed: seed)))
    }

    /// Weight files a model folder may hold, in the order they are looked for: NeoICH's own safetensors, then a
    /// PyTorch checkpoint of MONAI's `ResNet` (e.g. trained elsewhere).
    public static let weightFileNames = ["model.safetensors", "model.pt", "model.pth"]

    /// Reads `model.json` and the weights from a folder: `model.safetensors`, or else a PyTorch checkpoint
    /// `model.pt` / `model.pth` (a MONAI `ResNet` state dict, see `ResNet3D.load(pytorchCheckpoint:)`).
    ///
    /// - Throws: `ClassificationError` naming the file when either is missing, unreadable, of another schema
    ///   version, or when the weights do not fit the architecture (naming the mismatching key); `InteropError`
    ///   naming the file when a PyTorch checkpoint is malformed.
    public static func load(from directory: URL) throws -> ClassifierModel {
        let cardURL = directory.appendingPathComponent("model.json")
        let weightsURL = weightFileNames.map { directory.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) } ?? directory.appendingPathComponent("model.safetensors")
        let card = try ClassifierModelCard.read(cardURL)
        let model = try ClassifierModel(card: card, seed: 0)
        if weightsURL.pathExtension != "safetensors" {
            try model.network.load(pytorchCheckpoint: weightsURL)
            return model
        }
        let weights = try SafeTensors.read(weightsURL)
        do {
            try model.network.load(stateDict: weights.tensors)
        } catch {
            throw ClassificationError.modelCard(weightsURL.path, "weights do not fit the architecture: \(error)")
        }
        return model
    }

    /// Writes `model.json` and `model.safetensors` (atomically) into a folder.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensors.write(network.stateDict(), metadata: ["format": "pt", "neoich.model": card.name],
                              to: directory.appendingPathComponent("model.safetensors"))
        try card.write(to: directory.appendingPathComponent("model.json"))
    }

    /// P(neoplastic) for a batch of inputs (N, 1, z, y, x), without gradients, on the network's device (the
    /// inputs are moved there) in `precision` (fp16/bf16: autocast, CUDA only); on the CPU by `inferenceEngine`.
    public func probabilities(_ inputs: Tensor, precision: Precision = .fp32) throws -> [Double] {
        let device = network.device
        return try GradMode.withoutGrad {
            let logits = try Autocast.run(precision, on: device) { try self.logits(inputs.to(device: device)) }
            let p = try logits.to(.float32).softmax(dim: 1).select(1, card.positiveClass)
            return try p.to(device: .cpu).scalars(as: Double.self)
        }
    }

    /// Logits (N, classes) in inference mode, by `inferenceEngine`.
    public func logits(_ inputs: Tensor) throws -> Tensor {
        guard case .fused(let precision) = inferenceEngine, inputs.device == .cpu,
              (network as? any FusedLowerable)?.canLower == true else {
            return try GradMode.withoutGrad { try network.forward(inputs, mode: .inference) }
        }
        return try FusedInferenceCaches.run(network, precision: precision, input: inputs) { [network] shape in
            try network.fusedInference(inputShape: shape, precision: precision)
        }
    }
}
