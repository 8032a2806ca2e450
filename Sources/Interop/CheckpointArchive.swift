import Foundation

/// The zip container of a PyTorch checkpoint (`torch.save` since 1.6): stored (uncompressed) entries under one
/// top-level folder, `<archive>/data.pkl`, `<archive>/data/<key>`, `<archive>/version` and possibly
/// `<archive>/byteorder`.
///
/// The central directory is parsed here rather than by a zip library, so that every offset and size is checked
/// against the file before use: entries that are compressed, encrypted, overlap the directory, run past the end
/// of the file or fail their CRC-32 are refused with an `InteropError` naming the file. Zip64 records, which
/// torch writes for every archive, are read.
public struct CheckpointArchive {
    /// One stored entry: where its bytes lie in the file.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dataOffset: Int
        public var size: Int
        var crc: UInt32
    }

    /// Most entries accepted (a ResNet or U-Net checkpoint holds a few hundred).
    public static let maximumEntries = 1_000_000

    public let source: String
    public let data: Data
    /// Entries by full name, e.g. `archive/data/0`.
    public let entries: [String: Entry]
    /// The top-level folder every entry lives in (`archive`, or the file's stem for older torch versions).
    public let prefix: String

    /// Opens a checkpoint file (memory-mapped).
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw InteropError.unreadable(file: url.path, problem: "\(error)")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses checkpoint bytes; `source` names the origin in errors.
    public init(data: Data, source: String) throws {
        self.data = data
        self.source = source
        func fail(_ problem: String) -> InteropError { .malformedArchive(file: source, problem: problem) }
        let reader = ByteReader(data: data)
        if LegacyCheckpoint.matches(data) {
            throw InteropError.unsupportedFormat(file: source, problem: "legacy (pre-1.6, non-zip) PyTorch checkpoint; re-save it with torch>=1.6's default: torch.save(torch.load(path), path)")
        }
        guard data.count >= 22 else { throw fail("\(data.count) bytes, too short for a zip archive") }
        guard reader.u32(0) == 0x0403_4B50 else { throw fail("does not start with a zip local file header (PK\\3\\4)") }

        // End of central directory: the last 0x06054b50 within the final 22 + 65535 bytes.
        let searchStart = max(0, data.count - 22 - 0xFFFF)
        var eocd = -1
        var position = data.count - 22
        while position >= searchStart {
            if reader.u32(position) == 0x0605_4B50 { eocd = position; break }
            position -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record") }
        var entryCount = Int(reader.u16(eocd + 10)!)
        var directorySize = Int(reader.u32(eocd + 12)!)
        var directoryOffset = Int(reader.u32(eocd + 16)!)
        guard reader.u16(eocd + 4) == 0, reader.u16(eocd + 6) == 0 || reader.u16(eocd + 6) == 0xFFFF else {
            throw fail("multi-disk archives are not supported")
        }
        let needsZip64 = entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
        // Zip64 end-of-central-directory locator, 20 bytes before the classic record.
        if eocd >= 20, reader.u32(eocd - 20) == 0x0706_4B50 {
            guard let recordOffset = reader.u64(eocd - 12), recordOffset <= UInt64(eocd - 20) else {
                throw fail("zip64 locator points past its own position")
            }
            let record = Int(recordOffset)
            guard record + 56 <= eocd - 20, reader.u32(record) == 0x0606_4B50 else {
                throw fail("zip64 end-of-central-directory record missing at offset \(record)")
            }
            let count64 = reader.u64(record + 32)!, size64 = reader.u64(record + 40)!, offset64 = reader.u64(record + 48)!
            guard count64 <= UInt64(Self.maximumEntries), size64 <= UInt64(data.count), offset64 <= UInt64(data.count) else {
                throw fail("zip64 record declares \(count64) entries, \(size64)-byte directory at \(offset64), beyond the \(data.count)-byte file")
            }
            entryCount = Int(count64)
            directorySize = Int(size64)
            directoryOffset = Int(offset64)
        } else if needsZip64 {
            throw fail("end-of-central-directory record needs zip64 but the zip64 locator is missing")
        }
        guard entryCount <= Self.maximumEntries else { throw fail("\(entryCount) entries exceed the limit of \(Self.maximumEntries)") }
        guard directoryOffset <= data.count, directorySize <= data.count - directoryOffset, directoryOffset + directorySize <= eocd else {
            throw fail("central directory (\(directorySize) bytes at offset \(directoryOffset)) runs past the end of the \(data.count)-byte file")
        }

        var entries: [String: Entry] = [:]
        var cursor = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for index in 0..<entryCount {
            guard cursor + 46 <= directoryEnd, reader.u32(cursor) == 0x0201_4B50 else {
                throw fail("central directory entry \(index) at offset \(cursor) is missing or truncated")
            }
            let flags = reader.u16(cursor + 8)!, method = reader.u16(cursor + 10)!
            let crc = reader.u32(cursor + 16)!
            var compressedSize = UInt64(reader.u32(cursor + 20)!), size = UInt64(reader.u32(cursor + 24)!)
            let nameLength = Int(reader.u16(cursor + 28)!), extraLength = Int(reader.u16(cursor + 30)!)
            let commentLength = Int(reader.u16(cursor + 32)!)
            var localOffset = UInt64(reader.u32(cursor + 42)!)
            let recordEnd = cursor + 46 + nameLength + extraLength + commentLength
            guard recordEnd <= directoryEnd else { throw fail("central directory entry \(index) runs past the directory's end") }
            guard let name = String(bytes: data[(data.startIndex + cursor + 46)..<(data.startIndex + cursor + 46 + nameLength)], encoding: .utf8) else {
                throw fail("entry \(index) has a name that is not UTF-8")
            }
            // Zip64 extended information (0x0001): the 64-bit values of the fields saturated at 0xFFFFFFFF, in order.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = reader.u16(extra)!, length = Int(reader.u16(extra + 2)!)
                guard extra + 4 + length <= extraEnd else { throw fail("entry \(name): extra field runs past its record") }
                if id == 0x0001 {
                    var field = extra + 4
                    func next() throws -> UInt64 {
                        guard field + 8 <= extra + 4 + length else { throw fail("entry \(name): zip64 extra field too short") }
                        defer { field += 8 }
                        return reader.u64(field)!
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                extra += 4 + length
            }
            guard flags & 1 == 0 else { throw fail("entry \(name) is encrypted") }
            guard method == 0 else {
                throw fail("entry \(name) is compressed (method \(method)); PyTorch checkpoints store entries uncompressed — re-save with torch.save")
            }
            guard compressedSize == size else { throw fail("entry \(name): stored entry with compressed size \(compressedSize) ≠ size \(size)") }
            guard localOffset + 30 <= UInt64(directoryOffset) else {
                throw fail("entry \(name): local header offset \(localOffset) lies beyond the data area (\(directoryOffset) bytes)")
            }
            let local = Int(localOffset)
            guard reader.u32(local) == 0x0403_4B50 else { throw fail("entry \(name): no local file header at offset \(local)") }
            let dataOffset = local + 30 + Int(reader.u16(local + 26)!) + Int(reader.u16(local + 28)!)
            guard dataOffset <= directoryOffset, size <= UInt64(directoryOffset - dataOffset) else {
                throw fail("entry \(name): \(size) bytes at offset \(dataOffset) run past the data area (\(directoryOffset) bytes)")
            }
            guard entries[name] == nil else { throw fail("entry \(name) appears twice") }
            entries[name] = Entry(name: name, dataOffset: dataOffset, size: Int(size), crc: crc)
            cursor = recordEnd
        }
        guard let pickle = entries.keys.filter({ $0.hasSuffix("/data.pkl") && $0.split(separator: "/", omittingEmptySubsequences: false).count == 2 }).min() else {
            if entries.keys.contains(where: { $0.hasSuffix("constants.pkl") }) {
                throw InteropError.unsupportedFormat(file: source, problem: "TorchScript archive (torch.jit.save); save the model's state_dict with torch.save instead")
            }
            throw fail("no <archive>/data.pkl entry; not a torch.save checkpoint")
        }
        let prefix = String(pickle.dropLast("/data.pkl".count))
        if let stray = entries.keys.first(where: { !$0.hasPrefix(prefix + "/") }) {
            throw fail("entry \(stray) lies outside the archive folder \(prefix)/")
        }
        self.entries = entries
        self.prefix = prefix
    }

    /// The bytes of `<prefix>/<record>` (e.g. `data.pkl`, `data/3`), checked against the entry's CRC-32.
    public func record(_ record: String) throws -> Data {
        let name = "\(prefix)/\(record)"
        guard let entry = entries[name] else { throw InteropError.malformedArchive(file: source, problem: "entry \(name) is missing") }
        let start = data.startIndex + entry.dataOffset
        let bytes = data[start..<(start + entry.size)]
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        guard crc == entry.crc else {
            throw InteropError.malformedArchive(file: source, problem: "entry \(name) fails its CRC-32 check (damaged file)")
        }
        return bytes
    }

    /// Whether `<prefix>/<record>` exists.
    public func contains(_ record: String) -> Bool { entries["\(prefix)/\(record)"] != nil }
}

/// Little-endian reads that return nil instead of reading outside the data.
struct ByteReader {
    let data: Data

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= data.count else { return nil }
        let base = data.startIndex + offset
        return UInt16(data[base]) | UInt16(data[base + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= data.count else { return nil }
        let base = data.startIndex + offset
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[base + $1]) << (8 * UInt32($1)) }
    }

    func u64(_ offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= data.count else { return nil }
        let base = data.startIndex + offset
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[base + $1]) << (8 * UInt64($1)) }
    }
}

/// The checkpoint format `torch.save` wrote before 1.6 (and with `_use_new_zipfile_serialization=False`): a
/// pickled magic number, protocol version and system info, then pickled objects and raw storages.
enum LegacyCheckpoint {
    /// `\x80\x02\x8a\x0a` + 0x1950a86a20f9469cfc6c little-endian: PROTO 2, LONG1 of 10 bytes, the magic number.
    static let signature: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    static func matches(_ data: Data) -> Bool { data.prefix(signature.count).elementsEqual(signature) }
}
