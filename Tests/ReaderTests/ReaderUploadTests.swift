import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Pipeline
import Reader
import Testing
import TestSupport

@Suite struct ReaderUploadTests {
    @Test func uploadGivesTheSameReportAsPredict() async throws {
        let fixture = try ReaderFixture()
        let expected = try fixture.predictReport(fixture.ct)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz")
            #expect(response.status == .accepted)
            let queued = try client.decode(JobStatus.self, response)
            let status = try await client.waitForJob(queued.id)
            #expect(status.state == .done, "\(String(describing: status.error))")
            let report = try #require(status.report)
            #expect(report.comparable == expected.comparable)
            #expect(report.timings.map(\.stage) == [.segment, .measure, .classify, .write])

            // Viewer arrays: Int16 HU and UInt8 labels equal to the mask file.
            let volume = try await client.execute(uri: "/api/cases/\(queued.id)/volume", method: .get)
            #expect(volume.body.readableBytes == 8 * 64 * 64 * 2)
            let labels = try await client.execute(uri: "/api/cases/\(queued.id)/labels", method: .get)
            let mask = try await client.execute(uri: "/api/cases/\(queued.id)/download/labels.nii.gz", method: .get)
            #expect(mask.headers[.contentDisposition] == "attachment; filename=\"labels.nii.gz\"")
            let maskFile = fixture.directory.file("downloaded.nii.gz")
            try Data(buffer: mask.body).write(to: maskFile)
            #expect(try NIfTIFile.readLabels(maskFile).voxels == [UInt8](Data(buffer: labels.body)))
            let json = try await client.execute(uri: "/api/cases/\(queued.id)/download/report.json", method: .get)
            #expect(try JSONDecoder().decode(PredictionReport.self, from: Data(buffer: json.body)) == report)
        }
    }

    @Test func badUploadsGive4xxAndTheServerKeepsServing() async throws {
        let fixture = try ReaderFixture { $0.maximumUploadBytes = 1 << 20 }
        let good = try Data(contentsOf: fixture.ct)
        let fourD = try Self.fourDimensionalNIfTI(in: fixture.directory)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let cases: [(String, Data, HTTPResponse.Status)] = [
                ("notes.txt", Data("hello".utf8), .unsupportedMediaType),
                ("not_nifti.nii.gz", Data("this is not a NIfTI file".utf8), .unprocessableContent),
                ("truncated.nii.gz", good.prefix(good.count / 2), .unprocessableContent),
                ("four_d.nii", fourD, .unprocessableContent),
                ("huge.nii", Data(count: (1 << 20) + 1), .contentTooLarge),
                ("empty.nii.gz", Data(), .badRequest),
            ]
            for (name, data, status) in cases {
                let response = try await client.upload(data, name: name)
                #expect(response.status == status, "\(name)")
                let body = try client.decode(ReaderError.Body.self, response)
                #expect(body.error.status == Int(status.code))
                #expect(body.error.message.contains(name) || name == "huge.nii", "\(name): \(body.error.message)")
                #expect(!body.error.message.contains("neoich-upload-"), "temporary paths stay private: \(body.error.message)")
                // The next good upload still works.
                let next = try await client.upload(good, name: "case_a.nii.gz")
                #expect(next.status == .accepted)
                #expect(try await client.waitForJob(client.decode(JobStatus.self, next).id).state == .done)
            }
            let missing = try await client.execute(uri: "/api/cases/\(UUID().uuidString)", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test func concurrentUploadsWaitTheirTurn() async throws {
        let fixture = try ReaderFixture()
        let good = try Data(contentsOf: fixture.ct)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: JobStatus.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let response = try await client.upload(good, name: "case_a.nii.gz")
                        return try await client.waitForJob(client.decode(JobStatus.self, response).id)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 4)
            #expect(statuses.allSatisfy { $0.state == .done })
            let reports = statuses.compactMap { $0.report?.comparable }
            #expect(Set(reports.map(\.total.ich.voxelCount)).count == 1)
        }
    }

    @Test func aFullQueueAnswers503AndRecovers() async throws {
        let fixture = try ReaderFixture { $0.queueCapacity = 1 }
        let good = try Data(contentsOf: fixture.ct)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let codes = try await withThrowingTaskGroup(of: UInt16.self) { group in
                for _ in 0..<6 { group.addTask { try await UInt16(client.upload(good, name: "case_a.nii.gz").status.code) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == 202 || $0 == 503 })
            #expect(codes.contains(202))
            // Once the queue drains, uploads are accepted again.
            var accepted: JobStatus?
            for _ in 0..<200 where accepted == nil {
                let response = try await client.upload(good, name: "case_a.nii.gz")
                if response.status == .accepted { accepted = try client.decode(JobStatus.self, response) }
                else { try await Task.sleep(for: .milliseconds(100)) }
            }
            let job = try #require(accepted)
            // Finished before the test's folders are deleted.
            #expect(try await client.waitForJob(job.id).state == .done)
        }
    }

    /// A valid NIfTI-1 with dim[0] = 4 and two volumes.
    static func fourDimensionalNIfTI(in directory: TemporaryDirectory) throws -> Data {
        let url = directory.file("three_d.nii")
        try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: 1), to: url, options: NIfTIWriteOptions(compressionLevel: 0))
        var data = try Data(contentsOf: url)
        let voxelOffset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 108, as: Float.self) })
        let voxels = data[voxelOffset...]
        data.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: Int16(4), toByteOffset: 40, as: Int16.self)  // dim[0]
            raw.storeBytes(of: Int16(2), toByteOffset: 48, as: Int16.self)  // dim[4]
        }
        data.append(contentsOf: voxels)
        return data
    }
}
