import Foundation
import Interop
import NN

extension ClassifierNetwork {
    /// Loads a PyTorch checkpoint (for a ResNet3D: of MONAI's `ResNet`) written by `torch.save` (`.pt` / `.pth`): a plain state dict, or one
    /// wrapped as `{"state_dict": …}` / `{"model": …}`, with or without DataParallel's `module.` prefix.
    ///
    /// - Throws: `InteropError` naming the file when it cannot be read or holds no state dict;
    ///   `ClassificationError.modelCard` naming the file and the first missing, unexpected or mis-shaped key.
    public func load(pytorchCheckpoint url: URL) throws {
        let checkpoint = try TorchCheckpoint.load(url)
        let entries = try StateDictExtraction.stateDict(in: checkpoint, source: url.path)
        var state: [String: Tensor] = [:]
        for (name, tensor) in entries { state[name] = tensor }
        do {
            try load(stateDict: state)
        } catch {
            throw ClassificationError.modelCard(url.path, "weights do not fit the architecture: \(error)")
        }
    }

    /// Writes the network's state dict as a PyTorch checkpoint that MONAI's `ResNet` of the same configuration
    /// loads with `load_state_dict(torch.load(path))`.
    public func writePyTorchCheckpoint(to url: URL) throws {
        try CheckpointWriter.write(stateDict(), to: url)
    }
}
