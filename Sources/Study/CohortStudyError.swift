import Explain
import Plots
import Stats

/// A cohort folder that `CohortStudyLoader` cannot read, naming the file and the problem.
public enum CohortStudyError: Error, CustomStringConvertible, Equatable {
    /// A required file or folder is absent.
    case missing(path: String, expected: String)
    /// A file exists but its content is not what the loader accepts.
    case malformed(file: String, detail: String)
    /// Nothing left to analyse (e.g. a split that no case has).
    case noCases(String)

    public var description: String {
        switch self {
        case .missing(let path, let expected): "\(path): not found; expected \(expected)"
        case .malformed(let file, let detail): "\(file): \(detail)"
        case .noCases(let detail): "no cases to analyse: \(detail)"
        }
    }
}
