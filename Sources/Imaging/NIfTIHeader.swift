internal import CNIfTI
import Foundation

/// The fields of a NIfTI-1/-2 header that NeoICH checks before handing a file to niftilib.
///
/// niftilib prints to standard error and trusts much of what it reads; parsing the header here first turns
/// every malformed input (wrong `sizeof_hdr`, bad dimensions, spacing or datatype, truncation) into an
/// `ImagingError` naming the file, and keeps niftilib on inputs it handles cleanly.
struct NIfTIHeader: Sendable {
    var format: NIfTIFormat
    var compressed: Bool
    /// Whether the file is big-endian (the other byte order than this machine's).
    var byteSwapped: Bool
    /// `dim[0...7]` as stored (NIfTI order: dim[1] = x).
    var dims: [Int]
    var datatypeCode: Int
    /// `pixdim[0...7]`.
    var pixdim: [Double]
    var voxOffset: Int
    var sclSlope: Double
    var sclInter: Double

    /// The checked datatype (only valid after `validate`).
    var datatype: NIfTIDatatype? { NIfTIDatatype(rawValue: datatypeCode) }
    /// The grid size (z, y, x).
    var shape: VolumeShape { VolumeShape(z: dims[3], y: dims[2], x: dims[1]) }
    /// The spacing from `pixdim` (z, y, x).
    var spacing: SpacingMM { SpacingMM(z: pixdim[3], y: pixdim[2], x: pixdim[1]) }
    /// Bytes of voxel data the header promises (only meaningful after `validate`, which bounds it).
    var dataByteCount: Int { ImageLimits.product(dims[1], dims[2], dims[3], datatype?.byteCount ?? 0) ?? .max }

