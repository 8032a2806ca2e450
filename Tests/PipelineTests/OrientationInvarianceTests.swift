import Foundation
import Imaging
import Pipeline
import Testing
import TestSupport

@Suite struct OrientationInvarianceTests {
    /// The same scan stored four ways — RAS (as synthesised), LPS, LAS with the slice order reversed (LAI),
    /// and as a sagittal stack with permuted axes (ASR: columns anterior, rows superior, slices right) —
    /// gives the same masks, volumes and P(neoplastic).
    @Test func sameCaseInFourStorageOrientationsGivesTheSameResult() throws {
        let fixture = try PipelineFixture("neoich-orientation")
        let scan = PlumbingFixtures.syntheticCT(seed: 3)
        #expect(scan.geometry.orientationCode == "RAS")
        var results: [(code: String, report: PredictionReport, labels: LabelMap)] = []
        for code in ["RAS", "LPS", "LAI", "ASR"] {
            let stored = try Reorientation(from: scan.geometry, to: code).apply(scan)
            #expect(stored.geometry.orientationCode == code)
            let input = fixture.directory.file("input-\(code).nii.gz")
            try NIfTIFile.write(stored, to: input)
            let out = fixture.directory.file("out-\(code)")
            let report = try fixture.predictor.predict(input, output: out).report
            let labels = try NIfTIFile.readLabels(out.appendingPathComponent(report.files.labels))
            // The written mask lies on the input exactly.
            let inputGeometry = try NIfTIFile.read(input).geometry
            #expect(labels.geometry == inputGeometry, "\(code)")
            #expect(report.input.orientation == code)
            #expect(report.input.segmentationOrientation == "LPS" && report.input.classificationOrientation == "LPS")
            // Slice ranges index the stored scan: the primary lesion's range covers exactly the input slices
            // its ICH voxels lie on (for the axial storages, every ICH voxel when there is one lesion).
            if let primary = report.lesions.first(where: { $0.isPrimary }), report.lesions.count == 1 {
                let shape = labels.shape
                let slices = (0..<labels.count).filter { labels[offset: $0] == 1 }.map { $0 / (shape.y * shape.x) }
                #expect(primary.sliceRange == [slices.min() ?? -1, slices.max() ?? -1], "\(code)")
            }
            results.append((code, report, labels))
        }

        let reference = results[0]
        #expect(reference.report.total.ich.voxelCount > 0, "the tiny untrained model should label some ICH on this seed")
        let referenceClassification = try #require(reference.report.classification)
        for (code, report, labels) in results.dropFirst() {
            // Masks agree voxel for voxel once brought onto the reference grid, and in world space.
            let onReference = try Reorientation(from: labels.geometry, to: "RAS").apply(labels)
            let differing = zip(onReference.voxels, reference.labels.voxels).filter { $0 != $1 }.count
            #expect(onReference.shape == reference.labels.shape && differing == 0, "\(code): \(differing) voxels differ")
            #expect(distance(Self.worldCentroid(labels, 1), Self.worldCentroid(reference.labels, 1)) < 1e-6, "\(code)")
            #expect(distance(Self.worldCentroid(labels, 2), Self.worldCentroid(reference.labels, 2)) < 1e-6, "\(code)")
            // Volumes, lesions and P(neoplastic) are identical.
            #expect(report.total.ich.volumeML == reference.report.total.ich.volumeML, "\(code)")
            #expect(report.total.phe.volumeML == reference.report.total.phe.volumeML, "\(code)")
            #expect(report.total.ich.meanHU == reference.report.total.ich.meanHU, "\(code)")
            #expect(report.total.ichABCOver2?.volumeML == reference.report.total.ichABCOver2?.volumeML, "\(code)")
            #expect(report.lesions.map(\.ich.volumeML) == reference.report.lesions.map(\.ich.volumeML), "\(code)")
            #expect(report.lesions.map(\.location.description) == reference.report.lesions.map(\.location.description), "\(code)")
            let classification = try #require(report.classification)
            #expect(classification.probability == referenceClassification.probability, "\(code)")
        }
    }

    /// The world centroid (mm) of the voxels labelled `value`.
    static func worldCentroid(_ labels: LabelMap, _ value: UInt8) -> WorldPointMM {
        let shape = labels.shape
        var sum = WorldPointMM(x: 0, y: 0, z: 0), n = 0.0
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x where labels[z, y, x] == value {
                    let p = labels.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: Double(y), x: Double(x)))
                    sum.x += p.x; sum.y += p.y; sum.z += p.z; n += 1
                }
            }
        }
        return n > 0 ? WorldPointMM(x: sum.x / n, y: sum.y / n, z: sum.z / n) : sum
    }

    /// Plausibility: the tiny fixture CT warns (a few thin slices, no skull) but runs; unrescaled values are refused.
    @Test func smallTestVolumesWarnAndRawValuesAreRefused() throws {
        let fixture = try PipelineFixture("neoich-plausibility")
        let ct = try fixture.writeCT("small.nii.gz", seed: 3)
        let report = try fixture.predictor.predict(ct, output: fixture.directory.file("out")).report
        let warnings = try #require(report.warnings)
        #expect(warnings.contains { $0.contains("slices superior–inferior") })
        #expect(warnings.contains { $0.contains("no skull") })

        let raw = PlumbingFixtures.syntheticCT(seed: 3).map { Float(min(255, max(0, ($0 + 1000) / 8))) }
        let rawURL = fixture.directory.file("raw.nii.gz")
        try NIfTIFile.write(raw, to: rawURL)
        do {
            _ = try fixture.predictor.predict(rawURL, output: fixture.directory.file("raw-out"))
            Issue.record("expected a refusal")
        } catch let error as ImagingError {
            guard case .implausibleHeadCT(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == rawURL.path)
            #expect(reason.contains("8-bit"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("raw-out/report.json").path))
    }

    /// A NaN sform no longer reaches the centroids: the qform places the scan and the report says so.
    @Test func unusableSformFallsBackAndIsReported() throws {
        let fixture = try PipelineFixture("neoich-sform")
        var scan = PlumbingFixtures.syntheticCT(seed: 3)
        scan.geometry.sform[0, 3] = .nan
        let url = fixture.directory.file("nan-sform.nii.gz")
        try NIfTIFile.write(scan, to: url)
        let report = try fixture.predictor.predict(url, output: fixture.directory.file("out")).report
        let warnings = try #require(report.warnings)
        #expect(warnings.first?.contains("sform (sform_code 1) ignored") == true)
        let finite = report.input.affine.joined().allSatisfy { $0.isFinite }
        #expect(finite)
        #expect(!report.lesions.isEmpty)
        let centroidsFinite = report.lesions.allSatisfy { $0.centroidWorldMM.x.isFinite && $0.centroidWorldMM.y.isFinite && $0.centroidWorldMM.z.isFinite }
        #expect(centroidsFinite)
    }
}

private func distance(_ a: WorldPointMM, _ b: WorldPointMM) -> Double {
    ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z)).squareRoot()
}
