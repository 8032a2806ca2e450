import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One blocking HTTP exchange over `URLSession` (libcurl on Linux): the watcher is a sequential loop and
/// the pipeline it drives is synchronous, so requests wait for their answer.
struct HTTPTransfer: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    let session: URLSession

    /// - Parameter timeoutSeconds: longest wait for a request to make progress.
    init(timeoutSeconds: Double) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    /// Sends `request`; the body of the answer comes back in memory.
    ///
    /// - Throws: `PACSError.unreachable` when no answer came (transport error).
    func send(_ request: URLRequest) throws -> Response {
        let box = Outcome<Response>()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse, error == nil {
                box.set(.success(Response(status: response.statusCode, body: data ?? Data())))
            } else {
                box.set(.failure(Self.unreachable(request, error)))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.get()
    }

    /// Sends `request` and stores the body of a 2xx answer in `file` (moved there whole, never half-written).
    /// The body of any other answer comes back in memory instead.
    ///
    /// - Returns: the status, and the body unless it went to `file`.
    /// - Throws: `PACSError.unreachable` when no answer came; a file-system error when `file` cannot be written.
    func download(_ request: URLRequest, to file: URL) throws -> Response {
        let box = Outcome<Response>()
        let done = DispatchSemaphore(value: 0)
        let task = session.downloadTask(with: request) { location, response, error in
            guard let response = response as? HTTPURLResponse, let location, error == nil else {
                box.set(.failure(Self.unreachable(request, error)))
                done.signal()
                return
            }
            // The temporary file is removed when this handler returns: move it (or read an error body) now.
            do {
                if (200..<300).contains(response.statusCode) {
                    let received = (try? FileManager.default.attributesOfItem(atPath: location.path)[.size] as? Int) ?? nil
                    if response.expectedContentLength > 0, let received, Int64(received) != response.expectedContentLength {
                        box.set(.failure(PACSError.unreachable(
                            url: request.url?.absoluteString ?? "?",
                            detail: "the answer was cut short (\(received) of \(response.expectedContentLength) bytes)", attempts: 1)))
                        done.signal()
                        return
                    }
                    try? FileManager.default.removeItem(at: file)
                    try FileManager.default.moveItem(at: location, to: file)
                    box.set(.success(Response(status: response.statusCode, body: Data())))
                } else {
                    let body = (try? Data(contentsOf: location)) ?? Data()
                    box.set(.success(Response(status: response.statusCode, body: body)))
                }
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.get()
    }

    private static func unreachable(_ request: URLRequest, _ error: Error?) -> PACSError {
        let detail = (error as? URLError).map(describe) ?? error?.localizedDescription ?? "no HTTP answer"
        return .unreachable(url: request.url?.absoluteString ?? "?", detail: detail, attempts: 1)
    }

    private static func describe(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: "connection refused"
        case .timedOut: "timed out"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .networkConnectionLost: "connection lost"
        case .notConnectedToInternet: "no network"
        default: error.localizedDescription
        }
    }
}

/// The result handed from URLSession's callback thread to the waiting caller.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    // @unchecked: guarded by `lock`; written once by the callback before the semaphore is signalled.
    private let lock = NSLock()
    private var result: Result<T, Error>?
    func set(_ value: Result<T, Error>) { lock.withLock { result = value } }
    func get() throws -> T {
        guard let result = lock.withLock({ result }) else {
            throw PACSError.unexpectedAnswer(url: "?", detail: "no result from the HTTP session")
        }
        return try result.get()
    }
}