    /// Reads and validates the header of `url`, and checks that an uncompressed file holds all its voxels.
    ///
    /// - Throws: `ImagingError` naming the file and the first problem found.
    static func inspect(_ url: URL) throws -> NIfTIHeader {
        let file = url.path
        guard FileManager.default.isReadableFile(atPath: file) else { throw ImagingError.fileNotFound(file: file) }
        let lower = url.lastPathComponent.lowercased()
        guard lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") else {
            throw ImagingError.unsupportedFileExtension(file: file, expected: ".nii or .nii.gz")
        }
        let bytes = try readPrefix(of: url, count: 540)
        var header = try parse(bytes, file: file)
        header.compressed = isGzip(url)
        if header.compressed && lower.hasSuffix(".nii") {
            // niftilib decides by the name and would read the compressed bytes as voxels.
            throw ImagingError.notNIfTI(file: file, detail: "the file is gzip-compressed but named .nii; rename it to .nii.gz")
        }
        try header.validate(file: file)
        if !header.compressed {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let needed = header.voxOffset + header.dataByteCount
            if size < needed {
                throw ImagingError.truncatedFile(
                    file: file, detail: "voxel data needs \(needed) bytes up to its end, the file has \(size)")
            }
        }
        return header
    }

    /// Parses a header from its first bytes (at least 348; 540 for NIfTI-2).
    static func parse(_ bytes: [UInt8], file: String) throws -> NIfTIHeader {
        guard bytes.count >= 4 else {
            throw ImagingError.truncatedFile(file: file, detail: "header: \(bytes.count) of 348 bytes")
        }
        let reader = HeaderBytes(bytes: bytes)
        let little = reader.int32(at: 0, swapped: false)
        let swapped: Bool
        let format: NIfTIFormat
        switch (little, reader.int32(at: 0, swapped: true)) {
        case (348, _): (format, swapped) = (.nifti1, false)
        case (540, _): (format, swapped) = (.nifti2, false)
        case (_, 348): (format, swapped) = (.nifti1, true)
        case (_, 540): (format, swapped) = (.nifti2, true)
        default:
            throw ImagingError.notNIfTI(
                file: file, detail: "sizeof_hdr is \(little); expected 348 (NIfTI-1) or 540 (NIfTI-2)")
        }
        let needed = format == .nifti1 ? 348 : 540
        guard bytes.count >= needed else {
            throw ImagingError.truncatedFile(file: file, detail: "header: \(bytes.count) of \(needed) bytes")
        }
        let magicOffset = format == .nifti1 ? 344 : 4
        let magic = String(decoding: bytes[magicOffset..<(magicOffset + 3)], as: UTF8.self)
        let expectedMagic = format == .nifti1 ? "n+1" : "n+2"
        guard magic == expectedMagic else {
            let pair = magic == "ni1" || magic == "ni2"
            throw ImagingError.notNIfTI(
                file: file,
                detail: pair ? "a two-file (.hdr/.img) header; only single-file .nii/.nii.gz is supported"
                    : "magic is \"\(magic)\"; expected \"\(expectedMagic)\"")
        }
        switch format {
        case .nifti1:
            return NIfTIHeader(
                format: format, compressed: false, byteSwapped: swapped,
                dims: (0..<8).map { Int(reader.int16(at: 40 + 2 * $0, swapped: swapped)) },
                datatypeCode: Int(reader.int16(at: 70, swapped: swapped)),
                pixdim: (0..<8).map { Double(reader.float32(at: 76 + 4 * $0, swapped: swapped)) },
                voxOffset: Int(exactly: reader.float32(at: 108, swapped: swapped).rounded(.down)) ?? .min,
                sclSlope: Double(reader.float32(at: 112, swapped: swapped)),
                sclInter: Double(reader.float32(at: 116, swapped: swapped)))
        case .nifti2:
            return NIfTIHeader(
                format: format, compressed: false, byteSwapped: swapped,
                dims: (0..<8).map { Int(reader.int64(at: 16 + 8 * $0, swapped: swapped)) },
                datatypeCode: Int(reader.int16(at: 12, swapped: swapped)),
                pixdim: (0..<8).map { reader.float64(at: 104 + 8 * $0, swapped: swapped) },
                voxOffset: Int(reader.int64(at: 168, swapped: swapped)),
                sclSlope: reader.float64(at: 176, swapped: swapped),
                sclInter: reader.float64(at: 184, swapped: swapped))
        }
    }

    /// Checks dimensions, datatype, spacing and data offset against `limits` before anything is allocated.
    func validate(file: String, limits: ImageLimits = .standard) throws {
        let rank = dims[0]
        guard rank >= 1 && rank <= 7 else {
            throw ImagingError.invalidDimensions(file: file, detail: "dim[0] = \(rank); expected 1…7")
        }
        let used = Array(dims[0...rank])
        if rank < 3 || (rank > 3 && dims[4...rank].contains(where: { $0 > 1 })) {
            throw ImagingError.notThreeDimensional(file: file, dims: used)
        }
        guard datatype != nil else {
            throw ImagingError.unsupportedDatatype(
                file: file, code: datatypeCode, name: NIfTIDatatype.name(ofCode: datatypeCode))
        }
        try limits.check(shape: shape, spacing: spacing, file: file)
        let headerSize = format == .nifti1 ? 348 : 540
        guard voxOffset != .min else {
            throw ImagingError.notNIfTI(file: file, detail: "vox_offset is not a byte offset")
        }
        guard voxOffset >= headerSize else {
            throw ImagingError.notNIfTI(file: file, detail: "vox_offset \(voxOffset) is inside the \(headerSize)-byte header")
        }
        guard voxOffset - headerSize <= limits.maximumVoxelOffset else {
            throw ImagingError.notNIfTI(
                file: file, detail: "vox_offset \(voxOffset) leaves \(voxOffset - headerSize) bytes of extensions; "
                    + "at most \(limits.maximumVoxelOffset) are accepted")
        }
    }

    // MARK: - Bytes

    /// Reads up to `count` bytes: the number read, or −1 when decompression fails. znzread returns a size_t,
    /// (size_t)−1 on a gzip error, which Swift sees as an `Int` of −1 (or, from other builds, above `count`).
    private static func read(_ stream: znzFile, into target: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        let read = znzread(target, 1, count, stream)
        return read < 0 || read > count ? -1 : read
    }

    /// Whether the file starts with the gzip magic number.
    static func isGzip(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        return magic.count == 2 && magic[magic.startIndex] == 0x1F && magic[magic.startIndex + 1] == 0x8B
    }

    /// The first `count` bytes of the (possibly gzip-compressed) file, fewer if it is shorter.
    static func readPrefix(of url: URL, count: Int) throws -> [UInt8] {
        guard let stream = znzopen(url.path, "rb", 1) else { throw ImagingError.fileNotFound(file: url.path) }
        var file: znzFile? = stream
        defer { Xznzclose(&file) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { Self.read(stream, into: $0.baseAddress, count) }
        if read < 0 {
            throw ImagingError.corruptCompressedData(file: url.path, detail: "the header cannot be decompressed")
        }
        return Array(bytes[0..<read])
    }

    /// Reads the voxel bytes in native byte order.
    ///
    /// Memory grows with the bytes actually read (doubling up to `dataByteCount`), so a tiny compressed file
    /// whose header promises a large image fails at its end having allocated little more than it holds. The
    /// voxels are read here through niftilib's znz streams rather than `nifti_image_load`, because niftilib
    /// silently replaces NaN/Inf floats by 0 while loading, and NeoICH must report them.
    func readVoxelBytes(of url: URL) throws -> RawBytes {
        let file = url.path
        guard let stream = znzopen(file, "rb", 1) else { throw ImagingError.fileNotFound(file: file) }
        var handle: znzFile? = stream
        defer { Xznzclose(&handle) }
        let chunk = 16 << 20
        // Skip the extensions in bounded pieces (vox_offset is checked against `ImageLimits` already).
        var scratch = [UInt8](repeating: 0, count: min(voxOffset, 1 << 20))
        var skipped = 0
        while skipped < voxOffset {
            let want = min(scratch.count, voxOffset - skipped)
            let read = scratch.withUnsafeMutableBytes { Self.read(stream, into: $0.baseAddress, want) }
            guard read >= 0 else {
                throw ImagingError.corruptCompressedData(file: file, detail: "decompression fails before the voxel data")
            }
            skipped += read
            if read < want { break }
        }
        guard skipped == voxOffset else {
            throw ImagingError.truncatedFile(file: file, detail: "the file ends at byte \(skipped), before vox_offset \(voxOffset)")
        }
        let needed = dataByteCount
        // An uncompressed file was checked to hold every byte; a compressed one proves it as it decompresses.
        let bytes = RawBytes(capacity: compressed ? min(needed, chunk) : needed)
        while bytes.count < needed {
            let want = min(chunk, needed - bytes.count)
            bytes.reserve(min(needed, max(bytes.count + want, 2 * bytes.capacity)))
            let read = Self.read(stream, into: bytes.pointer + bytes.count, want)
            if read < 0 {
                throw ImagingError.corruptCompressedData(
                    file: file, detail: "decompression fails after \(bytes.count) of \(needed) voxel bytes")
            }
            bytes.count += read
            if read < want { break }
        }
        guard bytes.count == needed else {
            throw ImagingError.truncatedFile(file: file, detail: "voxel data: \(bytes.count) of \(needed) bytes")
        }
        if byteSwapped, let datatype, datatype.byteCount > 1 {
            let width = datatype.byteCount
            let view = UnsafeMutableBufferPointer(start: bytes.pointer.assumingMemoryBound(to: UInt8.self), count: needed)
            for start in stride(from: 0, to: needed, by: width) {
                var low = start, high = start + width - 1
                while low < high {
                    view.swapAt(low, high)
                    low += 1
                    high -= 1
                }
            }
        }
        return bytes
    }
}

