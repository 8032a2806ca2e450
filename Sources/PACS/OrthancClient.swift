import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client of Orthanc's REST API: the change log, studies and series, archives of series, uploads of
/// DICOM objects, UID look-up and deletion. Every request is retried with back-off while Orthanc is
/// unreachable or overloaded (`RetryPolicy`); refusals are reported at once.
public struct OrthancClient: Sendable {
    /// The server's address, e.g. http://127.0.0.1:8042 (a path prefix behind a proxy is kept).
    public let server: URL
    public let credentials: OrthancCredentials?
    public var retry: RetryPolicy
    /// Told of each failed request that will be repeated.
    public var log: @Sendable (String) -> Void
    private let transfer: HTTPTransfer

    /// The most changes Orthanc returns per `/changes` page.
    public static let maximumChangesPerPage = 100

    /// - Throws: `PACSError.invalidServerURL` for an address that is not http(s)://host[:port][/path].
    public init(server: String, credentials: OrthancCredentials? = nil, retry: RetryPolicy = RetryPolicy(),
                timeoutSeconds: Double = 120, log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        let trimmed = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false, url.query == nil else {
            throw PACSError.invalidServerURL(server)
        }
        self.server = url
        self.credentials = credentials
        self.retry = retry
        self.log = log
        transfer = HTTPTransfer(timeoutSeconds: timeoutSeconds)
    }

    // MARK: - REST calls

    /// `GET /system`: proves the server answers and accepts the credentials.
    ///
    /// - Returns: Orthanc's version string.
    public func version() throws -> String {
        struct System: Decodable { var Version: String }
        return try json(System.self, "GET", "system").Version
    }

    /// `GET /changes?since=N&limit=M`: the changes after sequence number `since`.
    public func changes(since: Int, limit: Int = maximumChangesPerPage) throws -> OrthancChangesPage {
        try json(OrthancChangesPage.self, "GET", "changes", query: ["since": String(since), "limit": String(limit)])
    }

    /// `GET /studies/{id}`.
    public func study(_ id: String) throws -> OrthancStudy {
        try json(OrthancStudy.self, "GET", "studies/\(id)")
    }

    /// `GET /series/{id}`.
    public func series(_ id: String) throws -> OrthancSeries {
        try json(OrthancSeries.self, "GET", "series/\(id)")
    }

    /// `POST /tools/create-archive`: a ZIP of every instance of the given series, stored in `file`.
    public func downloadArchive(series ids: [String], to file: URL) throws {
        let body = try JSONSerialization.data(withJSONObject: ["Resources": ids, "Synchronous": true])
        let request = try makeRequest("POST", "tools/create-archive", body: body, contentType: "application/json")
        _ = try retry.run({
            let response = try checked(try transfer.download(request, to: file), request)
            // A server that dies mid-answer can end a body that has no length with a clean close: only the
            // archive's own end record tells a whole archive from a cut one.
            guard Self.endsWithZipDirectory(file) else {
                throw PACSError.unreachable(url: request.url?.absoluteString ?? "?",
                                            detail: "the archive was cut short (no ZIP end record)", attempts: 1)
            }
            return response
        }, report: retryReport(request))
    }

