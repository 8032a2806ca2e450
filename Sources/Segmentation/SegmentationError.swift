import Foundation

/// Everything that can go wrong planning, training, predicting and evaluating segmentations.
///
/// Each case names the file (or option) concerned and what was expected; `description` is the message
/// shown to users.
public enum SegmentationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A dataset has no training case, or no case with a labelled voxel.
    case emptyDataset(file: String, detail: String)
    /// A plans (or model card) file was written by another plans version.
    case unsupportedPlansVersion(file: String, found: Int, expected: Int)
    /// A plans file does not decode or is inconsistent.
    case invalidPlans(file: String, detail: String)
    /// An option or configuration value is out of range.
    case invalidConfiguration(detail: String)
    /// An input volume cannot be segmented (e.g. invalid spacing, not 3-D).
    case invalidInput(file: String, detail: String)
    /// A checkpoint or model does not fit the plans.
    case modelMismatch(file: String, detail: String)
    /// A prediction has no reference (or the reverse) when evaluating folders.
    case unmatchedCases(folder: String, cases: [String])

    public var description: String {
        switch self {
        case .emptyDataset(let file, let detail): "\(file): cannot plan or train: \(detail)"
        case .unsupportedPlansVersion(let file, let found, let expected):
            "\(file): plans version \(found) is not supported; expected version \(expected) (re-run `neoich plan`)"
        case .invalidPlans(let file, let detail): "\(file): invalid plans: \(detail)"
        case .invalidConfiguration(let detail): "invalid segmentation configuration: \(detail)"
        case .invalidInput(let file, let detail): "\(file): cannot segment: \(detail)"
        case .modelMismatch(let file, let detail): "\(file): model does not match its plans: \(detail)"
        case .unmatchedCases(let folder, let cases) where cases.isEmpty:
            "\(folder): no masks (*.nii.gz, *.nii) to evaluate"
        case .unmatchedCases(let folder, let cases):
            "\(folder): no counterpart for \(cases.prefix(5).joined(separator: ", "))\(cases.count > 5 ? " … (\(cases.count))" : "")"
        }
    }
}
