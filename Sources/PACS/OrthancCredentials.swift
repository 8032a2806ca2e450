import Foundation

/// HTTP basic credentials for Orthanc's REST API (its `RegisteredUsers`).
public struct OrthancCredentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Reads a credentials file: its first non-empty line is `user:password` (the password may contain ':').
    /// Keeping the password in a file (mode 600) keeps it out of the process list and shell history.
    ///
    /// - Throws: `PACSError.credentials` naming the file when it cannot be read or has no such line.
    public init(file: URL) throws {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw PACSError.credentials(file: file.path, detail: "cannot read the credentials file (\(error.localizedDescription))")
        }
        guard let line = text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { !$0.isEmpty }),
              let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
            throw PACSError.credentials(file: file.path, detail: "expected one line \"user:password\"")
        }
        self.init(user: String(line[..<colon]), password: String(line[line.index(after: colon)...]))
    }

    /// The `Authorization` header's value.
    var basicAuthorization: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
}
