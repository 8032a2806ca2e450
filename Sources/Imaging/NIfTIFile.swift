internal import CNIfTI
import Foundation

/// Reading and writing NIfTI-1/-2 images (`.nii`, `.nii.gz`) through niftilib.
///
/// Files are checked by `NIfTIHeader` before niftilib sees them; niftilib parses headers and writes files,
/// while voxels are read through niftilib's znz streams (see `NIfTIHeader.readVoxelBytes`). Arrays come back in (z, y, x) order with
/// no transposition (NIfTI stores x fastest, which is the same memory layout); `scl_slope`/`scl_inter`
/// are applied (a slope of 0 or NaN means "no scaling", as in the NIfTI standard and nibabel); the qform
/// and sform travel in `VolumeGeometry` unchanged.
public enum NIfTIFile {
    /// Reads a 3-D image as `T`, applying the header's scaling.
    ///
    /// Any stored datatype (uint8, int16, int32, float32, float64) converts to `T` when every scaled value
    /// is representable: `Float` takes anything finite; `Int16` and `UInt8` need integral values in range.
    ///
    /// - Parameters:
    ///   - url: a `.nii` or `.nii.gz` file.
    ///   - type: the element type wanted (`Float.self` for HU, `UInt8.self` for label maps).
    /// - Returns: the volume, in (z, y, x) order, with the file's qform and sform.
    /// - Throws: `ImagingError` naming the file: unreadable, not NIfTI, truncated, corrupt gzip, 2-D or 4-D,
    ///   bad spacing, unsupported datatype, NaN/Inf voxels, values that do not fit `T`.
    public static func read<T: VoxelScalar>(_ url: URL, as type: T.Type = Float.self) throws -> Volume<T> {
        try read(url, header: NIfTIHeader.inspect(url), as: type).volume
    }

    /// Reads a label map (uint8 values in {0, 1, 2}).
    ///
    /// - Throws: as `read`, plus `ImagingError.invalidLabelValues` for values other than 0, 1, 2.
    public static func readLabels(_ url: URL) throws -> LabelMap {
        let labels = try read(url, as: UInt8.self)
        let bad = labels.invalidLabelValues
        if !bad.isEmpty { throw ImagingError.invalidLabelValues(file: url.path, values: bad) }
        return labels
    }

    /// Reads an image and describes it (`neoich info`).
    ///
    /// - Throws: as `read`.
    public static func info(_ url: URL) throws -> VolumeInfo {
        let header = try NIfTIHeader.inspect(url)
        let (volume, datatype) = try read(url, header: header, as: Float.self)
        let range = volume.range
        return VolumeInfo(
            file: url.path, format: header.format, compressed: header.compressed, datatype: datatype.name,
            shape: volume.shape, spacingMM: volume.spacingMM, orientation: volume.geometry.orientationCode,
            affine: volume.geometry.affine, affineSource: volume.geometry.affineSource,
            affineFallback: volume.geometry.affineFallback,
            qformCode: volume.geometry.qformCode, sformCode: volume.geometry.sformCode,
            sclSlope: header.sclSlope, sclInter: header.sclInter,
            minimum: range.map { Double($0.min) } ?? 0, maximum: range.map { Double($0.max) } ?? 0)
    }

    static func read<T: VoxelScalar>(
        _ url: URL, header: NIfTIHeader, as type: T.Type
    ) throws -> (volume: Volume<T>, datatype: NIfTIDatatype) {
        let file = url.path
        // niftilib parses the header (and builds qform/sform from it); the voxels are read by `NIfTIHeader`.
        let image = NIfTILibrary.withLibrary { nifti_image_read(file, 0) }
        guard let image else { throw ImagingError.niftiLibraryFailure(file: file, operation: "read the header") }
        defer { NIfTILibrary.withLibrary { nifti_image_free(image) } }
        let nim = image.pointee
        let shape = VolumeShape(z: Int(nim.nz), y: Int(nim.ny), x: Int(nim.nx))
        guard shape == header.shape, let datatype = header.datatype, Int(nim.datatype) == datatype.rawValue else {
            throw ImagingError.niftiLibraryFailure(file: file, operation: "parse the header consistently")
        }
        let geometry = VolumeGeometry(
            shape: shape, spacingMM: SpacingMM(z: nim.dz, y: nim.dy, x: nim.dx),
            qform: Affine(rowMajor: NIfTILibrary.elements(of: nim.qto_xyz)) ?? .identity,
            qformCode: Int(nim.qform_code),
            sform: Affine(rowMajor: NIfTILibrary.elements(of: nim.sto_xyz)) ?? .identity,
            sformCode: Int(nim.sform_code))
            // A transform that cannot place voxels (NaN, singular) gives way to the next one in NIfTI's order.
            .validatingTransforms()
        let scaling = VoxelScaling(slope: nim.scl_slope, intercept: nim.scl_inter)
        let bytes = try header.readVoxelBytes(of: url)
        let buffer: VoxelBuffer<T> = try withExtendedLifetime(bytes) {
            guard NIfTIDatatype(T.voxelType) == datatype && scaling.isIdentity else {
                return try VoxelConversion.convert(
                    UnsafeRawPointer(bytes.pointer), datatype: datatype, count: shape.count, scaling: scaling, to: T.self, file: file)
            }
            let buffer = VoxelBuffer<T>(count: shape.count, repeating: .zero)
            UnsafeMutableRawPointer(buffer.baseAddress).copyMemory(from: bytes.pointer, byteCount: header.dataByteCount)
            if T.self == Float.self {
                let nonFinite = buffer.bufferPointer.withMemoryRebound(to: Float.self) { v in
                    v.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                }
                if nonFinite > 0 { throw ImagingError.nonFiniteVoxels(file: file, count: nonFinite) }
            }
            return buffer
        }
        return (try Volume(geometry: geometry, buffer: buffer), datatype)
    }

