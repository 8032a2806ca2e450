/// Errors of the Explain target, each naming the argument or file at fault and what was expected.
public enum ExplainError: Error, CustomStringConvertible, Equatable {
    /// An input tensor that attribution cannot use (wrong rank, dtype, non-finite values).
    case invalidInput(String)
    /// A target class outside the model's outputs, or a target list of the wrong length.
    case invalidTarget(String)
    /// A layer the model cannot capture.
    case unknownLayer(String, available: [String])
    /// A configuration value out of range (sample count, standard deviation, batch size).
    case invalidConfiguration(String)
    /// Injected random draws that do not fit the input (SmoothGrad noise, GradientShap draws).
    case invalidDraws(String)
    /// A file that could not be read or written, with the problem.
    case file(String, String)

    public var description: String {
        switch self {
        case .invalidInput(let text): "invalid attribution input: \(text)"
        case .invalidTarget(let text): "invalid target: \(text)"
        case .unknownLayer(let name, let available): "unknown layer \"\(name)\"; the model exposes \(available.joined(separator: ", "))"
        case .invalidConfiguration(let text): "invalid explain configuration: \(text)"
        case .invalidDraws(let text): "invalid injected random draws: \(text)"
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}