/// Bytes in memory that grows on demand (doubling, capped by the caller), freed on deinit.
final class RawBytes {
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes filled so far.
    var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        guard let memory = malloc(self.capacity) else { fatalError("out of memory allocating \(capacity) bytes") }
        pointer = memory
    }

    /// Makes room for `wanted` bytes in all (the caller chooses the growth).
    func reserve(_ wanted: Int) {
        guard wanted > capacity else { return }
        guard let memory = realloc(pointer, wanted) else { fatalError("out of memory growing to \(wanted) bytes") }
        pointer = memory
        capacity = wanted
    }

    deinit { free(pointer) }
}

/// Little helpers to read header fields at byte offsets, in either byte order.
private struct HeaderBytes {
    let bytes: [UInt8]

    private func raw<T: FixedWidthInteger>(_: T.Type, at offset: Int, swapped: Bool) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            for i in 0..<MemoryLayout<T>.size { target[i] = bytes[offset + i] }
        }
        return swapped ? value.byteSwapped : value
    }

    func int16(at offset: Int, swapped: Bool) -> Int16 { raw(Int16.self, at: offset, swapped: swapped) }
    func int32(at offset: Int, swapped: Bool) -> Int32 { raw(Int32.self, at: offset, swapped: swapped) }
    func int64(at offset: Int, swapped: Bool) -> Int64 { raw(Int64.self, at: offset, swapped: swapped) }
    func float32(at offset: Int, swapped: Bool) -> Float {
        Float(bitPattern: raw(UInt32.self, at: offset, swapped: swapped))
    }
    func float64(at offset: Int, swapped: Bool) -> Double {
        Double(bitPattern: raw(UInt64.self, at: offset, swapped: swapped))
    }
}
