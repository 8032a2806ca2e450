import Foundation
import Hummingbird

/// An API error: an HTTP status and a message for the page, sent as `{"error": {"status": …, "message": …}}`.
public struct ReaderError: HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra response headers (`Allow` on 405, `WWW-Authenticate` on 401).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    /// The JSON body the page shows.
    public struct Body: Codable, Sendable {
        public struct Detail: Codable, Sendable, Equatable {
            public var status: Int
            public var message: String
        }
        public var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(status: status.code, message: message)))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func notFound(_ what: String) -> ReaderError { ReaderError(.notFound, "\(what) not found (it may have expired)") }

    /// 503 with `Retry-After: 60`: the reader is at one of its bounds; the message says which.
    static func busy(_ message: String) -> ReaderError {
        ReaderError(.serviceUnavailable, "\(message); try again in a minute.", headers: [.retryAfter: "60"])
    }
}
