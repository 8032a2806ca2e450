import Explain
import Foundation
import Hummingbird
import Pipeline

/// The reader's HTTP API and page.
///
/// | route | what |
/// |---|---|
/// | `GET /` , `GET /assets/{file}` | the page |
/// | `GET /api/health` | models, notice, queue size |
/// | `GET /api/examples` | example cases |
/// | `POST /api/examples/{name}` | run an example → 202 `JobStatus` |
/// | `POST /api/cases?name=scan.nii.gz` (raw body) | upload a scan → 202 `JobStatus`; 4xx for bad files |
/// | `GET /api/cases/{id}` | `JobStatus` (report when done) |
/// | `GET /api/cases/{id}/volume`, `/labels` | raw Int16 HU / UInt8 labels for the canvas viewer |
/// | `GET /api/cases/{id}/download/{labels.nii.gz,report.json}` | downloads (also seg.dcm, sr.dcm, montage.dcm for a DICOM upload) |
/// | `POST /api/cases/{id}/explanations/{method}[?faithfulness=1]` | heatmap of the primary lesion → `ViewerExplanation` |
/// | `GET /api/cases/{id}/explanations/{method}/map` | raw UInt8 heatmap (0…255 ↔ min…max over the crop) |
///
/// Other methods on these paths answer 405 with `Allow`. `SecurityMiddleware` guards them all.
struct ReaderRoutes: Sendable {
    let queue: JobQueue
    let uploads: UploadReceiver
    let examples: ExampleCases
    let assets: StaticAssets
    let models: PredictionReport.ModelIdentifiers

    /// Health answer.
    struct Health: Codable, Sendable {
        var status: String
        var models: PredictionReport.ModelIdentifiers
        var notice: String
        var maximumUploadBytes: Int
        /// Attribution methods the viewer offers (the study's seven).
        var explanationMethods: [String]
    }

    static let notice = "The bundled models were trained on synthetic data only. NeoICH is research software and is not for clinical use."

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try assets.response("index.html") }
        router.get("/assets/:file") { _, context in try assets.response(context.parameters.get("file") ?? "") }
        router.get("/api/health") { _, _ in
            try Self.json(Health(status: "ok", models: models, notice: Self.notice, maximumUploadBytes: uploads.maximumBytes,
                                explanationMethods: AttributionMethodName.study.map(\.rawValue)))
        }
        router.get("/api/examples") { _, _ in try Self.json(examples.list()) }
        router.post("/api/examples/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            let file = try examples.file(named: name)
            try await queue.checkCapacity()
            let (image, format, dicom) = try await UploadReceiver.read(file, name: name)
            return try Self.json(await queue.submit(name: name, image: image, format: format, dicom: dicom), status: .accepted)
        }
        router.post("/api/cases") { request, _ in
            let name = try UploadReceiver.sanitizedName(request.uri.queryParameters.get("name"))
            // Refuse early when the queue is full, but take a place only once the scan is received and valid.
            try await queue.checkCapacity()
            let (image, format, dicom) = try await uploads.receive(request, name: name)
            return try Self.json(await queue.submit(name: name, image: image, format: format, dicom: dicom), status: .accepted)
        }
        router.get("/api/cases/:id") { _, context in try Self.json(await queue.status(Self.id(context))) }
        router.get("/api/cases/:id/volume") { _, context in
            try Self.file(await queue.folder(Self.id(context)).appendingPathComponent(ViewerVolumes.scanFileName), type: "application/octet-stream")
        }
        router.get("/api/cases/:id/labels") { _, context in
            try Self.file(await queue.folder(Self.id(context)).appendingPathComponent(ViewerVolumes.labelsFileName), type: "application/octet-stream")
        }
        router.post("/api/cases/:id/explanations/:method") { request, context in
            let faithfulness = ["1", "true", "yes"].contains(request.uri.queryParameters.get("faithfulness") ?? "")
            return try Self.json(await queue.explain(Self.id(context), method: Self.method(context), faithfulness: faithfulness))
        }
        router.get("/api/cases/:id/explanations/:method/map") { _, context in
            try Self.file(await queue.heatmapFile(Self.id(context), method: Self.method(context)), type: "application/octet-stream")
        }
        router.get("/api/cases/:id/download/:file") { _, context in
            let folder = try await queue.folder(Self.id(context))
            let name = context.parameters.get("file") ?? ""
            let types = [CasePredictor.labelsFileName: "application/gzip", CasePredictor.reportFileName: "application/json",
                         CasePredictor.montageFileName: "image/png", CasePredictor.primarySliceFileName: "image/png",
                         DICOMCaseResults.segmentationFileName: "application/dicom",
                         DICOMCaseResults.measurementReportFileName: "application/dicom",
                         DICOMCaseResults.montageFileName: "application/dicom"]
            guard let type = types[name] else { throw ReaderError.notFound("file \(name)") }
            var response = try Self.file(folder.appendingPathComponent(name), type: type)
            response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
            return response
        }
        for (path, allowed) in Self.routeMethods {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in Self.refusedMethods where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw ReaderError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path); use \(allow)",
                                      headers: [.allow: allow])
                }
            }
        }
    }

    /// The methods each route takes (the table above); the others answer 405.
    static let routeMethods: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/", [.get]), ("/assets/:file", [.get]), ("/api/health", [.get]), ("/api/examples", [.get]),
        ("/api/examples/:name", [.post]), ("/api/cases", [.post]), ("/api/cases/:id", [.get]),
        ("/api/cases/:id/volume", [.get]), ("/api/cases/:id/labels", [.get]),
        ("/api/cases/:id/explanations/:method", [.post]), ("/api/cases/:id/explanations/:method/map", [.get]),
        ("/api/cases/:id/download/:file", [.get]),
    ]

    /// Methods answered with 405 on a route that does not take them (HEAD is left to the router).
    static let refusedMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options]

    // MARK: - Helpers

    static func id(_ context: BasicRequestContext) throws(ReaderError) -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else { throw ReaderError.notFound("case") }
        return id
    }

    static func method(_ context: BasicRequestContext) throws(ReaderError) -> AttributionMethodName {
        let text = context.parameters.get("method") ?? ""
        guard let method = AttributionMethodName(parsing: text) else {
            throw ReaderError.notFound("attribution method \(text) (known: \(AttributionMethodName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return method
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func file(_ url: URL, type: String) throws(ReaderError) -> Response {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ReaderError.notFound(url.lastPathComponent) }
        return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
