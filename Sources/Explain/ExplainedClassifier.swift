import Classification
import Foundation
import Imaging
import NN

/// A classifier loaded from a weights file and a model card, for `neoich explain` / `neoich faithfulness`.
///
/// The card is JSON with at least `"architecture"` (and `"network"`, a `ClassifierArchitectures` name, when the
/// network is not the default ResNet3D) (a `ResNet3DConfiguration`: `block`, `layers`, `width`,
/// `inputChannels`, `classes`, `stemKernel`, `stemStride`, `maxPool`, `shortcut`, `downsampleBias`), optionally
/// `"normalization"` (`CropNormalization`, default 0…100 HU), `"cropSize"` (`{"z":20,"y":200,"x":200}`) and
/// `"orientation"` (the training scans' voxel axes, default `Reorientation.defaultModelOrientation`).
/// A full `ClassifierModelCard` (`model.json`) is such a file.
public struct ExplainedClassifier {
    public var architecture: ResNet3DConfiguration
    public var normalization: CropNormalization
    public var cropSize: VolumeShape
    /// The orientation whole scans are brought into before a lesion is cropped.
    public var orientation: String
    public let network: any ClassifierNetwork

    private struct Card: Decodable {
        var network: String?
        var architecture: ResNet3DConfiguration
        var normalization: CropNormalization?
        var cropSize: VolumeShape?
        var orientation: String?
    }

    /// Reads the card and the weights (MONAI `state_dict` names): safetensors, or a PyTorch checkpoint (`.pt`/`.pth`).
    ///
    /// - Throws: `ExplainError.file` naming the card or weights file and the problem.
    public init(card: URL, weights: URL) throws {
        let decoded: Card
        do {
            decoded = try JSONDecoder().decode(Card.self, from: Data(contentsOf: card))
        } catch {
            throw ExplainError.file(card.path, "not a model card with an \"architecture\": \(error)")
        }
        architecture = decoded.architecture
        normalization = decoded.normalization ?? CropNormalization()
        cropSize = decoded.cropSize ?? VolumeShape(z: 20, y: 200, x: 200)
        orientation = decoded.orientation ?? Reorientation.defaultModelOrientation
        do { try Reorientation.validate(code: orientation) } catch { throw ExplainError.file(card.path, "\(error)") }
        do {
            network = try ClassifierArchitectures.make(decoded.network, architecture: architecture, generator: Generator(seed: 0))
            if ["pt", "pth"].contains(weights.pathExtension.lowercased()) {
                try network.load(pytorchCheckpoint: weights)  // a MONAI ResNet checkpoint written by torch.save
            } else {
                try network.load(stateDict: SafeTensors.read(weights).tensors)
            }
        } catch {
            throw ExplainError.file(weights.path, "weights do not load into the card's architecture: \(error)")
        }
    }
}
