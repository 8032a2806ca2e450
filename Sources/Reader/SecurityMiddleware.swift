import Foundation
import Hummingbird

/// A header name (HTTPTypes' `HTTPField.Name`, which Hummingbird does not re-export).
typealias HeaderName = HTTPFields.Element.Name

/// Applies the `AccessPolicy` to every request and adds the security headers to every response, errors
/// included:
///
/// - a Host the reader does not answer to → 421;
/// - an API request without the token (when one is set) → 401;
/// - a state-changing request (not GET/HEAD/OPTIONS) from another origin, or without `X-NeoICH-Request: 1` → 403;
/// - Content-Security-Policy (own scripts and styles only, no framing), nosniff, no referrer, no framing, and
///   `Cache-Control: no-store` on API answers (scans and reports stay out of caches).
struct SecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: AccessPolicy

    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    static var requestHeader: HeaderName { HeaderName(AccessPolicy.requestHeaderName)! }
    static var hostHeader: HeaderName { HeaderName("Host")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try check(request)
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = try ReaderError(.internalServerError, "internal error").response(from: request, context: context)
        }
        Self.addSecurityHeaders(to: &response.headers, api: request.uri.path.hasPrefix("/api/"))
        return response
    }

    /// Refuses requests the policy does not allow.
    func check(_ request: Request) throws(ReaderError) {
        // HTTP/1 puts Host into the authority; a Host field left among the headers must be allowed as well.
        let hostFields = request.headers[values: Self.hostHeader]
        let authority = hostFields.first ?? request.head.authority
        for name in [request.head.authority] + hostFields.map({ Optional($0) }) where !policy.allows(host: name) {
            throw ReaderError(.misdirectedRequest, "This reader does not answer to the host name \"\(name ?? "")\"; open it by the "
                              + "address it printed at start, or start it with --allowed-host NAME for this name.")
        }
        if request.uri.path.hasPrefix("/api/"), !policy.authorizes(request.headers[.authorization]) {
            throw ReaderError(.unauthorized, "This reader needs its access token: open the address with #token=… that it printed at start.",
                              headers: [.wwwAuthenticate: "Bearer"])
        }
        guard ![.get, .head, .options].contains(request.method) else { return }
        if let origin = request.headers[.origin], !policy.isSameOrigin(origin, host: authority ?? "") {
            throw ReaderError(.forbidden, "Cross-origin request from \(origin) refused.")
        }
        guard request.headers[Self.requestHeader] == AccessPolicy.requestHeaderValue else {
            throw ReaderError(.forbidden, "Request refused: state-changing requests need the header "
                              + "\(AccessPolicy.requestHeaderName): \(AccessPolicy.requestHeaderValue) (the reader's page sends it).")
        }
    }

    static func addSecurityHeaders(to headers: inout HTTPFields, api: Bool) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HeaderName("X-Content-Type-Options")!] = "nosniff"
        headers[HeaderName("Referrer-Policy")!] = "no-referrer"
        headers[HeaderName("X-Frame-Options")!] = "DENY"
        headers[HeaderName("Cross-Origin-Resource-Policy")!] = "same-origin"
        if api { headers[.cacheControl] = "no-store" }
    }
}
