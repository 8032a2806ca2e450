import Foundation
import Stats

/// A corpus of malformed and malicious scan files, written byte by byte (no NeoICH code makes them), for the
/// tests that every reader of files — the library, the command line, the cohort run and the web reader —
/// refuses each one with an error naming the file, quickly and in bounded memory.
///
/// Each entry names what a careful tool must say about it (`expected`, words that appear in the message,
/// lowercased). Compressed entries go through `/bin/gzip`; zip archives are assembled here (stored entries
/// and raw deflate streams taken from gzip's output).
public enum HostileInputs {
    public struct Entry: Sendable {
        /// File name (its extension decides how NeoICH reads it).
        public var name: String
        /// Words that the error message must contain (any one of them), lowercased.
        public var expected: [String]
        /// What makes it hostile.
        public var why: String
        /// Whether reading the file already refuses it (`NIfTIFile.read`, `ZipArchive`); `false` for files that
        /// read cleanly but cannot be a head CT in HU, which the pipeline refuses before any model runs.
        public var refusedOnReading = true
        let make: @Sendable (URL) throws -> Void
    }

    // MARK: - The corpus

    /// Every entry (≥ 40).
    public static let all: [Entry] = nifti + compressed + archives + implausible

    /// The corpus written once per machine into the temporary folder (its name carries the corpus's version),
    /// shared by every test that reads it; generating the two 1 GiB-expanding files takes seconds.
    public static func shared() throws -> [(url: URL, entry: Entry)] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-hostile-corpus-v1-\(all.count)")
        if all.allSatisfy({ FileManager.default.fileExists(atPath: folder.appendingPathComponent($0.name).path) }) {
            return all.map { (folder.appendingPathComponent($0.name), $0) }
        }
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent)-\(UUID().uuidString)")
        _ = try write(to: staging)
        try? FileManager.default.removeItem(at: folder)
        if (try? FileManager.default.moveItem(at: staging, to: folder)) == nil { try? FileManager.default.removeItem(at: staging) }
        return all.map { (folder.appendingPathComponent($0.name), $0) }
    }

    /// Writes every entry into `folder` and returns the files with their entries.
    public static func write(to folder: URL) throws -> [(url: URL, entry: Entry)] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try all.map { entry in
            let url = folder.appendingPathComponent(entry.name)
            try entry.make(url)
            return (url, entry)
        }
    }

    static func bytes(_ name: String, _ expected: [String], _ why: String,
                      _ build: @escaping @Sendable () -> [UInt8]) -> Entry {
        Entry(name: name, expected: expected, why: why) { try Data(build()).write(to: $0) }
    }

    static func gzipped(_ name: String, _ expected: [String], _ why: String,
                        _ build: @escaping @Sendable () -> [UInt8]) -> Entry {
        Entry(name: name, expected: expected, why: why) { try Data(gzip(build())).write(to: $0) }
    }

    static let nifti: [Entry] = [
        bytes("n2_dims_overflow.nii", ["exceed", "per axis"], "NIfTI-2 dimensions whose product overflows Int64") {
            var h = NIfTI2(); h.dims = [3, 1 << 40, 1 << 40, 1 << 40]; return h.bytes() + [UInt8](repeating: 0, count: 4)
        },
        bytes("n2_dims_product_overflow.nii", ["exceed", "per axis"], "three axes of 2²¹ voxels: 2⁶³ in all") {
            var h = NIfTI2(); h.dims = [3, 1 << 21, 1 << 21, 1 << 21]; return h.bytes()
        },
        bytes("n2_vox_offset_max.nii", ["vox_offset"], "NIfTI-2 vox_offset = Int64.max") {
            var h = NIfTI2(); h.voxOffset = Int64.max; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n2_vox_offset_negative.nii", ["vox_offset"], "negative vox_offset") {
            var h = NIfTI2(); h.voxOffset = -544; return h.bytes() + phantomVoxels(h.shape)
        },
        gzipped("n1_vox_offset_1e15.nii.gz", ["vox_offset"], "a 77-byte .nii.gz whose vox_offset asks to skip 10¹⁵ bytes") {
            var h = NIfTI1(); h.voxOffset = 1e15; return h.bytes()
        },
        bytes("n1_vox_offset_nan.nii", ["vox_offset"], "vox_offset NaN") {
            var h = NIfTI1(); h.voxOffset = .nan; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_vox_offset_in_header.nii", ["vox_offset"], "vox_offset inside the header") {
            var h = NIfTI1(); h.voxOffset = 100; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_1e20.nii", ["spacing"], "a spacing of 10²⁰ mm") {
            var h = NIfTI1(); h.pixdim[1] = 1e20; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_zero.nii", ["spacing"], "zero spacing") {
            var h = NIfTI1(); h.pixdim[3] = 0; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_negative.nii", ["spacing"], "negative spacing") {
            var h = NIfTI1(); h.pixdim[2] = -0.5; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_nan.nii", ["spacing"], "NaN spacing") {
            var h = NIfTI1(); h.pixdim[1] = .nan; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_inf.nii", ["spacing"], "infinite spacing") {
            var h = NIfTI1(); h.pixdim[3] = .infinity; return h.bytes() + phantomVoxels(h.shape)
        },
        gzipped("n1_pixels_50mm.nii.gz", ["extent", "spacing"], "50 mm pixels: a 3.2 m field of view and an unbounded resampled grid") {
            var h = NIfTI1(); h.pixdim[1] = 50; h.pixdim[2] = 50; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_spacing_tiny.nii", ["spacing"], "0.0001 mm voxels (a 10⁶-fold upsampled grid)") {
            var h = NIfTI1(); h.pixdim[1] = 1e-4; h.pixdim[2] = 1e-4; return h.bytes() + phantomVoxels(h.shape)
        },
        gzipped("n1_promises_8gb.nii.gz", ["exceed"], "a 98-byte .nii.gz promising 2048×2048×512 float32 (8 GiB)") {
            var h = NIfTI1(); h.dims = [3, 2048, 2048, 512]; h.datatype = 16; h.bitpix = 32
            h.pixdim[1] = 0.1; h.pixdim[2] = 0.1; h.pixdim[3] = 0.5; return h.bytes()
        },
        bytes("n1_axis_too_long.nii", ["per axis"], "32767 voxels on one axis") {
            var h = NIfTI1(); h.dims = [3, 32767, 2, 2]; h.pixdim[1] = 0.01; return h.bytes()
        },
        bytes("n1_dim0_zero.nii", ["dim[0]"], "dim[0] = 0") {
            var h = NIfTI1(); h.dims[0] = 0; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_dim0_eight.nii", ["dim[0]"], "dim[0] = 8") {
            var h = NIfTI1(); h.dims[0] = 8; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_negative_dim.nii", ["size -64"], "a negative axis size") {
            var h = NIfTI1(); h.dims[1] = -64; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_zero_dim.nii", ["size 0"], "an axis of size 0") {
            var h = NIfTI1(); h.dims[2] = 0; return h.bytes()
        },
        bytes("n1_two_dimensional.nii", ["not 3-d"], "a 2-D image") {
            var h = NIfTI1(); h.dims = [2, 64, 64, 1]; return h.bytes() + phantomVoxels(VolumeSize(x: 64, y: 64, z: 1))
        },
        bytes("n1_four_dimensional.nii", ["not 3-d"], "a time series of two volumes") {
            var h = NIfTI1(); h.dims = [4, 64, 64, 16, 2]; return h.bytes() + phantomVoxels(h.shape) + phantomVoxels(h.shape)
        },
        bytes("n1_complex_datatype.nii", ["datatype"], "complex64 voxels") {
            var h = NIfTI1(); h.datatype = 32; h.bitpix = 64; return h.bytes() + phantomVoxels(h.shape) + phantomVoxels(h.shape)
        },
        bytes("n1_datatype_zero.nii", ["datatype"], "datatype 0") {
            var h = NIfTI1(); h.datatype = 0; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_bad_sizeof_hdr.nii", ["sizeof_hdr"], "sizeof_hdr 349") {
            var b = NIfTI1().bytes(); b[0] = 93; return b + phantomVoxels(NIfTI1().shape)
        },
        bytes("n1_bad_magic.nii", ["magic"], "magic \"xyz\"") {
            var b = NIfTI1().bytes(); b[344] = 0x78; b[345] = 0x79; b[346] = 0x7A; return b + phantomVoxels(NIfTI1().shape)
        },
        bytes("n1_two_file_magic.nii", ["two-file"], "an .hdr/.img header (magic ni1) in a .nii") {
            var b = NIfTI1().bytes(); b[345] = 0x69; return b + phantomVoxels(NIfTI1().shape)
        },
        bytes("n1_truncated_header.nii", ["truncated"], "100 bytes of a header") { Array(NIfTI1().bytes().prefix(100)) },
        bytes("n1_truncated_voxels.nii", ["truncated"], "half the voxels") {
            NIfTI1().bytes() + Array(phantomVoxels(NIfTI1().shape).prefix(10_000))
        },
        bytes("empty.nii", ["truncated", "empty"], "an empty file") { [] },
        bytes("text.nii", ["not a nifti"], "a text file named .nii") { Array(String(repeating: "not a scan ", count: 60).utf8) },
        bytes("n1_nan_voxels.nii", ["nan"], "float32 voxels with NaN") {
            var h = NIfTI1(); h.datatype = 16; h.bitpix = 32
            var voxels = phantomFloats(h.shape); voxels[1234] = .nan; voxels[4321] = .nan
            return h.bytes() + voxels.flatMap { bytesOf($0.bitPattern) }
        },
        bytes("n1_inf_voxels.nii", ["nan", "infinite"], "float32 voxels with +Inf") {
            var h = NIfTI1(); h.datatype = 16; h.bitpix = 32
            var voxels = phantomFloats(h.shape); voxels[99] = .infinity
            return h.bytes() + voxels.flatMap { bytesOf($0.bitPattern) }
        },
        bytes("n1_scl_slope_huge.nii", ["nan", "infinite", "do not fit"], "scl_slope 10³⁸ scales every voxel to infinity") {
            var h = NIfTI1(); h.sclSlope = 1e38; return h.bytes() + phantomVoxels(h.shape)
        },
        bytes("n1_big_endian_overflow.nii", ["per axis", "exceed"], "big-endian header with 32767-voxel axes") {
            var h = NIfTI1(); h.dims = [3, 32767, 32767, 32767]; h.bigEndian = true; return h.bytes()
        },
    ]

    static let compressed: [Entry] = [
        Entry(name: "gzip_named_nii.nii", expected: ["gzip"], why: "a gzip-compressed scan named .nii") {
            try Data(gzip(NIfTI1().bytes() + phantomVoxels(NIfTI1().shape))).write(to: $0)
        },
        Entry(name: "corrupt_gzip.nii.gz", expected: ["gzip", "truncated"], why: "gzip stream with flipped bytes") {
            var data = gzip(NIfTI1().bytes() + phantomVoxels(NIfTI1().shape))
            for i in stride(from: data.count / 3, to: data.count * 2 / 3, by: 5) { data[i] ^= 0xA5 }
            try Data(data).write(to: $0)
        },
        Entry(name: "truncated_gzip.nii.gz", expected: ["gzip", "truncated"], why: "gzip stream cut in half") {
            let data = gzip(NIfTI1().bytes() + phantomVoxels(NIfTI1().shape))
            try Data(data.prefix(data.count / 2)).write(to: $0)
        },
        Entry(name: "gzip_garbage_stream.nii.gz", expected: ["gzip"],
              why: "a gzip header followed by an invalid deflate stream (found by fuzzing: zlib's −1 trapped the header read)") {
            var generator = SplitMix64(seed: 11)
            try Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + (0..<600).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: $0)
        },
        Entry(name: "gzip_header_only.nii.gz", expected: ["truncated", "gzip"], why: "the first 12 bytes of a gzip stream") {
            try Data(gzip(NIfTI1().bytes()).prefix(12)).write(to: $0)
        },
        Entry(name: "zeros_1024_cubed.nii.gz", expected: ["exceed", "extent"], why: "a valid 4.7 MB .nii.gz of 1024³ uint8 zeros (1 GiB)") {
            var h = NIfTI1(); h.dims = [3, 1024, 1024, 1024]; h.datatype = 2; h.bitpix = 8
            h.pixdim[1] = 0.25; h.pixdim[2] = 0.25; h.pixdim[3] = 0.25
            try Data(gzip(h.bytes(), zeros: 1 << 30)).write(to: $0)
        },
    ]

    static let archives: [Entry] = [
        Entry(name: "zip_traversal.zip", expected: ["outside"], why: "an entry named ../../evil.dcm") {
            try Data(Zip.archive([.stored("../../evil.dcm", Array("x".utf8))])).write(to: $0)
        },
        Entry(name: "zip_absolute.zip", expected: ["outside"], why: "an entry named /tmp/evil.dcm") {
            try Data(Zip.archive([.stored("/tmp/evil.dcm", Array("x".utf8))])).write(to: $0)
        },
        Entry(name: "zip_symlink.zip", expected: ["outside", "link"], why: "a symbolic link to /etc") {
            try Data(Zip.archive([.symlink("series/link", target: "/etc")])).write(to: $0)
        },
        Entry(name: "zip_bomb_declared.zip", expected: ["expand"], why: "4.7 MB that declares and holds 1 GiB of zeros") {
            try Data(Zip.archive([.deflatedZeros("slice.dcm", count: 1 << 30, lieAboutSize: false)])).write(to: $0)
        },
        Entry(name: "zip_bomb_lying.zip", expected: ["expand"], why: "declares 1 KB, inflates to 128 MiB of zeros") {
            try Data(Zip.archive([.deflatedZeros("slice.dcm", count: 128 << 20, lieAboutSize: true)])).write(to: $0)
        },
        Entry(name: "zip_many_entries.zip", expected: ["entries"], why: "25 000 empty entries") {
            try Data(Zip.archive((0..<25_000).map { .stored("f\($0)", []) })).write(to: $0)
        },
        Entry(name: "zip_not_a_zip.zip", expected: ["not a zip"], why: "random bytes named .zip") {
            var generator = SplitMix64(seed: 7)
            try Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: $0)
        },
        Entry(name: "zip_truncated.zip", expected: ["not a zip", "truncated", "damaged"], why: "the first half of an archive") {
            let data = Zip.archive([.stored("a.dcm", Array(repeating: 1, count: 5000)), .stored("b.dcm", Array(repeating: 2, count: 5000))])
            try Data(data.prefix(data.count / 2)).write(to: $0)
        },
        Entry(name: "zip_empty.zip", expected: ["empty", "no files"], why: "an archive with no entries") {
            try Data(Zip.archive([])).write(to: $0)
        },
        Entry(name: "zip_no_dicom.zip", expected: ["no dicom"], why: "an archive of text files") {
            try Data(Zip.archive([.stored("readme.txt", Array("hello".utf8)), .stored("notes/a.txt", Array("b".utf8))])).write(to: $0)
        },
    ]

    /// Valid NIfTI files that are not a head CT in HU.
    static let implausible: [Entry] = [
        ("one_voxel.nii", [3, 1, 1, 1], "a 1×1×1 image"),
        ("one_slice.nii", [3, 64, 64, 1], "a single axial slice"),
        ("one_row.nii", [3, 64, 1, 16], "one voxel thick in y"),
    ].map { name, dims, why in
        var entry = bytes(name, ["not plausibly a head ct"], why) {
            var h = NIfTI1(); h.dims = dims; return h.bytes() + phantomVoxels(h.shape)
        }
        entry.refusedOnReading = false
        return entry
    } + [
        ("raw_0_255.nii", "raw 0–255 display values stored as uint8 and taken for HU", { @Sendable () -> [UInt8] in
            var h = NIfTI1(); h.datatype = 2; h.bitpix = 8
            return h.bytes() + phantomFloats(h.shape).map { $0 < -500 ? 0 : $0 > 500 ? 255 : 40 }
        }),
        ("raw_0_4095.nii", "12-bit stored values without the rescale intercept", { @Sendable () -> [UInt8] in
            let h = NIfTI1()
            return h.bytes() + phantomFloats(h.shape).flatMap { bytesOf(Int16($0 + 1024)) }
        }),
        ("all_air.nii", "nothing but air", { @Sendable () -> [UInt8] in
            let h = NIfTI1()
            return h.bytes() + phantomFloats(h.shape).flatMap { _ in bytesOf(Int16(-1000)) }
        }),
    ].map { (name: String, why: String, build: @escaping @Sendable () -> [UInt8]) in
        var entry = bytes(name, ["not plausibly a head ct"], why, build)
        entry.refusedOnReading = false
        return entry
    }

    // MARK: - Images

    /// Grid size (NIfTI order).
    struct VolumeSize { var x: Int, y: Int, z: Int }

    /// A head-like int16 phantom in HU: air −1000, a 6 mm skull of 1000 HU, brain 35 HU, a 70 HU bleed.
    static func phantomVoxels(_ size: VolumeSize) -> [UInt8] {
        phantomFloats(size).flatMap { bytesOf(Int16($0)) }
    }

    static func phantomFloats(_ size: VolumeSize) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(size.x * size.y * size.z)
        for _ in 0..<size.z {
            for y in 0..<size.y {
                for x in 0..<size.x {
                    let u = (Double(x) + 0.5) / Double(size.x) * 2 - 1, v = (Double(y) + 0.5) / Double(size.y) * 2 - 1
                    let r = (u * u / 0.81 + v * v / 0.64).squareRoot()
                    let bleed = ((u - 0.25) * (u - 0.25) + v * v).squareRoot() < 0.15
                    values.append(r > 1 ? -1000 : r > 0.9 ? 1000 : bleed ? 70 : 35)
                }
            }
        }
        return values
    }

    static func bytesOf<T: FixedWidthInteger>(_ value: T, bigEndian: Bool = false) -> [UInt8] {
        let stored = bigEndian ? value.bigEndian : value.littleEndian
        return withUnsafeBytes(of: stored) { Array($0) }
    }

    /// A NIfTI-1 header, 64×64×16 int16 at 3.5×3.5×5 mm, sform diag(−3.5, −3.5, 5) (LPS), data at 352.
    struct NIfTI1 {
        var dims: [Int] = [3, 64, 64, 16]
        var datatype = 4, bitpix = 16
        var pixdim: [Float] = [1, 3.5, 3.5, 5, 1, 1, 1, 1]
        var voxOffset: Float = 352
        var sclSlope: Float = 1, sclInter: Float = 0
        var bigEndian = false
        var shape: VolumeSize { VolumeSize(x: max(dims[1], 0), y: max(dims[2], 0), z: max(dims[3], 0)) }

        func bytes() -> [UInt8] {
            var b = [UInt8](repeating: 0, count: 352)
            func put<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
                for (i, byte) in bytesOf(value, bigEndian: bigEndian).enumerated() { b[offset + i] = byte }
            }
            func putFloat(_ value: Float, _ offset: Int) { put(value.bitPattern, offset) }
            put(Int32(348), 0)
            for i in 0..<8 { put(Int16(truncatingIfNeeded: i < dims.count ? dims[i] : 1), 40 + 2 * i) }
            put(Int16(datatype), 70)
            put(Int16(bitpix), 72)
            for i in 0..<8 { putFloat(pixdim[i], 76 + 4 * i) }
            putFloat(voxOffset, 108)
            putFloat(sclSlope, 112)
            putFloat(sclInter, 116)
            b[123] = 2  // mm
            put(Int16(1), 254)  // sform_code scanner
            putFloat(-pixdim[1], 280)
            putFloat(-pixdim[2], 296 + 4)
            putFloat(pixdim[3], 312 + 8)
            for (i, byte) in Array("n+1\0".utf8).enumerated() { b[344 + i] = byte }
            return b
        }
    }

    /// A NIfTI-2 header of the same image, data at 544.
    struct NIfTI2 {
        var dims: [Int64] = [3, 64, 64, 16]
        var voxOffset: Int64 = 544
        var shape: VolumeSize {
            func size(_ v: Int64) -> Int { v > 0 && v < 4096 ? Int(v) : 0 }
            return VolumeSize(x: size(dims[1]), y: size(dims[2]), z: size(dims[3]))
        }

        func bytes() -> [UInt8] {
            var b = [UInt8](repeating: 0, count: 544)
            func put<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
                for (i, byte) in bytesOf(value).enumerated() { b[offset + i] = byte }
            }
            put(Int32(540), 0)
            for (i, byte) in [0x6E, 0x2B, 0x32, 0, 0x0D, 0x0A, 0x1A, 0x0A].enumerated() { b[4 + i] = UInt8(byte) }
            put(Int16(4), 12)
            put(Int16(16), 14)
            for i in 0..<8 { put(i < dims.count ? dims[i] : 1, 16 + 8 * i) }
            for (i, spacing) in [1.0, 3.5, 3.5, 5, 1, 1, 1, 1].enumerated() { put(spacing.bitPattern, 104 + 8 * i) }
            put(voxOffset, 168)
            put((1.0).bitPattern, 176)
            put(Int32(2), 500)
            return b
        }
    }

    // MARK: - gzip and zip

    /// `bytes` followed by `zeros` zero bytes, compressed by `/bin/gzip -1 -n` (streamed, never in memory whole).
    static func gzip(_ bytes: [UInt8], zeros: Int = 0) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-1", "-n", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { fatalError("/bin/gzip cannot run: \(error)") }
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            let block = Data(count: 1 << 20)
            var left = zeros
            while left > 0 {
                let part = min(left, block.count)
                input.fileHandleForWriting.write(block.prefix(part))
                left -= part
            }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    /// A zip archive writer for the corpus: stored entries, symbolic links and deflated runs of zeros.
    /// A well-formed .zip of stored (uncompressed) files, for tests that upload a DICOM series as one file.
    public static func storedZip(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        Zip.archive(files.map { .stored($0.name, $0.bytes) })
    }

    enum Zip {
        enum Item {
            case stored(String, [UInt8])
            case symlink(String, target: String)
            case deflatedZeros(String, count: Int, lieAboutSize: Bool)
        }

        static func archive(_ items: [Item]) -> [UInt8] {
            var out: [UInt8] = [], central: [UInt8] = []
            func u16(_ v: Int) -> [UInt8] { bytesOf(UInt16(truncatingIfNeeded: v)) }
            func u32(_ v: Int) -> [UInt8] { bytesOf(UInt32(truncatingIfNeeded: v)) }
            for item in items {
                let name: String, method: Int, payload: [UInt8], crc: UInt32, size: Int, external: Int
                switch item {
                case .stored(let n, let data):
                    (name, method, payload, crc, size, external) = (n, 0, data, crc32(data), data.count, 0o100644 << 16)
                case .symlink(let n, let target):
                    let data = Array(target.utf8)
                    (name, method, payload, crc, size, external) = (n, 0, data, crc32(data), data.count, 0o120777 << 16)
                case .deflatedZeros(let n, let count, let lie):
                    let stream = gzip([], zeros: count)
                    // gzip = 10-byte header (no name with -n) + raw deflate + CRC32 + ISIZE.
                    let deflate = Array(stream[10..<(stream.count - 8)])
                    let trailer = Array(stream[(stream.count - 8)...])
                    let storedCRC = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
                    (name, method, payload, crc, size, external) = (n, 8, deflate, storedCRC, lie ? 1000 : count, 0o100644 << 16)
                }
                let nameBytes = Array(name.utf8)
                let offset = out.count
                let common = u16(20) + u16(0) + u16(method) + u16(0) + u16(0x21) + u32(Int(crc)) + u32(payload.count) + u32(size)
                    + u16(nameBytes.count) + u16(0)
                out += u32(0x0403_4B50) + common + nameBytes + payload
                central += u32(0x0201_4B50) + u16(0x031E) + common + u16(0) + u16(0) + u16(0) + u32(external) + u32(offset) + nameBytes
            }
            let start = out.count
            out += central
            out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(items.count) + u16(items.count) + u32(central.count) + u32(start) + u16(0)
            return out
        }
    }

    /// CRC-32 (IEEE 802.3, as zip and gzip use).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
