/// Errors of reading and writing checkpoints of other frameworks, each naming the file and the problem.
public enum InteropError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(file: String, problem: String)
    /// The checkpoint could not be written.
    case unwritable(file: String, problem: String)
    /// The zip container is damaged, truncated or uses a feature this reader refuses (compression, encryption).
    case malformedArchive(file: String, problem: String)
    /// The pickle stream is damaged or exceeds a limit.
    case malformedPickle(file: String, problem: String)
    /// The pickle names a callable that is not on the allow-list; nothing was executed.
    case forbiddenGlobal(file: String, name: String)
    /// A tensor's storage, offset, shape or strides do not fit together.
    case invalidTensor(file: String, problem: String)
    /// The file is a checkpoint of a kind this reader does not handle (legacy torch format, TorchScript).
    case unsupportedFormat(file: String, problem: String)
    /// The checkpoint does not hold what the caller needs (no state dict, wrong key, wrong shape).
    case unexpectedContents(file: String, problem: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let problem): "\(file): cannot be read: \(problem)"
        case .unwritable(let file, let problem): "\(file): cannot be written: \(problem)"
        case .malformedArchive(let file, let problem): "\(file): malformed checkpoint archive: \(problem)"
        case .malformedPickle(let file, let problem): "\(file): malformed pickle: \(problem)"
        case .forbiddenGlobal(let file, let name): "\(file): \(name) is not allowed (the checkpoint names a callable outside the state-dict allow-list; nothing was run)"
        case .invalidTensor(let file, let problem): "\(file): invalid tensor: \(problem)"
        case .unsupportedFormat(let file, let problem): "\(file): \(problem)"
        case .unexpectedContents(let file, let problem): "\(file): \(problem)"
        }
    }
}