    /// Writes a volume with its geometry (qform, sform and their codes as carried).
    ///
    /// The file is written to a temporary name in the same folder and renamed, so a failed write never
    /// leaves a partial file under `url`. Voxels are stored in the volume's own type (float32, int16,
    /// uint8) with `scl_slope = 1`, `scl_inter = 0`.
    ///
    /// - Parameters:
    ///   - volume: the image or label map.
    ///   - url: a `.nii` or `.nii.gz` path (gzip-compressed when it ends in `.gz`).
    ///   - options: header version, gzip level, description.
    /// - Throws: `ImagingError.unsupportedFileExtension`, `.writeFailed`, `.niftiLibraryFailure`.
    public static func write<T: VoxelScalar>(
        _ volume: Volume<T>, to url: URL, options: NIfTIWriteOptions = NIfTIWriteOptions()
    ) throws {
        let file = url.path
        let name = url.lastPathComponent
        let lower = name.lowercased()
        guard lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") else {
            throw ImagingError.unsupportedFileExtension(file: file, expected: ".nii or .nii.gz")
        }
        guard (0...9).contains(options.compressionLevel) else {
            throw ImagingError.invalidArgument(detail: "gzip level \(options.compressionLevel); expected 0…9")
        }
        guard volume.spacingMM.isValid else {
            throw ImagingError.invalidSpacing(file: file, axis: "\(volume.spacingMM)", value: volume.spacingMM.z)
        }
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
              FileManager.default.isWritableFile(atPath: folder.path) else {
            throw ImagingError.writeFailed(file: file, detail: "folder \(folder.path) does not exist or is not writable")
        }
        let suffix = lower.hasSuffix(".nii.gz") ? ".nii.gz" : ".nii"
        let temporary = folder.appendingPathComponent(".\(UUID().uuidString).partial\(suffix)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try writeWithLibrary(volume, path: temporary.path, reportedAs: file, options: options)
        let size = (try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int) ?? 0
        guard size > 0 else { throw ImagingError.writeFailed(file: file, detail: "niftilib wrote nothing") }
        do {
            if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            throw ImagingError.writeFailed(file: file, detail: "\(error)")
        }
    }

    private static func writeWithLibrary<T: VoxelScalar>(
        _ volume: Volume<T>, path: String, reportedAs file: String, options: NIfTIWriteOptions
    ) throws {
        let geometry = volume.geometry
        let dims: [Int64] = [3, Int64(geometry.shape.x), Int64(geometry.shape.y), Int64(geometry.shape.z), 1, 1, 1, 1]
        let datatype = NIfTIDatatype(T.voxelType)
        try NIfTILibrary.withLibrary {
            guard let image = dims.withUnsafeBufferPointer({ nifti_make_new_nim($0.baseAddress, Int32(datatype.rawValue), 0) })
            else { throw ImagingError.niftiLibraryFailure(file: file, operation: "create a header") }
            defer {
                image.pointee.data = nil  // the voxels belong to the volume
                nifti_image_free(image)
            }
            guard nifti_set_filenames(image, path, 0, 1) == 0 else {
                throw ImagingError.niftiLibraryFailure(file: file, operation: "set the file name")
            }
            // After the file name: niftilib derives a type from the extension, which says nothing of the version.
            image.pointee.nifti_type = options.format == .nifti1 ? NIFTI_FTYPE_NIFTI1_1 : NIFTI_FTYPE_NIFTI2_1
            describe(image, geometry: geometry, options: options)
            let mode = "wb\(options.compressionLevel)"
            try withExtendedLifetime(volume.buffer) {
                image.pointee.data = UnsafeMutableRawPointer(volume.buffer.baseAddress)
                defer { image.pointee.data = nil }
                if options.format == .nifti1 {
                    _ = nifti_image_write_hdr_img(image, 1, mode)
                } else {
                    try writeNIfTI2(image, path: path, mode: mode, reportedAs: file)
                }
                guard FileManager.default.fileExists(atPath: path) else {
                    throw ImagingError.writeFailed(file: file, detail: "niftilib could not create the file")
                }
            }
        }
    }

