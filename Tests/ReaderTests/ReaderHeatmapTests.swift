import Explain
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Pipeline
@testable import Reader
import Testing
import TestSupport

@Suite struct ReaderHeatmapTests {
    /// The viewer's heatmap is the method's crop map, min-max scaled to 0…255 and pasted onto the scan; its
    /// faithfulness and region importance equal `CaseExplanation.run` (the `neoich explain` path).
    @Test func heatmapMatchesTheExplainCommandPath() throws {
        let fixture = try ReaderFixture()
        let image = PlumbingFixtures.syntheticCT(seed: 3)
        // Ground-truth-like labels from the phantom's intensities: blob = ICH, rim = PHE.
        var labels = LabelMap(geometry: image.geometry, repeating: 0)
        for i in 0..<image.count {
            let hu = image.voxels[i]
            labels.withUnsafeMutableVoxels { $0[i] = hu > 55 ? 1 : (hu > -100 && hu < 24 ? 2 : 0) }
        }
        let crop = try #require(try LesionCropper.crops(image: image, labels: labels,
                                                        configuration: LesionCropConfiguration(size: fixture.models.classifier.card.cropSize)).first)
        let folder = fixture.directory.file("heat")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (first, deletion) = try ViewerHeatmap.explain(ExplainableCase(crop: crop), method: .gradCAM, faithfulness: true,
                                                          models: fixture.models, folder: folder)
        let reference = try CaseExplanation.run(
            model: fixture.models.classifier.network,
            input: fixture.models.classifier.card.normalization.input(for: crop).unsqueezed(0), labels: crop.labels,
            request: ExplanationRequest(methods: [.gradCAM], faithfulness: true))
        #expect(first.faithfulness == reference.summary.methods[0].faithfulness)
        #expect(first.regionImportance == reference.summary.methods[0].regionImportance)
        #expect(first.lesionVoxels == crop.labels.voxels.filter { $0 != 0 }.count)
        #expect(first.deletionSeconds != nil)

        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(ViewerHeatmap.fileName(.gradCAM))))
        #expect(bytes.count == image.count)
        let map = reference.maps[0].map.voxels
        let low = map.min()!, high = map.max()!
        var expected = [UInt8](repeating: 0, count: image.count)
        let shape = image.shape, c = crop.image.shape
        for z in 0..<c.z { for y in 0..<c.y { for x in 0..<c.x {
            let sz = z + crop.origin.z, sy = y + crop.origin.y, sx = x + crop.origin.x
            guard (0..<shape.z).contains(sz), (0..<shape.y).contains(sy), (0..<shape.x).contains(sx) else { continue }
            let v = map[c.offset(z: z, y: y, x: x)]
            expected[shape.offset(z: sz, y: sy, x: sx)] = UInt8(((v - low) / (high - low) * 255).rounded())
        } } }
        #expect(bytes == expected)

        // A second method reuses the deletion pass (no new deletion time) and matches a fresh computation.
        let (second, _) = try ViewerHeatmap.explain(ExplainableCase(crop: crop, deletion: deletion), method: .saliency,
                                                    faithfulness: true, models: fixture.models, folder: folder)
        let fresh = try CaseExplanation.run(
            model: fixture.models.classifier.network,
            input: fixture.models.classifier.card.normalization.input(for: crop).unsqueezed(0), labels: crop.labels,
            request: ExplanationRequest(methods: [.saliency], faithfulness: true))
        #expect(second.deletionSeconds == nil)
        let a = try #require(second.faithfulness), b = try #require(fresh.summary.methods[0].faithfulness)
        #expect(abs(a - b) < 1e-9)
    }

    /// Over HTTP: a finished case's heatmap, its map bytes and cached faithfulness; unknown methods and cases
    /// answer 404, and the server keeps serving.
    @Test func explanationRoutes() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/api/health", method: .get)
            #expect(String(buffer: health.body).contains("\"GradCAMPlusPlus\""))
            let queued = try client.decode(JobStatus.self, await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz"))
            let status = try await client.waitForJob(queued.id)
            let report = try #require(status.report)
            let explained = try await client.post("/api/cases/\(queued.id)/explanations/GradCAM?faithfulness=1")
            // The tiny fixture CT always yields a classified lesion (a bright blob in a dark rim).
            #expect(report.lesions.contains { $0.classification != nil })
            #expect(explained.status == .ok)
            let result = try Self.decode(explained)
            #expect(result.method == .gradCAM)
            let faithfulness = try #require(result.faithfulness)   // NaN for the untrained model is allowed
            let map = try await client.execute(uri: "/api/cases/\(queued.id)/explanations/GradCAM/map", method: .get)
            #expect(map.body.readableBytes == PlumbingFixtures.shape.count)
            let again = try Self.decode(await client.post("/api/cases/\(queued.id)/explanations/GradCAM"))
            #expect(again.faithfulness.map(\.bitPattern) == faithfulness.bitPattern)
            let unknown = try await client.post("/api/cases/\(queued.id)/explanations/Occlusion")
            #expect(unknown.status == .notFound)
            let notRequested = try await client.execute(uri: "/api/cases/\(queued.id)/explanations/SmoothGrad/map", method: .get)
            #expect(notRequested.status == .notFound)
            let missing = try await client.post("/api/cases/\(UUID().uuidString.lowercased())/explanations/GradCAM")
            #expect(missing.status == .notFound)
            #expect(try await client.execute(uri: "/api/health", method: .get).status == .ok)
        }
    }

    /// Decodes a `ViewerExplanation` as the page does (NaN is sent as "nan").
    static func decode(_ response: TestResponse) throws -> ViewerExplanation {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(ViewerExplanation.self, from: Data(buffer: response.body))
    }
}
