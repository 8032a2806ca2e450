/// Everything that can stop a prediction, naming the file or folder and the problem.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is neither a NIfTI file (.nii, .nii.gz) nor a DICOM folder or .zip.
    case unsupportedInput(file: String)
    /// A model folder is missing or incomplete.
    case modelMissing(folder: String, detail: String)
    /// A model folder exists but cannot be used (wrong version, weights that do not fit).
    case modelInvalid(folder: String, detail: String)
    /// A cohort folder holds no scans.
    case emptyCohort(folder: String)
    /// A report on disk cannot be read or is of another schema version.
    case invalidReport(file: String, detail: String)
    /// An output could not be written.
    case writeFailed(file: String, detail: String)
    /// A stage failed; `detail` is the underlying error's message.
    case stageFailed(stage: PipelineStage, file: String, detail: String)

    public var description: String {
        switch self {
        case .unsupportedInput(let file):
            "\(file): unsupported input; expected a NIfTI file (.nii, .nii.gz), a DICOM folder or a .zip of DICOM files"
        case .modelMissing(let folder, let detail): "\(folder): model missing: \(detail)"
        case .modelInvalid(let folder, let detail): "\(folder): model cannot be used: \(detail)"
        case .emptyCohort(let folder): "\(folder): no scans found (expected .nii/.nii.gz files, imagesTr/ or imagesTs/)"
        case .invalidReport(let file, let detail): "\(file): invalid report: \(detail)"
        case .writeFailed(let file, let detail): "\(file): cannot write: \(detail)"
        case .stageFailed(let stage, let file, let detail): "\(file): \(stage.rawValue) failed: \(detail)"
        }
    }
}
