import Hummingbird

/// HEAD answers as GET would, without the body (RFC 9110 §9.3.2). The router only knows GET routes and picks
/// the route before any middleware runs, so this wraps the whole router: a HEAD request is routed as GET
/// (through the same security checks) and its body dropped, headers (Content-Type, security headers) kept.
struct HeadAsGet<Builder: HTTPResponderBuilder>: HTTPResponderBuilder {
    let router: Builder

    func buildResponder() -> HeadAsGetResponder<Builder.Responder> { HeadAsGetResponder(inner: router.buildResponder()) }
}

struct HeadAsGetResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    @Sendable func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        response.body = ResponseBody()
        return response
    }
}
