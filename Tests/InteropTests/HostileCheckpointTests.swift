import Foundation
import Testing
import TestSupport
@testable import Interop

/// Checkpoints that must be refused with an `InteropError` naming the file and the problem: forbidden
/// callables, damaged zips, hostile pickles, tensors that do not fit their storage.
@Suite("Hostile checkpoints")
struct HostileCheckpointTests {
    /// A checkpoint zip around `pickle` and the given storages, like torch.save's layout.
    static func checkpoint(_ pickle: [UInt8], storages: [(String, Data)] = []) throws -> Data {
        var zip = StoredZipWriter()
        try zip.add("archive/data.pkl", Data(pickle))
        for (key, bytes) in storages { try zip.add("archive/data/\(key)", bytes) }
        try zip.add("archive/version", Data("3\n".utf8))
        return try zip.finish()
    }

    /// `{'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, size, stride, False, OrderedDict())}`
    static func tensorPickle(numel: Int, offset: Int, size: [Int], stride: [Int], storageClass: String = "FloatStorage") -> [UInt8] {
        var p = PickleWriter()
        p.protocolHeader()
        p.bytes.append(0x7D)  // EMPTY_DICT
        p.string("w")
        p.global("torch._utils", "_rebuild_tensor_v2")
        p.mark(); p.mark()
        p.string("storage"); p.global("torch", storageClass); p.string("0"); p.string("cpu"); p.int(numel)
        p.tuple(); p.persistentID()
        p.int(offset); p.intTuple(size); p.intTuple(stride); p.bool(false)
        p.global("collections", "OrderedDict"); p.emptyTuple(); p.reduce()
        p.tuple(); p.reduce()
        p.bytes.append(0x73)  // SETITEM
        p.stop()
        return [UInt8](p.bytes)
    }

    static let fourFloats = Data([Float(1), 2, 3, 4].flatMap { withUnsafeBytes(of: $0) { Array($0) } })

    /// Expects `body` to throw an InteropError whose text names `source` and contains every fragment.
    static func expectRefused(_ source: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(source) was accepted; expected an error containing \(fragments)", sourceLocation: sourceLocation)
        } catch let error as InteropError {
            let text = error.description
            #expect(text.contains(source), "\(text)", sourceLocation: sourceLocation)
            for fragment in fragments { #expect(text.contains(fragment), "\(text) lacks \(fragment)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("\(source): not an InteropError: \(error)", sourceLocation: sourceLocation)
        }
    }

    static func load(_ pickle: [UInt8], storages: [(String, Data)] = [], name: String) throws {
        _ = try TorchCheckpoint.load(data: checkpoint(pickle, storages: storages), source: name)
    }

    // MARK: forbidden callables and unsupported formats

    @Test func osSystemIsRefusedNamingTheGlobal() throws {
        let url = try Fixture.url("forbidden_global.pt", in: .module)
        Self.expectRefused("forbidden_global.pt", ["posix.system is not allowed"]) { _ = try TorchCheckpoint.load(url) }
        let stackGlobal: [UInt8] = [0x80, 0x04, 0x8C, 2] + Array("os".utf8) + [0x8C, 6] + Array("system".utf8) + [0x93, 0x8C, 1, 0x78, 0x85, 0x52, 0x2E]
        Self.expectRefused("stack-global", ["os.system is not allowed"]) { try Self.load(stackGlobal, name: "stack-global") }
        let eval: [UInt8] = [0x80, 0x02] + Array("cbuiltins\neval\n".utf8) + [0x4E, 0x85, 0x52, 0x2E]
        Self.expectRefused("eval", ["builtins.eval is not allowed"]) { try Self.load(eval, name: "eval") }
        // An allowed module with a disallowed name, and a storage class used as a callable.
        let getattr: [UInt8] = [0x80, 0x02] + Array("ctorch\nload\n".utf8) + [0x2E]
        Self.expectRefused("torch-load", ["torch.load is not allowed"]) { try Self.load(getattr, name: "torch-load") }
    }

    @Test func legacyTorchFormatAsksForAResave() throws {
        let url = try Fixture.url("legacy_format.pt", in: .module)
        Self.expectRefused("legacy_format.pt", ["legacy", "torch>=1.6"]) { _ = try TorchCheckpoint.load(url) }
    }

