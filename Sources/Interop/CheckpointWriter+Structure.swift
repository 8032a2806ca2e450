import Foundation
import NN
import Torch

extension CheckpointWriter {
    /// The bytes of a checkpoint holding a nested structure, such as an nnU-Net training checkpoint: dicts with
    /// string keys, lists, tuples, numbers, strings, None and tensors. A dict whose values are all tensors is
    /// written as an `OrderedDict` (a state dict), other dicts as plain dicts.
    ///
    /// - Throws: `InteropError.unwritable` for values that cannot be pickled (`.object`, `.bytes`, `.set`, big
    ///   integers) or a checkpoint that would reach 4 GiB.
    public static func encode(value: PickleValue, destination: String = "<memory>") throws -> Data {
        var pickle = PickleWriter()
        var records: [(String, Data)] = []
        pickle.protocolHeader()
        try emit(value, pickle: &pickle, records: &records, destination: destination)
        pickle.stop()
        return try archive(pickle: pickle, records: records, destination: destination)
    }

    /// Writes `value` to `url` atomically.
    ///
    /// - Throws: `InteropError.unwritable` naming the file.
    public static func write(value: PickleValue, to url: URL) throws {
        let data = try encode(value: value, destination: url.path)
        do { try AtomicFile.write(data, to: url) } catch { throw InteropError.unwritable(file: url.path, problem: "\(error)") }
    }

    static func emit(_ value: PickleValue, pickle: inout PickleWriter, records: inout [(String, Data)], destination: String) throws {
        switch value {
        case .none: pickle.bytes.append(0x4E)
        case .bool(let b): pickle.bool(b)
        case .int(let i): pickle.int(i)
        case .float(let d):
            pickle.bytes.append(0x47)  // BINFLOAT, big-endian
            let bits = d.bitPattern
            for i in (0..<8).reversed() { pickle.bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * i))) }
        case .string(let s): pickle.string(s)
        case .tensor(let t): try rebuild(t, pickle: &pickle, records: &records)
        case .list(let items):
            pickle.bytes.append(0x5D)  // EMPTY_LIST
            guard !items.isEmpty else { return }
            pickle.mark()
            for item in items { try emit(item, pickle: &pickle, records: &records, destination: destination) }
            pickle.bytes.append(0x65)  // APPENDS
        case .tuple(let items):
            pickle.mark()
            for item in items { try emit(item, pickle: &pickle, records: &records, destination: destination) }
            pickle.tuple()
        case .dict(let items):
            if !items.isEmpty, items.allSatisfy({ if case .tensor = $0.value { true } else { false } }) {
                pickle.global("collections", "OrderedDict")
                pickle.emptyTuple()
                pickle.reduce()
            } else {
                pickle.bytes.append(0x7D)  // EMPTY_DICT
            }
            guard !items.isEmpty else { return }
            pickle.mark()
            for (key, item) in items {
                try emit(key, pickle: &pickle, records: &records, destination: destination)
                try emit(item, pickle: &pickle, records: &records, destination: destination)
            }
            pickle.setItems()
        case .bigInt, .bytes, .set, .object:
            throw InteropError.unwritable(file: destination, problem: "cannot write \(value) into a checkpoint")
        }
    }
}
