import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A private Orthanc (Debian package `orthanc`) for integration tests: its own configuration, storage in a
/// temporary folder, HTTP on a free loopback port with one test user, its DICOM server off, and a short
/// StableAge. Stopped (SIGTERM, then SIGKILL) when released.
///
/// Its REST helpers use URLSession directly, independent of the client under test.
public final class OrthancServer: @unchecked Sendable {
    public static let executable = URL(fileURLWithPath: "/usr/sbin/Orthanc")
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }
    public static let missing = "needs Orthanc (Debian package orthanc; scripts/install-deps)"

    public let url: URL
    public let user = "neoich-test"
    public let password = "not-a-secret"
    public let folder: TemporaryDirectory
    private let configurationFile: URL
    private var process: Process?

    /// Orthanc's DICOMweb plugin (Debian package orthanc-dicomweb).
    public static let dicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"

    /// Starts the server and waits until its REST API answers.
    ///
    /// - Parameters:
    ///   - stableAgeSeconds: seconds without new instances before a series or study is stable.
    ///   - plugins: shared libraries to load (e.g. `dicomWebPlugin`).
    public init(stableAgeSeconds: Int = 1, plugins: [String] = []) throws {
        folder = try TemporaryDirectory("neoich-orthanc")
        let port = try Self.freePort()
        url = URL(string: "http://127.0.0.1:\(port)")!
        let configuration: [String: Any] = [
            "Name": "NeoICH test", "StorageDirectory": folder.file("storage").path, "IndexDirectory": folder.file("storage").path,
            "HttpPort": port, "RemoteAccessAllowed": false, "AuthenticationEnabled": true,
            "RegisteredUsers": [user: password], "DicomServerEnabled": false, "DicomPort": try Self.freePort(),
            "StableAge": stableAgeSeconds, "Plugins": plugins, "HttpCompressionEnabled": false,
        ]
        configurationFile = folder.file("orthanc.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: configurationFile)
        try start()
    }

    /// Starts the server (again, on the same port and storage) and waits until its REST API answers.
    public func start() throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = [configurationFile.path]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = folder.file("orthanc.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while (try? get("system")) == nil {
            guard process.isRunning, Date() < deadline else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                stop()
                throw ServerError("Orthanc did not start on \(url): \(text.suffix(2000))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Kills the server at once (SIGKILL), as a crash or a pulled cable would stop it.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: - REST

    /// `GET path` as JSON.
    public func get(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try request("GET", path), options: [.fragmentsAllowed])
    }

    /// `GET path` as raw bytes (e.g. `instances/{id}/file`).
    public func data(_ path: String) throws -> Data { try request("GET", path) }

    /// `POST /instances` with a DICOM file; returns Orthanc's answer.
    @discardableResult
    public func upload(_ file: URL) throws -> [String: Any] {
        let answer = try request("POST", "instances", body: try Data(contentsOf: file))
        return (try JSONSerialization.jsonObject(with: answer) as? [String: Any]) ?? [:]
    }

    /// The main DICOM tags of every instance of the study with `studyInstanceUID`, as Orthanc indexed them
    /// (`/studies/{id}/instances?expand`), with the series' Modality added.
    public func instances(ofStudy studyInstanceUID: String) throws -> [[String: String]] {
        let found = try request("POST", "tools/lookup", body: Data(studyInstanceUID.utf8))
        guard let matches = try JSONSerialization.jsonObject(with: found) as? [[String: Any]],
              let study = matches.first(where: { $0["Type"] as? String == "Study" })?["ID"] as? String else { return [] }
        var rows: [[String: String]] = []
        for series in (try get("studies/\(study)/series")) as? [[String: Any]] ?? [] {
            let modality = (series["MainDicomTags"] as? [String: String])?["Modality"] ?? ""
            for id in series["Instances"] as? [String] ?? [] {
                var tags = (try get("instances/\(id)/simplified-tags")) as? [String: Any] ?? [:]
                tags["Modality"] = tags["Modality"] ?? modality
                tags["OrthancID"] = id
                rows.append(tags.compactMapValues { $0 as? String })
            }
        }
        return rows
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: url.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 60
        request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error { throw ServerError("\(method) \(path): \(error.localizedDescription)") }
        guard let status, (200..<300).contains(status) else {
            throw ServerError("\(method) \(path): HTTP \(status ?? 0) \(String(decoding: data ?? Data(), as: UTF8.self))")
        }
        return data ?? Data()
    }

    private final class Box: @unchecked Sendable {
        // @unchecked: written once by the callback before the semaphore is signalled, read after.
        private let lock = NSLock()
        private var value: (Data?, Int?, Error?) = (nil, nil, nil)
        func set(_ data: Data?, _ status: Int?, _ error: Error?) { lock.withLock { value = (data, status, error) } }
        func get() -> (Data?, Int?, Error?) { lock.withLock { value } }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw ServerError("bind: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw ServerError("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