    /// Writes a single-file NIfTI-2: niftilib 3.0.1 (Debian 12) treats NIFTI2_1 as a two-file type when
    /// writing and overwrites its own header with the voxels, so the header comes from niftilib's
    /// `nifti_convert_nim2n2hdr` and the bytes are written here (header, empty extension flag, voxels).
    private static func writeNIfTI2(_ image: UnsafeMutablePointer<nifti_image>, path: String, mode: String,
                                    reportedAs file: String) throws {
        var header = nifti_2_header()
        guard nifti_convert_nim2n2hdr(image, &header) == 0 else {
            throw ImagingError.niftiLibraryFailure(file: file, operation: "build a NIfTI-2 header")
        }
        let headerSize = MemoryLayout<nifti_2_header>.size
        header.vox_offset = Int64(headerSize + 4)
        guard let stream = znzopen(path, mode, nifti_is_gzfile(path)) else {
            throw ImagingError.writeFailed(file: file, detail: "cannot open for writing")
        }
        var handle: znzFile? = stream
        defer { Xznzclose(&handle) }
        let dataBytes = Int(image.pointee.nvox) * Int(image.pointee.nbyper)
        var extender: [UInt8] = [0, 0, 0, 0]
        let written = withUnsafeBytes(of: &header) { znzwrite($0.baseAddress, 1, headerSize, stream) }
            + extender.withUnsafeMutableBytes { znzwrite($0.baseAddress, 1, 4, stream) }
            + znzwrite(image.pointee.data, 1, dataBytes, stream)
        guard written == headerSize + 4 + dataBytes else {
            throw ImagingError.writeFailed(file: file, detail: "wrote \(written) of \(headerSize + 4 + dataBytes) bytes")
        }
    }

    /// Fills spacing, units, transforms, scaling and description.
    private static func describe(_ image: UnsafeMutablePointer<nifti_image>, geometry: VolumeGeometry,
                                 options: NIfTIWriteOptions) {
        let spacing = geometry.spacingMM
        image.pointee.dx = spacing.x
        image.pointee.dy = spacing.y
        image.pointee.dz = spacing.z
        image.pointee.pixdim.1 = spacing.x
        image.pointee.pixdim.2 = spacing.y
        image.pointee.pixdim.3 = spacing.z
        image.pointee.xyz_units = NIFTI_UNITS_MM
        image.pointee.scl_slope = 1
        image.pointee.scl_inter = 0
        image.pointee.qform_code = Int32(geometry.qformCode)
        image.pointee.sform_code = Int32(geometry.sformCode)
        if geometry.qformCode > 0 {
            let q = NIfTILibrary.matrix(from: geometry.qform)
            var qb = 0.0, qc = 0.0, qd = 0.0, qx = 0.0, qy = 0.0, qz = 0.0, dx = 0.0, dy = 0.0, dz = 0.0, qfac = 0.0
            nifti_dmat44_to_quatern(q, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac)
            image.pointee.quatern_b = qb
            image.pointee.quatern_c = qc
            image.pointee.quatern_d = qd
            image.pointee.qoffset_x = qx
            image.pointee.qoffset_y = qy
            image.pointee.qoffset_z = qz
            image.pointee.qfac = qfac
            image.pointee.pixdim.0 = qfac
            image.pointee.qto_xyz = q
        }
        if geometry.sformCode > 0 {
            image.pointee.sto_xyz = NIfTILibrary.matrix(from: geometry.sform)
        }
        withUnsafeMutableBytes(of: &image.pointee.descrip) { target in
            let text = Array(options.description.utf8.prefix(target.count - 1))
            for (i, byte) in text.enumerated() { target[i] = byte }
            target[text.count] = 0
        }
    }
}

/// How `NIfTIFile.write` encodes a file.
public struct NIfTIWriteOptions: Sendable {
    /// Header version; NIfTI-1 (default) opens in every viewer, NIfTI-2 only where int64 sizes are needed.
    public var format: NIfTIFormat
    /// gzip level for `.nii.gz`, 0…9. Default 6 (zlib's default); 1 is several times faster and ~10 % larger.
    public var compressionLevel: Int
    /// Header `descrip` (at most 79 bytes are kept).
    public var description: String

    public init(format: NIfTIFormat = .nifti1, compressionLevel: Int = 6, description: String = "NeoICH") {
        self.format = format
        self.compressionLevel = compressionLevel
        self.description = description
    }
}
