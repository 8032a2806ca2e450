/// Errors of the classification workflow, each naming the file or the argument at fault.
public enum ClassificationError: Error, CustomStringConvertible {
    case modelCard(String, String)
    case dataset(String, String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .modelCard(let file, let problem): "\(file): \(problem)"
        case .dataset(let file, let problem): "\(file): \(problem)"
        case .invalidArgument(let text): text
        }
    }
}
