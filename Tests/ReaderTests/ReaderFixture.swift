import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Pipeline
import Reader
import TestSupport

/// Tiny untrained models, a tiny CT and a reader configuration over temporary folders.
struct ReaderFixture {
    let directory: TemporaryDirectory
    let models: PipelineModels
    var configuration: ReaderConfiguration
    /// A valid tiny CT (.nii.gz).
    let ct: URL

    init(_ configure: (inout ReaderConfiguration) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory("neoich-reader-test")
        let locations = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        models = try PipelineModels.load(locations)
        let examples = directory.file("examples")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        ct = examples.appendingPathComponent("case_a.nii.gz")
        try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: 3), to: ct)
        configuration = ReaderConfiguration(models: .loaded(models), examplesFolder: examples, workFolder: directory.file("work"))
        configuration.mirroring = false
        configure(&configuration)
    }

    /// The report `neoich predict` writes for the same file.
    func predictReport(_ file: URL) throws -> PredictionReport {
        try CasePredictor(models: models, segmentation: .init(mirroring: false))
            .predict(file, output: directory.file("predict-\(UUID().uuidString)")).report
    }
}

enum ReaderTestError: Error { case timeout(String) }

/// The header the page sends with state-changing requests.
let pageHeaders: HTTPFields = [HTTPFields.Element.Name("X-NeoICH-Request")!: "1"]

extension TestClientProtocol {
    /// Uploads bytes under a name, as the page does.
    func upload(_ data: Data, name: String, headers: HTTPFields = pageHeaders) async throws -> TestResponse {
        try await execute(uri: "/api/cases?name=\(name)", method: .post, headers: headers, body: ByteBuffer(bytes: data))
    }

    /// A POST as the page sends it.
    func post(_ uri: String, headers: HTTPFields = pageHeaders) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers)
    }

    /// Polls a job until it is done or failed.
    func waitForJob(_ id: String, seconds: Double = 60, headers: HTTPFields = [:]) async throws -> JobStatus {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let status = try decode(JobStatus.self, await execute(uri: "/api/cases/\(id)", method: .get, headers: headers))
            if status.state == .done || status.state == .failed { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ReaderTestError.timeout(id)
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
    }
}
