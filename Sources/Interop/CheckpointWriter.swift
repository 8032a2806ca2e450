import Foundation
import NN
import Torch

/// Writes state dicts as PyTorch checkpoints that `torch.load` (1.6 and later) reads: a zip of stored entries
/// `archive/data.pkl` (protocol 2, an `OrderedDict` of `_rebuild_tensor_v2` calls), `archive/byteorder`,
/// `archive/data/<i>` (one contiguous little-endian storage per tensor, 64-byte aligned like torch's writer)
/// and `archive/version`. The output is deterministic: the same tensors give the same bytes.
public enum CheckpointWriter {
    /// The bytes of a checkpoint holding `stateDict` in order; `destination` names it in errors.
    ///
    /// - Throws: `InteropError.unwritable` when the checkpoint would reach 4 GiB (zip64 is not written).
    public static func encode(_ stateDict: [(name: String, tensor: Tensor)], destination: String = "<memory>") throws -> Data {
        var pickle = PickleWriter()
        pickle.protocolHeader()
        pickle.global("collections", "OrderedDict")
        pickle.emptyTuple()
        pickle.reduce()
        pickle.mark()
        var records: [(String, Data)] = []
        for (name, tensor) in stateDict {
            pickle.string(name)
            try rebuild(tensor, pickle: &pickle, records: &records)
        }
        pickle.setItems()
        pickle.stop()
        return try archive(pickle: pickle, records: records, destination: destination)
    }

    /// Emits `torch._utils._rebuild_tensor_v2(storage, 0, shape, strides, False, OrderedDict())` for `tensor`, its
    /// storage becoming the next `archive/data/<i>` record.
    static func rebuild(_ tensor: Tensor, pickle: inout PickleWriter, records: inout [(String, Data)]) throws {
        let index = records.count
        let storage = try tensor.to(device: .cpu).contiguous()
        pickle.global("torch._utils", "_rebuild_tensor_v2")
        pickle.mark()
        pickle.mark()
        pickle.string("storage")
        pickle.global("torch", StorageClass.name(of: storage.dtype))
        pickle.string("\(index)")
        pickle.string("cpu")
        pickle.int(storage.count)
        pickle.tuple()
        pickle.persistentID()
        pickle.int(0)
        pickle.intTuple(storage.shape)
        pickle.intTuple(rowMajorStrides(storage.shape))
        pickle.bool(false)
        pickle.global("collections", "OrderedDict")
        pickle.emptyTuple()
        pickle.reduce()
        pickle.tuple()
        pickle.reduce()
        records.append(("archive/data/\(index)", try storage.detached().withUnsafeRawBytes { Data($0) }))
    }

    /// The zip archive torch.load reads.
    static func archive(pickle: PickleWriter, records: [(String, Data)], destination: String) throws -> Data {
        do {
            var zip = StoredZipWriter()
            try zip.add("archive/data.pkl", pickle.bytes)
            try zip.add("archive/byteorder", Data("little".utf8))
            for (name, bytes) in records { try zip.add(name, bytes) }
            try zip.add("archive/version", Data("3\n".utf8))
            return try zip.finish()
        } catch StoredZipWriter.Overflow.tooLarge(let problem) {
            throw InteropError.unwritable(file: destination, problem: problem)
        }
    }

    /// Writes `stateDict` to `url` atomically.
    ///
    /// - Throws: `InteropError.unwritable` naming the file when it cannot be written or would need zip64.
    public static func write(_ stateDict: [(name: String, tensor: Tensor)], to url: URL) throws {
        let data = try encode(stateDict, destination: url.path)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw InteropError.unwritable(file: url.path, problem: "\(error)")
        }
    }

    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in shape.indices.reversed() {
            strides[d] = running
            running *= shape[d]
        }
        return strides
    }
}

/// The pickle opcodes `CheckpointWriter` needs (protocol 2).
struct PickleWriter {
    var bytes = Data()

