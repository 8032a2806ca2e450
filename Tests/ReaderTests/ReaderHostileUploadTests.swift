import Foundation
import Hummingbird
import HummingbirdTesting
import Reader
import Testing
import TestSupport

/// The reader meets the hostile corpus as uploads: every file is answered 4xx with a message naming it and
/// the problem, no temporary path leaks, nothing is queued, and the server goes on serving good uploads.
@Suite struct ReaderHostileUploadTests {
    @Test func everyHostileUploadIsRefusedAndTheServerStaysUp() async throws {
        let fixture = try ReaderFixture()
        let good = try Data(contentsOf: fixture.ct)
        let corpus = try HostileInputs.shared()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            for (url, entry) in corpus {
                let started = Date()
                let response = try await client.upload(Data(contentsOf: url), name: entry.name)
                #expect((400..<500).contains(Int(response.status.code)), "\(entry.name): \(response.status)")
                let body = try client.decode(ReaderError.Body.self, response)
                #expect(body.error.message.contains(entry.name), "\(entry.name): \(body.error.message)")
                #expect(entry.expected.contains { body.error.message.lowercased().contains($0) }, "\(entry.name): \(body.error.message)")
                #expect(!body.error.message.contains("neoich-upload-"), "temporary paths stay private: \(body.error.message)")
                #expect(Date().timeIntervalSince(started) < 10, "\(entry.name)")
            }
            let health = try await client.execute(uri: "/api/health", method: .get)
            #expect(health.status == .ok)
            let next = try await client.upload(good, name: "case_a.nii.gz")
            #expect(next.status == .accepted)
            #expect(try await client.waitForJob(client.decode(JobStatus.self, next).id).state == .done)
        }
    }
}