    @Test func compressedEntriesAreRefused() throws {
        let url = try Fixture.url("compressed_entry.pt", in: .module)
        Self.expectRefused("compressed_entry.pt", ["archive/data.pkl is compressed (method 8)"]) { _ = try TorchCheckpoint.load(url) }
    }

    // MARK: damaged zips

    @Test func everyTruncationIsRefused() throws {
        let good = try Data(contentsOf: Fixture.url("tensor_zoo.pt", in: .module))
        for length in stride(from: 0, to: good.count, by: 97) {
            Self.expectRefused("cut-\(length)", []) { _ = try TorchCheckpoint.load(data: good.prefix(length), source: "cut-\(length)") }
        }
    }

    @Test func offsetsAndSizesPastTheEndAreRefused() throws {
        let good = try Self.checkpoint(Self.tensorPickle(numel: 4, offset: 0, size: [4], stride: [1]), storages: [("0", Self.fourFloats)])
        #expect(try TorchCheckpoint.load(data: good, source: "good").tensorDictionary?.first?.tensor.scalars(as: Float.self) == [1, 2, 3, 4])
        let eocd = good.count - 22
        func patched(_ offset: Int, _ value: UInt32) -> Data {
            var d = good
            for i in 0..<4 { d[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            return d
        }
        Self.expectRefused("directory-offset", ["central directory"]) {
            _ = try TorchCheckpoint.load(data: patched(eocd + 16, 0x7FFF_FFF0), source: "directory-offset")
        }
        Self.expectRefused("directory-size", ["central directory"]) {
            _ = try TorchCheckpoint.load(data: patched(eocd + 12, 0xFFFF_FF00), source: "directory-size")
        }
        // The first central directory record: its sizes and local header offset.
        let directory = Int(good[eocd + 16]) | Int(good[eocd + 17]) << 8 | Int(good[eocd + 18]) << 16
        var oversized = patched(directory + 20, 0x00FF_FFFF)
        for i in 0..<4 { oversized[directory + 24 + i] = oversized[directory + 20 + i] }
        Self.expectRefused("entry-size", ["archive/data.pkl", "run past"]) {
            _ = try TorchCheckpoint.load(data: oversized, source: "entry-size")
        }
        Self.expectRefused("entry-size-mismatch", ["archive/data.pkl", "compressed size"]) {
            _ = try TorchCheckpoint.load(data: patched(directory + 24, 12), source: "entry-size-mismatch")
        }
        Self.expectRefused("local-offset", ["archive/data.pkl", "local header offset"]) {
            _ = try TorchCheckpoint.load(data: patched(directory + 42, 0xFFFF_FF00), source: "local-offset")
        }
        var damaged = good
        damaged[try #require(CheckpointArchive(data: good, source: "good").entries["archive/data/0"]).dataOffset + 5] ^= 0xFF
        Self.expectRefused("crc", ["CRC-32"]) { _ = try TorchCheckpoint.load(data: damaged, source: "crc") }
    }

    @Test func zip64RecordsPastTheEndAreRefused() throws {
        // torch.save writes zip64 end records; point them past the file.
        var data = try Data(contentsOf: Fixture.url("tensor_zoo.pt", in: .module))
        let eocd = data.count - 22
        let locator = eocd - 20
        #expect(data[locator] == 0x50 && data[locator + 1] == 0x4B && data[locator + 2] == 6 && data[locator + 3] == 7)
        let record = (0..<8).reduce(0) { $0 | Int(data[locator + 8 + $1]) << (8 * $1) }
        for i in 0..<8 { data[record + 48 + i] = 0x7F }
        Self.expectRefused("zip64", ["zip64 record declares"]) { _ = try TorchCheckpoint.load(data: data, source: "zip64") }
    }

    /// Central directory records whose sizes and offsets are saturated at 0xFFFFFFFF and given in a zip64 extra
    /// field, as torch writes them for entries past 4 GiB.
    @Test func zip64ExtraFieldsAreRead() throws {
        var file = Data()
        var directory = Data()
        func le(_ value: UInt64, _ width: Int, _ d: inout Data) { for i in 0..<width { d.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) } }
        let entries: [(String, Data)] = [("archive/data.pkl", Data([0x80, 0x02, 0x4B, 42, 0x2E])), ("archive/version", Data("3\n".utf8))]
        for (name, bytes) in entries {
            let offset = UInt64(file.count)
            let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
            le(0x0403_4B50, 4, &file); le(45, 2, &file); le(0, 2, &file); le(0, 2, &file); le(0, 4, &file)
            le(UInt64(crc), 4, &file); le(UInt64(bytes.count), 4, &file); le(UInt64(bytes.count), 4, &file)
            le(UInt64(name.utf8.count), 2, &file); le(0, 2, &file)
            file.append(contentsOf: Array(name.utf8)); file.append(bytes)
            le(0x0201_4B50, 4, &directory); le(45, 2, &directory); le(45, 2, &directory); le(0, 2, &directory); le(0, 2, &directory)
            le(0, 4, &directory); le(UInt64(crc), 4, &directory); le(0xFFFF_FFFF, 4, &directory); le(0xFFFF_FFFF, 4, &directory)
            le(UInt64(name.utf8.count), 2, &directory); le(28, 2, &directory); le(0, 2, &directory); le(0, 2, &directory)
            le(0, 2, &directory); le(0, 4, &directory); le(0xFFFF_FFFF, 4, &directory)
            directory.append(contentsOf: Array(name.utf8))
            le(0x0001, 2, &directory); le(24, 2, &directory)
            le(UInt64(bytes.count), 8, &directory); le(UInt64(bytes.count), 8, &directory); le(offset, 8, &directory)
        }
        let directoryOffset = file.count
        file.append(directory)
        le(0x0605_4B50, 4, &file); le(0, 2, &file); le(0, 2, &file); le(2, 2, &file); le(2, 2, &file)
        le(UInt64(directory.count), 4, &file); le(UInt64(directoryOffset), 4, &file); le(0, 2, &file)
        #expect(try TorchCheckpoint.load(data: file, source: "zip64-extra").intValue == 42)
        // A zip64 extra field too short for the saturated fields is refused.
        var short = file
        let firstExtra = directoryOffset + 46 + "archive/data.pkl".utf8.count
        short[firstExtra + 2] = 8
        Self.expectRefused("zip64-short", ["archive/data.pkl: zip64 extra field too short"]) { _ = try TorchCheckpoint.load(data: short, source: "zip64-short") }
    }

    // MARK: hostile pickles

    @Test func hugeMemoIndicesAreRefused() throws {
        Self.expectRefused("memo", ["memo index 4294967295", "never stored"]) {
            try Self.load([0x80, 0x02, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E], name: "memo")
        }
        Self.expectRefused("put-empty", ["stack underflow"]) { try Self.load([0x80, 0x02, 0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E], name: "put-empty") }
    }

    @Test func deepNestingCyclesAndExponentialSharingAreRefused() throws {
        // 200,000 nested lists: ] × n, then APPEND × (n − 1).
        let n = 200_000
        let lists = [0x80, 0x02] + [UInt8](repeating: 0x5D, count: n) + [UInt8](repeating: 0x61, count: n - 1) + [0x2E]
        Self.expectRefused("nested-lists", ["nested deeper than"]) { try Self.load(lists, name: "nested-lists") }
        let tuples = [0x80, 0x02, 0x4E] + [UInt8](repeating: 0x85, count: n) + [0x2E]
        Self.expectRefused("nested-tuples", ["nested deeper than"]) { try Self.load(tuples, name: "nested-tuples") }
        // A list appended to itself.
        Self.expectRefused("cycle", ["nested deeper than"]) { try Self.load([0x80, 0x02, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E], name: "cycle") }
        // L(i+1) = [L(i), L(i)], 40 times: 2^40 values once shared references are expanded.
        var shared: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0, 0x30]
        for i in 0..<40 { shared += [0x28, 0x68, UInt8(i), 0x68, UInt8(i), 0x6C, 0x71, UInt8(i + 1), 0x30] }
        shared += [0x68, 40, 0x2E]
        Self.expectRefused("shared", ["values (shared references expanded)"]) { try Self.load(shared, name: "shared") }
    }

    @Test func malformedOpcodesAreRefused() throws {
        Self.expectRefused("underflow", ["stack underflow"]) { try Self.load([0x80, 0x02, 0x52, 0x2E], name: "underflow") }
        Self.expectRefused("long-string", ["runs past the end"]) { try Self.load([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], name: "long-string") }
        Self.expectRefused("huge-bytes8", ["runs past the end"]) {
            try Self.load([0x80, 0x02, 0x8E] + [UInt8](repeating: 0xFF, count: 8), name: "huge-bytes8")
        }
        Self.expectRefused("inst", ["opcode 0x69"]) { try Self.load([0x80, 0x02, 0x69] + Array("os\nsystem\n".utf8), name: "inst") }
        Self.expectRefused("no-stop", ["needs 1 bytes"]) { try Self.load([0x80, 0x02, 0x4E], name: "no-stop") }
        Self.expectRefused("protocol", ["protocol 9"]) { try Self.load([0x80, 0x09, 0x4E, 0x2E], name: "protocol") }
        Self.expectRefused("setitem", ["SETITEM", "non-dict"]) { try Self.load([0x80, 0x02, 0x5D, 0x4E, 0x4E, 0x73, 0x2E], name: "setitem") }
        Self.expectRefused("persid", ["persistent id"]) { try Self.load([0x80, 0x02, 0x4E, 0x51, 0x2E], name: "persid") }
    }

    // MARK: tensors that do not fit their storage

    @Test func storageSizesAndViewsAreChecked() throws {
        Self.expectRefused("numel", ["storage 0 holds 16 bytes", "100 elements of float32 need 400"]) {
            try Self.load(Self.tensorPickle(numel: 100, offset: 0, size: [100], stride: [1]), storages: [("0", Self.fourFloats)], name: "numel")
        }
        Self.expectRefused("reach", ["reach element 9 of a storage of 4"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [10], stride: [1]), storages: [("0", Self.fourFloats)], name: "reach")
        }
        Self.expectRefused("offset", ["reach element 5"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 2, size: [2, 2], stride: [2, 1]), storages: [("0", Self.fourFloats)], name: "offset")
        }
        Self.expectRefused("overlap", ["overlapping"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [1000], stride: [0]), storages: [("0", Self.fourFloats)], name: "overlap")
        }
        Self.expectRefused("overflow", ["overflows"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [1 << 40, 1 << 40], stride: [1, 1]), storages: [("0", Self.fourFloats)], name: "overflow")
        }
        Self.expectRefused("rank", ["differ in rank"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [2, 2], stride: [1]), storages: [("0", Self.fourFloats)], name: "rank")
        }
        Self.expectRefused("missing", ["no data/0 entry"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [4], stride: [1]), name: "missing")
        }
        Self.expectRefused("type", ["is not allowed"]) {
            try Self.load(Self.tensorPickle(numel: 4, offset: 0, size: [4], stride: [1], storageClass: "ComplexFloatStorage"),
                          storages: [("0", Self.fourFloats)], name: "type")
        }
        // A strided view inside its storage is fine.
        let ok = try TorchCheckpoint.load(data: Self.checkpoint(Self.tensorPickle(numel: 4, offset: 1, size: [2], stride: [2]),
                                                                storages: [("0", Self.fourFloats)]), source: "ok")
        #expect(try ok.tensorDictionary?.first?.tensor.scalars(as: Float.self) == [2, 4])
    }

    /// Deterministic byte mutations of a real checkpoint's pickle (re-wrapped with valid CRCs, so that the
    /// unpickler meets them) and of the whole file: each is read or refused with an InteropError.
    @Test func mutatedCheckpointsNeverCrash() throws {
        let good = try Data(contentsOf: Fixture.url("nnunet_like_checkpoint.pth", in: .module))
        let archive = try CheckpointArchive(data: good, source: "good")
        let pickle = [UInt8](try archive.record("data.pkl"))
        let storages = try archive.entries.keys.filter { $0.hasPrefix("\(archive.prefix)/data/") }.sorted().map {
            (String($0.dropFirst("\(archive.prefix)/data/".count)), try archive.record(String($0.dropFirst(archive.prefix.count + 1))))
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var refused = 0
        for round in 0..<400 {
            let data: Data
            if round % 4 == 3 {
                var file = good
                for _ in 0..<(1 + next() % 4) { file[next() % file.count] = UInt8(truncatingIfNeeded: next()) }
                data = file
            } else {
                var mutated = pickle
                for _ in 0..<(1 + next() % 3) { mutated[2 + next() % (mutated.count - 2)] = UInt8(truncatingIfNeeded: next()) }
                data = try Self.checkpoint(mutated, storages: storages)
            }
            do {
                _ = try TorchCheckpoint.load(data: data, source: "mutant")
            } catch is InteropError {
                refused += 1
            } catch {
                Issue.record("mutant \(round): not an InteropError: \(error)")
            }
        }
        #expect(refused > 100)
    }
}