    mutating func protocolHeader() { bytes.append(contentsOf: [0x80, 0x02]) }
    mutating func stop() { bytes.append(0x2E) }
    mutating func mark() { bytes.append(0x28) }
    mutating func tuple() { bytes.append(0x74) }
    mutating func emptyTuple() { bytes.append(0x29) }
    mutating func reduce() { bytes.append(0x52) }
    mutating func setItems() { bytes.append(0x75) }
    mutating func persistentID() { bytes.append(0x51) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 0x88 : 0x89) }

    mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63)
        bytes.append(contentsOf: Array("\(module)\n\(name)\n".utf8))
    }

    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        bytes.append(0x58)
        appendLittleEndian(UInt64(utf8.count), width: 4)
        bytes.append(contentsOf: utf8)
    }

    mutating func int(_ value: Int) {
        if value >= 0 && value < 256 {
            bytes.append(contentsOf: [0x4B, UInt8(value)])
        } else if value >= Int(Int32.min) && value <= Int(Int32.max) {
            bytes.append(0x4A)
            appendLittleEndian(UInt64(UInt32(bitPattern: Int32(value))), width: 4)
        } else {
            bytes.append(contentsOf: [0x8A, 8])  // LONG1, 8 bytes two's complement
            appendLittleEndian(UInt64(bitPattern: Int64(value)), width: 8)
        }
    }

    mutating func intTuple(_ values: [Int]) {
        mark()
        for v in values { int(v) }
        tuple()
    }

    mutating func appendLittleEndian(_ value: UInt64, width: Int) {
        for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }
}

/// A zip writer for stored (uncompressed) entries with data aligned to 64 bytes, as PyTorch's writer does.
struct StoredZipWriter {
    /// The archive would need zip64 records, which this writer does not produce.
    enum Overflow: Error { case tooLarge(String) }

    static let alignment = 64
    var output = Data()
    var central = Data()
    var count = 0

    mutating func add(_ name: String, _ data: Data) throws {
        let nameBytes = Array(name.utf8)
        let headerOffset = output.count
        // Pad the local header's extra field (id 0x4246, "FB" like torch) so the data starts aligned.
        let padding = (Self.alignment - (headerOffset + 30 + nameBytes.count + 4) % Self.alignment) % Self.alignment
        let extraLength = 4 + padding
        guard output.count + 30 + nameBytes.count + extraLength + data.count < Int(UInt32.max), data.count < Int(UInt32.max) else {
            throw Overflow.tooLarge("entry \(name) would end beyond 4 GiB; checkpoints that large are not written (no zip64 output)")
        }
        let crc = data.withUnsafeBytes { CRC32.checksum($0) }
        func le(_ value: Int, _ width: Int, into d: inout Data) {
            for i in 0..<width { d.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
        }
        // Local file header: version 2.0, no flags, stored, DOS time 0 / date 1980-01-01 (deterministic output).
        le(0x0403_4B50, 4, into: &output); le(20, 2, into: &output); le(0, 2, into: &output); le(0, 2, into: &output)
        le(0, 2, into: &output); le(0x21, 2, into: &output); le(Int(crc), 4, into: &output)
        le(data.count, 4, into: &output); le(data.count, 4, into: &output)
        le(nameBytes.count, 2, into: &output); le(extraLength, 2, into: &output)
        output.append(contentsOf: nameBytes)
        le(0x4246, 2, into: &output); le(padding, 2, into: &output)
        output.append(contentsOf: [UInt8](repeating: 0x5A, count: padding))
        output.append(data)
        // Central directory record.
        le(0x0201_4B50, 4, into: &central); le(20, 2, into: &central); le(20, 2, into: &central); le(0, 2, into: &central)
        le(0, 2, into: &central); le(0, 2, into: &central); le(0x21, 2, into: &central); le(Int(crc), 4, into: &central)
        le(data.count, 4, into: &central); le(data.count, 4, into: &central)
        le(nameBytes.count, 2, into: &central); le(0, 2, into: &central); le(0, 2, into: &central)
        le(0, 2, into: &central); le(0, 2, into: &central); le(0, 4, into: &central); le(headerOffset, 4, into: &central)
        central.append(contentsOf: nameBytes)
        count += 1
    }

    mutating func finish() throws -> Data {
        guard count < 0xFFFF, output.count + central.count < Int(UInt32.max) else {
            throw Overflow.tooLarge("\(count) entries or \(output.count + central.count) bytes exceed a zip without zip64")
        }
        var out = output
        let directoryOffset = out.count
        out.append(central)
        func le(_ value: Int, _ width: Int) { for i in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> (8 * i))) } }
        le(0x0605_4B50, 4); le(0, 2); le(0, 2); le(count, 2); le(count, 2)
        le(central.count, 4); le(directoryOffset, 4); le(0, 2)
        return out
    }
}