    /// `POST /instances`: uploads a DICOM file.
    ///
    /// - Throws: `PACSError.unexpectedAnswer` when Orthanc neither stored it nor had it already.
    public func upload(_ file: URL) throws -> OrthancStoredInstance {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw PACSError.unexpectedAnswer(url: file.path, detail: "cannot read the file to upload: \(error.localizedDescription)")
        }
        let stored = try json(OrthancStoredInstance.self, "POST", "instances", body: data, contentType: "application/dicom")
        guard ["Success", "AlreadyStored"].contains(stored.status) else {
            throw PACSError.unexpectedAnswer(url: server.appendingPathComponent("instances").absoluteString,
                                             detail: "\(file.lastPathComponent) stored with status \(stored.status)")
        }
        return stored
    }

    /// DICOMweb STOW-RS (`POST {root}/studies`, multipart/related application/dicom): stores the files in one
    /// request through Orthanc's DICOMweb plugin (or any STOW-RS root under the same server).
    ///
    /// - Parameter root: the DICOMweb root's path, e.g. "dicom-web".
    /// - Throws: `PACSError.unexpectedAnswer` naming the SOP instances the server lists as failed or does not
    ///   list as stored; `.httpStatus` 404 when no DICOMweb service is there.
    public func store(_ files: [URL], identities: [String], dicomWebRoot root: String) throws {
        let boundary = "neoich-\(UUID().uuidString)"
        var body = Data()
        for file in files {
            body.append(Data("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8))
            do { body.append(try Data(contentsOf: file)) } catch {
                throw PACSError.unexpectedAnswer(url: file.path, detail: "cannot read the file to upload: \(error.localizedDescription)")
            }
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        let path = root.split(separator: "/").joined(separator: "/") + "/studies"
        var request = try makeRequest("POST", path, body: body,
                                      contentType: "multipart/related; type=\"application/dicom\"; boundary=\(boundary)")
        request.setValue("application/dicom+json", forHTTPHeaderField: "Accept")
        let response = try retry.run({ try checked(try transfer.send(request), request) }, report: retryReport(request))
        // PS3.18 §10.5.3: FailedSOPSequence (0008,1198) and ReferencedSOPSequence (0008,1199) of SOP Instance UIDs (0008,1155).
        func uids(_ tag: String) -> [String] {
            guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let items = (object[tag] as? [String: Any])?["Value"] as? [[String: Any]] else { return [] }
            return items.compactMap { (($0["00081155"] as? [String: Any])?["Value"] as? [String])?.first }
        }
        let failed = uids("00081198"), stored = Set(uids("00081199"))
        let missing = identities.filter { !stored.contains($0) }
        guard failed.isEmpty, missing.isEmpty else {
            throw PACSError.unexpectedAnswer(url: request.url?.absoluteString ?? path,
                                             detail: "STOW-RS did not store \((failed + missing).joined(separator: ", "))")
        }
    }

    /// `POST /tools/lookup`: the resources with a DICOM UID (study, series or SOP instance).
    public func lookup(_ uid: String) throws -> [OrthancLookupMatch] {
        try json([OrthancLookupMatch].self, "POST", "tools/lookup", body: Data(uid.utf8), contentType: "text/plain")
    }

    /// `DELETE /instances/{id}`; an instance that is already gone counts as deleted.
    public func deleteInstance(_ id: String) throws {
        let request = try makeRequest("DELETE", "instances/\(id)")
        let response = try retry.run({ try transfer.send(request) }, report: retryReport(request))
        if response.status == 404 { return }
        _ = try checked(response, request)
    }

    // MARK: - Plumbing

    /// Whether the file ends with a ZIP end-of-central-directory record (signature PK\u{5}\u{6} within its
    /// last 22 + 65 535 bytes, where the format puts it).
    static func endsWithZipDirectory(_ file: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return false }
        let tail = min(size, 22 + 65_535)
        guard (try? handle.seek(toOffset: size - tail)) != nil, let bytes = try? handle.readToEnd() else { return false }
        let data = [UInt8](bytes)
        var k = data.count - 22
        while k >= 0 {
            if data[k] == 0x50, data[k + 1] == 0x4B, data[k + 2] == 0x05, data[k + 3] == 0x06 {
                let comment = Int(data[k + 20]) | Int(data[k + 21]) << 8
                if k + 22 + comment == data.count { return true }
            }
            k -= 1
        }
        return false
    }

    private func json<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, query: [String: String] = [:],
                                    body: Data? = nil, contentType: String? = nil) throws -> T {
        let request = try makeRequest(method, path, query: query, body: body, contentType: contentType)
        let response = try retry.run({ try checked(try transfer.send(request), request) }, report: retryReport(request))
        do { return try JSONDecoder().decode(T.self, from: response.body) } catch {
            throw PACSError.unexpectedAnswer(url: request.url?.absoluteString ?? path,
                                             detail: "not the expected JSON (\(Self.describe(error)))")
        }
    }

    private func makeRequest(_ method: String, _ path: String, query: [String: String] = [:], body: Data? = nil,
                             contentType: String? = nil) throws -> URLRequest {
        var components = URLComponents(url: server.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw PACSError.invalidServerURL(server.absoluteString + "/" + path) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        // libcurl otherwise asks for "100 Continue" before a body over 1 KiB and waits a second for an answer
        // Orthanc never sends.
        if body != nil { request.setValue("", forHTTPHeaderField: "Expect") }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let credentials { request.setValue(credentials.basicAuthorization, forHTTPHeaderField: "Authorization") }
        return request
    }

    /// The response when its status is 2xx.
    private func checked(_ response: HTTPTransfer.Response, _ request: URLRequest) throws -> HTTPTransfer.Response {
        guard (200..<300).contains(response.status) else {
            let text = String(decoding: response.body.prefix(500), as: UTF8.self)
            throw PACSError.httpStatus(method: request.httpMethod ?? "GET", url: request.url?.absoluteString ?? "?",
                                       status: response.status, body: Self.orthancMessage(text))
        }
        return response
    }

    private func retryReport(_ request: URLRequest) -> (PACSError, Int, Double) -> Void {
        { [log, retry] error, attempt, delay in
            log("\(request.httpMethod ?? "GET") \(request.url?.path ?? "?"): \(error); trying again in "
                + String(format: "%.1f", delay) + " s (attempt \(attempt + 1) of \(retry.attempts))")
        }
    }

    /// Orthanc's error answers are JSON with a "Message" (and sometimes "Details"); other text is kept short.
    private static func orthancMessage(_ text: String) -> String {
        if let data = text.data(using: .utf8),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let message = object["Message"] as? String {
            let details = (object["Details"] as? String).map { " (\($0))" } ?? ""
            return message + details
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}
