import Foundation
import Torch

/// Reads PyTorch checkpoints (`torch.save`'s zip format, 1.6 and later) without Python: the zip container is
/// parsed by `CheckpointArchive`, `data.pkl` by a restricted unpickler that only rebuilds tensors and plain
/// Python values, and each tensor's bytes come from `data/<key>`.
///
/// ```swift
/// let checkpoint = try TorchCheckpoint.load(URL(fileURLWithPath: "model.pt"))
/// let weights = try StateDictExtraction.stateDict(in: checkpoint, source: "model.pt")
/// ```
public enum TorchCheckpoint {
    /// Loads a checkpoint file.
    /// - Throws: `InteropError` naming the file and the problem; nothing in the file is executed.
    public static func load(_ url: URL) throws -> PickleValue {
        try load(CheckpointArchive(contentsOf: url))
    }

    /// Loads checkpoint bytes; `source` names the origin in errors.
    public static func load(data: Data, source: String = "<memory>") throws -> PickleValue {
        try load(CheckpointArchive(data: data, source: source))
    }

    /// Unpickles bare `data.pkl` bytes with the same restrictions; a tensor in them is refused, as there are no
    /// storages to rebuild it from.
    public static func loadPickle(_ data: Data, source: String = "<memory>") throws -> PickleValue {
        try Unpickler(bytes: data, source: source) { reference, _, _, _ in
            throw InteropError.malformedArchive(file: source, problem: "storage \(reference.key) referenced by a pickle read without its archive")
        }.load()
    }

    static func load(_ archive: CheckpointArchive) throws -> PickleValue {
        let source = archive.source
        var bigEndian = false
        if archive.contains("byteorder") {
            let order = String(decoding: try archive.record("byteorder"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard order == "little" || order == "big" else {
                throw InteropError.malformedArchive(file: source, problem: "byteorder record says '\(order.prefix(20))'")
            }
            bigEndian = order == "big"
        }
        // Materialised tensors may not exceed twice the file (views of one storage are copied each).
        var budget = 2 * archive.data.count + (1 << 20)
        var storages: [String: (reference: StorageReference, bytes: Data)] = [:]
        let unpickler = Unpickler(bytes: try archive.record("data.pkl"), source: source) { reference, offset, size, stride in
            let bytes: Data
            if let cached = storages[reference.key] {
                guard cached.reference.dtype == reference.dtype, cached.reference.numel == reference.numel else {
                    throw InteropError.invalidTensor(file: source, problem: "storage \(reference.key) is named with two types or sizes")
                }
                bytes = cached.bytes
            } else {
                guard archive.contains("data/\(reference.key)") else {
                    throw InteropError.malformedArchive(file: source, problem: "storage \(reference.key) has no data/\(reference.key) entry")
                }
                var record = try archive.record("data/\(reference.key)")
                let (expected, overflow) = reference.numel.multipliedReportingOverflow(by: reference.dtype.byteSize)
                guard !overflow, record.count == expected else {
                    throw InteropError.invalidTensor(file: source, problem: "storage \(reference.key) holds \(record.count) bytes, but its \(reference.numel) elements of \(reference.dtype) need \(overflow ? "more than Int.max" : "\(expected)")")
                }
                if bigEndian && reference.dtype.byteSize > 1 { record = swapped(record, width: reference.dtype.byteSize) }
                storages[reference.key] = (reference, record)
                bytes = record
            }
            do {
                let tensor = try StridedStorage.tensor(storage: bytes, dtype: reference.dtype, numel: reference.numel,
                                                       offset: offset, size: size, stride: stride)
                budget -= tensor.count * tensor.dtype.byteSize
                guard budget >= 0 else {
                    throw InteropError.invalidTensor(file: source, problem: "tensors rebuilt from storage views exceed twice the file's size")
                }
                return tensor
            } catch let problem as StridedStorage.Problem {
                throw InteropError.invalidTensor(file: source, problem: "storage \(reference.key): \(problem)")
            }
        }
        return try unpickler.load()
    }

    /// Bytes with each `width`-byte element reversed (big-endian storages).
    static func swapped(_ data: Data, width: Int) -> Data {
        var bytes = [UInt8](data)
        for start in stride(from: 0, to: bytes.count, by: width) { bytes[start..<(start + width)].reverse() }
        return Data(bytes)
    }
}
