import Foundation
import Hummingbird
import HummingbirdTesting
import Reader
import Testing
import TestSupport

@Suite struct ReaderPageTests {
    @Test func pageAssetsAndNotice() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("trained on synthetic data"))
            #expect(html.contains("not for clinical use"))
            #expect(html.contains("id=\"file-input\""))
            for asset in ["app.js", "style.css"] {
                #expect(try await client.execute(uri: "/assets/\(asset)", method: .get).status == .ok)
            }
            #expect(try await client.execute(uri: "/assets/..%2FReaderRoutes.swift", method: .get).status == .notFound)
            let health = try await client.execute(uri: "/api/health", method: .get)
            #expect(String(buffer: health.body).contains("not for clinical use"))
        }
    }

    @Test func examplesAreListedAndRun() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let list = try await client.execute(uri: "/api/examples", method: .get)
            #expect(String(buffer: list.body).contains("\"name\":\"case_a.nii.gz\""))
            let started = try await client.post("/api/examples/case_a.nii.gz")
            #expect(started.status == .accepted)
            let status = try await client.waitForJob(client.decode(JobStatus.self, started).id)
            #expect(status.report?.comparable == (try fixture.predictReport(fixture.ct)).comparable)
            #expect(try await client.post("/api/examples/secret.nii.gz").status == .notFound)
        }
    }

    @Test func finishedJobsAreDeletedAfterTheRetentionTime() async throws {
        // Long enough for the case to finish (and be seen done) while the other suites load the CPU.
        let fixture = try ReaderFixture { $0.retentionSeconds = 20 }
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz")
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            let id = try client.decode(JobStatus.self, response).id
            let status = try await client.waitForJob(id)
            #expect(status.state == .done)
            #expect(status.expiresAt == status.createdAt + 20)
            let folder = fixture.directory.file("work").appendingPathComponent(id)
            #expect(FileManager.default.fileExists(atPath: folder.path))
            try await Task.sleep(for: .seconds(max(0, status.expiresAt - Date().timeIntervalSince1970) + 0.2))
            #expect(try await client.execute(uri: "/api/cases/\(id)", method: .get).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: folder.path))
        }
    }
}
