/// What can go wrong talking to a PACS (Orthanc) or keeping the watcher's state.
///
/// Each case names the address or file and the problem; `description` is the message shown to users.
public enum PACSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached (refused, timed out, name not found, connection lost), after retries.
    case unreachable(url: String, detail: String, attempts: Int)
    /// The server answered with an HTTP error status.
    case httpStatus(method: String, url: String, status: Int, body: String)
    /// An answer that is not what Orthanc's REST API documents.
    case unexpectedAnswer(url: String, detail: String)
    /// The server address cannot be used.
    case invalidServerURL(String)
    /// A credentials file that cannot be read or has no "user:password" line.
    case credentials(file: String, detail: String)
    /// The state file cannot be read or written, was written by a newer NeoICH, or for another server.
    case state(file: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail, let attempts):
            "cannot reach \(url): \(detail) (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .httpStatus(let method, let url, 401, _):
            "\(method) \(url): the server refused the credentials (HTTP 401); pass --user and --password or --credentials FILE"
        case .httpStatus(let method, let url, 403, _):
            "\(method) \(url): forbidden (HTTP 403); the user lacks the right for this request"
        case .httpStatus(let method, let url, let status, let body):
            "\(method) \(url): HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case .unexpectedAnswer(let url, let detail): "\(url): unexpected answer: \(detail)"
        case .invalidServerURL(let url): "\"\(url)\" is not an http:// or https:// server address"
        case .credentials(let file, let detail): "\(file): \(detail)"
        case .state(let file, let detail): "\(file): \(detail)"
        }
    }

    /// Whether asking again later may succeed: the server unreachable, overloaded (HTTP 5xx, 429) or
    /// timing out (408). Refusals (other 4xx) and malformed answers are not retried.
    public var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .httpStatus(_, _, let status, _): status >= 500 || status == 429 || status == 408
        default: false
        }
    }
}
