import Foundation
import Torch

/// Finds the model weights in a loaded checkpoint, however a training script wrapped them.
public enum StateDictExtraction {
    /// Keys under which training scripts store the weights next to optimizer state and metadata.
    public static let wrapperKeys = ["state_dict", "model", "model_state_dict", "network_weights", "net", "network"]

    /// The state dict in `checkpoint`: the checkpoint itself when it is a dict of tensors, else the first of
    /// `wrapperKeys` that holds one. A `module.` prefix on every key (`torch.nn.DataParallel`) is removed.
    ///
    /// - Throws: `InteropError.unexpectedContents` naming `source` and the top-level keys found.
    public static func stateDict(in checkpoint: PickleValue, source: String) throws -> [(name: String, tensor: Tensor)] {
        var found = checkpoint.tensorDictionary
        if found == nil {
            for key in wrapperKeys {
                if let inner = checkpoint[key]?.tensorDictionary { found = inner; break }
            }
        }
        guard let entries = found else {
            let keys: String
            if case .dict(let items) = checkpoint {
                keys = "a dict with keys " + items.prefix(12).map { $0.key.description }.joined(separator: ", ")
            } else {
                keys = checkpoint.description.prefix(80) + ""
            }
            throw InteropError.unexpectedContents(file: source, problem: "no state dict (a dict of tensors, plain or under \(wrapperKeys.joined(separator: "/"))) in \(keys)")
        }
        return stripModulePrefix(entries)
    }

    /// `entries` with a leading `module.` removed when every key has one.
    public static func stripModulePrefix(_ entries: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        guard entries.allSatisfy({ $0.name.hasPrefix("module.") }) else { return entries }
        return entries.map { (String($0.name.dropFirst("module.".count)), $0.tensor) }
    }
}
