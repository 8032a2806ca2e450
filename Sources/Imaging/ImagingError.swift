/// Everything that can go wrong reading, checking, converting or writing images, datasets and renderings.
///
/// Each case names the file (or argument) and the problem, with the expected value where there is one;
/// `description` is the message shown to users.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: files
    /// The file or folder does not exist or cannot be read.
    case fileNotFound(file: String)
    /// The name does not end in a supported extension.
    case unsupportedFileExtension(file: String, expected: String)
    /// The header is not a NIfTI-1/-2 single-file header (bad `sizeof_hdr` or magic).
    case notNIfTI(file: String, detail: String)
    /// The file ends before the header or the voxel data.
    case truncatedFile(file: String, detail: String)
    /// The gzip stream cannot be decompressed.
    case corruptCompressedData(file: String, detail: String)
    /// A datatype NeoICH does not read (it reads uint8, int16, int32, float32, float64).
    case unsupportedDatatype(file: String, code: Int, name: String)
    /// The image is not 3-D (2-D, or 4-D with more than one volume).
    case notThreeDimensional(file: String, dims: [Int])
    /// A grid size is zero, negative or implausibly large.
    case invalidDimensions(file: String, detail: String)
    /// A voxel spacing is zero, negative or not finite.
    case invalidSpacing(file: String, axis: String, value: Double)
    /// Some voxels are NaN or infinite.
    case nonFiniteVoxels(file: String, count: Int)
    /// Scaled values do not fit the requested element type (e.g. non-integral labels).
    case valuesNotRepresentable(file: String, type: VoxelType, detail: String)
    /// niftilib refused an operation (its own message went to standard error).
    case niftiLibraryFailure(file: String, operation: String)
    /// Writing failed.
    case writeFailed(file: String, detail: String)
    // MARK: volumes and label maps
    /// A voxel array does not match the grid it is meant for.
    case voxelCountMismatch(expected: Int, actual: Int)
    /// A label map holds values other than 0 (background), 1 (ICH), 2 (PHE).
    case invalidLabelValues(file: String, values: [UInt8])
    /// A label map (or second image) is not on the grid of its image.
    case geometryMismatch(file: String, detail: String)
    /// The image cannot be a head CT in HU (no air, no head, a single slice): see `HeadCTPlausibility`.
    case implausibleHeadCT(file: String, reason: String)
    /// An argument is out of range (slice index, crop size, window width…).
    case invalidArgument(detail: String)
    // MARK: DICOM and archives
    /// The DICOM folder holds no files.
    case emptyDICOMFolder(file: String)
    /// dcm2niix found no convertible DICOM series.
    case noDICOMSeries(file: String, detail: String)
    /// No series is CT.
    case noCTSeries(file: String, found: String)
    /// CT series exist but none passes the selection rules.
    case noEligibleSeries(file: String, detail: String)
    /// An external program (dcm2niix, unzip) is missing.
    case externalToolMissing(tool: String)
    /// An external program exited with an error.
    case externalToolFailed(tool: String, file: String, status: Int32, message: String)
    /// A zip entry would be written outside the extraction folder (absolute path, `..`, link).
    case unsafeArchiveEntry(file: String, entry: String)
    /// The archive cannot be listed or extracted.
    case invalidArchive(file: String, detail: String)
    // MARK: datasets and rendering
    /// A dataset file (dataset.json, cohort.csv) is malformed.
    case invalidDataset(file: String, detail: String)
    /// A PNG could not be encoded, written or read.
    case pngFailed(file: String, detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let file): "\(file): no such file or folder, or not readable"
        case .unsupportedFileExtension(let file, let expected): "\(file): unsupported file name; expected \(expected)"
        case .notNIfTI(let file, let detail): "\(file): not a NIfTI file: \(detail)"
        case .truncatedFile(let file, let detail): "\(file): truncated: \(detail)"
        case .corruptCompressedData(let file, let detail): "\(file): corrupt gzip data: \(detail)"
        case .unsupportedDatatype(let file, let code, let name):
            "\(file): unsupported datatype \(name) (code \(code)); expected uint8, int16, uint16, int32, float32 or float64"
        case .notThreeDimensional(let file, let dims):
            "\(file): image is not 3-D (dim = \(dims)); expected dim[0] = 3, or 4 with a single volume"
        case .invalidDimensions(let file, let detail): "\(file): invalid dimensions: \(detail)"
        case .invalidSpacing(let file, let axis, let value):
            "\(file): invalid voxel spacing \(value) mm on axis \(axis); expected a finite value from "
                + "\(ImageLimits.standard.minimumSpacingMM) to \(ImageLimits.standard.maximumSpacingMM) mm"
        case .nonFiniteVoxels(let file, let count): "\(file): \(count) voxels are NaN or infinite"
        case .valuesNotRepresentable(let file, let type, let detail): "\(file): values do not fit \(type.rawValue): \(detail)"
        case .niftiLibraryFailure(let file, let operation): "\(file): niftilib failed to \(operation)"
        case .writeFailed(let file, let detail): "\(file): cannot write: \(detail)"
        case .voxelCountMismatch(let expected, let actual): "voxel count \(actual) does not match the grid (\(expected) voxels)"
        case .invalidLabelValues(let file, let values):
            "\(file): label values \(values.map(String.init)) outside {0 background, 1 ICH, 2 PHE}"
        case .geometryMismatch(let file, let detail): "\(file): not on the grid of its image: \(detail)"
        case .implausibleHeadCT(let file, let reason): "\(file): not plausibly a head CT in HU: \(reason)"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        case .emptyDICOMFolder(let file): "\(file): DICOM folder is empty"
        case .noDICOMSeries(let file, let detail): "\(file): no DICOM series found: \(detail)"
        case .noCTSeries(let file, let found): "\(file): no CT series (found \(found))"
        case .noEligibleSeries(let file, let detail): "\(file): no CT series passes the selection rules: \(detail)"
        case .externalToolMissing(let tool): "\(tool) is not installed (run scripts/install-deps)"
        case .externalToolFailed(let tool, let file, let status, let message):
            "\(file): \(tool) failed with status \(status): \(message)"
        case .unsafeArchiveEntry(let file, let entry):
            "\(file): archive entry \"\(entry)\" would be extracted outside the target folder (absolute path, .. or link)"
        case .invalidArchive(let file, let detail): "\(file): cannot read archive: \(detail)"
        case .invalidDataset(let file, let detail): "\(file): \(detail)"
        case .pngFailed(let file, let detail): "\(file): PNG: \(detail)"
        }
    }
}
