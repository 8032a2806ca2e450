import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Reader
import Testing
import TestSupport

@Suite struct ReaderSecurityTests {
    static let host = HeaderName("Host")!
    static let requestHeader = HeaderName("X-NeoICH-Request")!

    /// Requests naming a host the reader does not answer to are refused (DNS rebinding); its own names and
    /// `allowedHosts` are answered.
    @Test func unknownHostNamesAre421() async throws {
        let fixture = try ReaderFixture { $0.allowedHosts = ["reader.example.org:9000"] }
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            for name in ["attacker.example.com", "attacker.example.com:8080", "127.0.0.1.attacker.example.com"] {
                let response = try await client.execute(uri: "/api/health", method: .get, headers: [Self.host: name])
                #expect(response.status == .misdirectedRequest, "\(name)")
                #expect(String(buffer: response.body).contains("--allowed-host"))
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
            for name in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST", "reader.example.org"] {
                let response = try await client.execute(uri: "/api/health", method: .get, headers: [Self.host: name])
                #expect(response.status == .ok, "\(name)")
            }
        }
    }

    /// State-changing requests need the page's header and, when an Origin is sent, the reader's own origin;
    /// a cross-site form post creates no job.
    @Test func crossSiteRequestsAreRefused() async throws {
        let fixture = try ReaderFixture()
        let good = try Data(contentsOf: fixture.ct)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let plain = try await client.upload(good, name: "case_a.nii.gz", headers: [.contentType: "text/plain"])
            #expect(plain.status == .forbidden)
            #expect(String(buffer: plain.body).contains("X-NeoICH-Request"))
            let foreign = try await client.upload(good, name: "case_a.nii.gz",
                                                  headers: [Self.requestHeader: "1", .origin: "http://attacker.example.com"])
            #expect(foreign.status == .forbidden)
            #expect(try await client.post("/api/examples/case_a.nii.gz", headers: [:]).status == .forbidden)
            let sameOrigin = try await client.upload(good, name: "case_a.nii.gz",
                                                     headers: [Self.requestHeader: "1", .origin: "http://localhost"])
            #expect(sameOrigin.status == .accepted)
            _ = try await client.waitForJob(client.decode(JobStatus.self, sameOrigin).id)
        }
    }

    /// Every answer (page, asset, API, error) carries the security headers; API answers are not cached.
    @Test func securityHeadersOnEveryResponse() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            for (uri, api) in [("/", false), ("/assets/app.js", false), ("/api/health", true), ("/api/cases/unknown", true), ("/nowhere", false)] {
                let response = try await client.execute(uri: uri, method: .get)
                let csp = try #require(response.headers[.contentSecurityPolicy], "\(uri)")
                #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
                #expect(response.headers[HeaderName("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HeaderName("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[HeaderName("X-Frame-Options")!] == "DENY")
                #expect((response.headers[.cacheControl] == "no-store") == api, "\(uri)")
            }
        }
    }

    /// The page has no inline script or style (the policy forbids them) and sends the header and token.
    @Test func pageWorksUnderThePolicy() throws {
        let assets = StaticAssets.bundled.folder
        let html = try String(contentsOf: assets.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<script>") && !html.contains("style=\"") && !html.contains(" onclick="))
        let script = try String(contentsOf: assets.appendingPathComponent("app.js"), encoding: .utf8)
        #expect(script.contains("\"X-NeoICH-Request\": \"1\""))
        #expect(script.contains("Bearer ${token}"))
        // Every request of the page goes through `api`, which adds the headers.
        #expect(script.components(separatedBy: "fetch(").count == 2)
    }

    /// A network-reachable reader refuses to start without a token; with one, the API needs it and the page
    /// itself loads without it.
    @Test func nonLoopbackBindNeedsAToken() async throws {
        var open = try ReaderFixture().configuration
        open.host = "0.0.0.0"
        await #expect(throws: ReaderError.self) { _ = try await buildApplication(configuration: open) }
        #expect(!open.bindsLoopbackOnly)

        let fixture = try ReaderFixture {
            $0.host = "0.0.0.0"
            $0.token = "s3cret-token"
            $0.allowedHosts = ["192.0.2.7"]
        }
        #expect(fixture.configuration.pageURL == "http://\(ProcessInfo.processInfo.hostName):8080/#token=s3cret-token")
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/assets/app.js", method: .get).status == .ok)
            let missing = try await client.execute(uri: "/api/health", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            for wrong in ["Bearer s3cret-tokem", "Bearer s3cret-token2", "Bearer ", "s3cret-token", "Basic s3cret-token"] {
                #expect(try await client.execute(uri: "/api/health", method: .get, headers: [.authorization: wrong]).status == .unauthorized)
            }
            let authorized: HTTPFields = [.authorization: "Bearer s3cret-token", Self.host: "192.0.2.7:8080"]
            #expect(try await client.execute(uri: "/api/health", method: .get, headers: authorized).status == .ok)
            var upload = authorized
            upload[Self.requestHeader] = "1"
            let accepted = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz", headers: upload)
            #expect(accepted.status == .accepted)
            let id = try client.decode(JobStatus.self, accepted).id
            #expect(try await client.execute(uri: "/api/cases/\(id)", method: .get).status == .unauthorized)
            #expect(try await client.waitForJob(id, headers: authorized).state == .done)
        }

        var loopback = try ReaderFixture().configuration
        loopback.host = "127.0.0.1"
        #expect(loopback.bindsLoopbackOnly)
        #expect(try AccessPolicy(configuration: loopback).token == nil)
    }

    @Test func accessPolicyParsesHostsAndComparesTokens() {
        #expect(AccessPolicy.hostName(fromAuthority: "Example.org:8080") == "example.org")
        #expect(AccessPolicy.hostName(fromAuthority: "[::1]:8080") == "::1")
        #expect(AccessPolicy.hostName(fromAuthority: "::1") == "::1")
        #expect(AccessPolicy.hostName(fromAuthority: "") == nil)
        #expect(AccessPolicy.isLoopback("127.0.0.1") && AccessPolicy.isLoopback("::1") && AccessPolicy.isLoopback("localhost"))
        #expect(AccessPolicy.isLoopback("127.0.0.2"))
        #expect(!AccessPolicy.isLoopback("0.0.0.0") && !AccessPolicy.isLoopback("192.168.1.5"))
        #expect(!AccessPolicy.isLoopback("127.example.org") && !AccessPolicy.isLoopback("127.0.0.1.example.org"))
        #expect(AccessPolicy.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!AccessPolicy.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!AccessPolicy.constantTimeEqual(Array("abc".utf8), Array("abc\0".utf8)))
        #expect(!AccessPolicy.constantTimeEqual([], Array("a".utf8)))
        let policy = AccessPolicy(allowedHosts: ["localhost"], token: nil)
        #expect(policy.isSameOrigin("http://localhost:8080", host: "localhost:8080"))
        #expect(!policy.isSameOrigin("http://localhost:3000", host: "localhost:8080"))
        #expect(!policy.isSameOrigin("null", host: "localhost:8080"))
    }

    /// Known routes answer other methods with 405 and the methods they take; unknown paths stay 404.
    @Test func wrongMethodsAre405() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        let id = UUID().uuidString.lowercased()
        try await app.test(.router) { client in
            for (path, allowed) in ReaderRoutes.routeMethods {
                let uri = path.replacingOccurrences(of: ":id", with: id).replacingOccurrences(of: ":file", with: "app.js")
                    .replacingOccurrences(of: ":name", with: "case_a.nii.gz").replacingOccurrences(of: ":method", with: "GradCAM")
                for method in [HTTPRequest.Method.get, .post, .put, .delete] where !allowed.contains(method) {
                    let response = try await client.execute(uri: uri, method: method, headers: pageHeaders)
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allowed.map(\.rawValue).joined(separator: ", "), "\(method) \(uri)")
                }
            }
            #expect(try await client.execute(uri: "/api/nowhere", method: .delete, headers: pageHeaders).status == .notFound)
        }
    }

    /// HEAD answers as GET without a body, behind the same checks and with the same security headers.
    @Test func headAnswersAsGetWithoutABody() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            for uri in ["/", "/api/health", "/assets/app.js"] {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == .ok && get.status == .ok, "\(uri)")
                #expect(head.body.readableBytes == 0 && get.body.readableBytes > 0, "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                #expect(head.headers[.contentSecurityPolicy] != nil, "\(uri)")
            }
            let missing = try await client.execute(uri: "/api/cases/\(UUID().uuidString.lowercased())", method: .head)
            #expect(missing.status == .notFound)
        }
    }
}
