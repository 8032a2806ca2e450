import Foundation

/// Who may use the reader: the host names requests may name (against DNS rebinding), the header a
/// state-changing request must carry (against cross-site request forgery: a cross-origin form or simple
/// request cannot send it, and a cross-origin `fetch` that does is stopped by the browser's preflight, which
/// the reader never approves), and the API token a network-reachable reader requires.
struct AccessPolicy: Sendable {
    /// The header, and its value, the page sends with every state-changing request.
    static let requestHeaderName = "X-NeoICH-Request"
    static let requestHeaderValue = "1"

    /// Lower-case host names without port.
    var allowedHosts: Set<String>
    /// The bearer token API requests need; nil: none needed.
    var token: String?

    /// The policy for a configuration.
    ///
    /// - Throws: `ReaderError` when the bind address is not a loopback address and no token is set.
    init(configuration: ReaderConfiguration) throws(ReaderError) {
        let token = configuration.token.flatMap { $0.isEmpty ? nil : $0 }
        if !Self.isLoopback(configuration.host) && token == nil {
            throw ReaderError(.internalServerError,
                              "binding to \(configuration.host) makes uploaded scans reachable from the network, so the reader needs a token: "
                              + "pass --token SECRET or set NEOICH_TOKEN (or bind to 127.0.0.1)")
        }
        var hosts: Set<String> = ["localhost", "127.0.0.1", "::1"]
        for name in [configuration.host] + configuration.allowedHosts {
            if let host = Self.hostName(fromAuthority: name), !Self.isWildcard(host) { hosts.insert(host) }
        }
        if Self.isWildcard(configuration.host), let name = Self.hostName(fromAuthority: ProcessInfo.processInfo.hostName) {
            hosts.insert(name)
        }
        self.init(allowedHosts: hosts, token: token)
    }

    init(allowedHosts: Set<String>, token: String?) {
        self.allowedHosts = allowedHosts
        self.token = token
    }

    /// Whether an address only this machine can reach: 127.0.0.0/8 (as an IPv4 literal; a name such as
    /// 127.example.org is not), ::1, localhost.
    static func isLoopback(_ host: String) -> Bool {
        let name = hostName(fromAuthority: host) ?? host.lowercased()
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return name == "localhost" || name == "::1" || loopbackIPv4
    }

    /// Whether an address binds every interface.
    static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host.isEmpty }

    /// The lower-case host name of a Host header value (`name`, `name:port`, `[v6]`, `[v6]:port`, or a bare
    /// IPv6 address); nil when empty.
    static func hostName(fromAuthority authority: String) -> String? {
        let text = authority.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            let inner = String(text[text.index(after: text.startIndex)..<end])
            return inner.isEmpty ? nil : inner
        }
        if text.filter({ $0 == ":" }).count > 1 { return text }   // bare IPv6 address
        let name = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    /// Whether a request's Host header names this reader.
    func allows(host authority: String?) -> Bool {
        guard let authority, let name = Self.hostName(fromAuthority: authority) else { return false }
        return allowedHosts.contains(name)
    }

    /// Whether an `Origin` header is this reader's own origin (`http(s)://` + the request's Host).
    func isSameOrigin(_ origin: String, host authority: String) -> Bool {
        let origin = origin.lowercased(), authority = authority.lowercased()
        return origin == "http://\(authority)" || origin == "https://\(authority)"
    }

    /// Whether an `Authorization` header carries the token (always true without a token); compared in
    /// constant time.
    func authorizes(_ authorization: String?) -> Bool {
        guard let token else { return true }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return Self.constantTimeEqual(Array(authorization.utf8.dropFirst("Bearer ".utf8.count)), Array(token.utf8))
    }

    /// Byte-wise equality whose time depends on the lengths only, not on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            difference |= UInt(x ^ y)
        }
        return difference == 0
    }
}
