import Foundation
@testable import DICOM
import Imaging
import Pipeline
import Testing
import TestSupport

/// `neoich predict DICOM_DIR -o OUT --dicom` as a separate process: a synthetic head CT stored as a DICOM
/// series gives OUT/seg.dcm, a valid Segmentation whose masks are the label map written next to it, and
/// OUT/sr.dcm, a valid measurement report with report.json's total ICH volume, and OUT/montage.dcm, the
/// overlay montage's pixels as a valid Secondary Capture.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
struct PredictDICOMCommandTests {
    @Test func writesASegmentationOfTheLabelMap() throws {
        let directory = try TemporaryDirectory("neoich-predict-dicom")
        let models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        let ct = PlumbingFixtures.syntheticCT(seed: 3)
        let folder = directory.file("case1")
        try Self.writeSeries(ct, to: folder)
        let out = directory.file("out")
        let outcome = try ChildProcess.run(ChildProcess.built("neoich"), [
            "predict", folder.path, "-o", out.path, "--dicom", "--segmentation-model", models.segmentation.path,
            "--classifier-model", models.classifier.path, "--no-mirroring",
        ], environment: ["NEOICH_THREADS": "1"])
        try #require(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("seg.dcm"))

        let labels = try NIfTIFile.read(out.appendingPathComponent("labels.nii.gz"), as: UInt8.self)
        let (_, _, frames) = try DICOMSegmentationReader.frames(of: out.appendingPathComponent("seg.dcm"))
        #expect(frames.count == 2 * ct.shape.z)
        for segment in 1...2 {
            let segmented = frames.filter { $0.segmentNumber == segment }.reduce(0) { $0 + $1.pixels.reduce(0) { $0 + Int($1) } }
            #expect(segmented == labels.voxels.filter { Int($0) == segment }.count, "segment \(segment)")
        }
        let report = try PredictionReport.read(out.appendingPathComponent("report.json"))
        #expect(report.files.dicom == ["seg.dcm", "sr.dcm", "montage.dcm"])
        let sr = try DICOMDataset(reading: out.appendingPathComponent("sr.dcm").path)
        let volumes = try Self.numbers(sr, code: "118565006")
        #expect(volumes.first.map { abs($0 - report.total.ich.volumeML) < 1e-6 } == true, "\(volumes)")
        let png = try RGBAImage.readPNG(out.appendingPathComponent(report.files.overlayMontage))
        let montage = try DICOMDataset(reading: out.appendingPathComponent("montage.dcm").path, headersOnly: false)
        #expect(try montage.string("Rows") == String(png.height) && montage.string("Columns") == String(png.width))
        let rgb = try montage.pixelBytes()
        #expect(stride(from: 0, to: png.pixels.count, by: 4).allSatisfy { p in
            png.pixels[p..<(p + 3)].elementsEqual(rgb[(p / 4 * 3)..<(p / 4 * 3 + 3)])
        })
        if Dciodvfy.isInstalled {
            for name in ["seg.dcm", "sr.dcm", "montage.dcm"] {
                let (errors, output) = try Dciodvfy.check(out.appendingPathComponent(name))
                #expect(errors.isEmpty, "\(name): \(output)")
            }
        }
    }

    @Test func dicomFlagNeedsADICOMInput() throws {
        let outcome = try ChildProcess.run(ChildProcess.built("neoich"), ["predict", "ct.nii.gz", "-o", "/tmp/unused", "--dicom"])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("--dicom needs a DICOM folder or .zip"))
    }

    /// The numeric values of the SR content items named `code`, in document order.
    static func numbers(_ sr: DICOMDataset, code: String, path: String = "") throws -> [Double] {
        var values: [Double] = []
        let sequence = path.isEmpty ? "ContentSequence" : "\(path).ContentSequence"
        for i in 0..<(try sr.count(sequence)) {
            let item = "\(sequence)[\(i)]"
            if try sr.string("\(item).ConceptNameCodeSequence[0].CodeValue") == code,
               let value = try sr.string("\(item).MeasuredValueSequence[0].NumericValue").flatMap(Double.init) {
                values.append(value)
            }
            values += try numbers(sr, code: code, path: item)
        }
        return values
    }

    /// Writes a volume as an axial CT series, one file per z slice, pixel (row r, column c) = voxel (z, r, c),
    /// positions and orientation from the volume's affine (RAS → LPS), stored value HU + 1024.
    static func writeSeries(_ volume: Volume<Float>, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let a = volume.geometry.affine, shape = volume.shape
        func lps(_ v: [Double]) -> [Double] { [-v[0], -v[1], v[2]] }
        func unit(_ column: Int) -> [Double] {
            let v = (0..<3).map { a[$0, column] }, n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return lps(v.map { $0 / n })
        }
        let orientation = unit(0) + unit(1)
        let (study, series, frame) = (try newDICOMUID(), try newDICOMUID(), try newDICOMUID())
        for z in 0..<shape.z {
            let w = volume.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: 0, x: 0))
            let dataset = try DICOMDataset()
            let attributes: [(String, String)] = [
                ("SOPClassUID", "1.2.840.10008.5.1.4.1.1.2"), ("SOPInstanceUID", try newDICOMUID()),
                ("ImageType", "ORIGINAL\\PRIMARY\\AXIAL"), ("Modality", "CT"), ("PatientName", "Synthetic^Case"),
                ("PatientID", "SYN3"), ("StudyInstanceUID", study), ("SeriesInstanceUID", series),
                ("FrameOfReferenceUID", frame), ("SeriesNumber", "2"), ("InstanceNumber", String(z + 1)),
                ("ImagePositionPatient", lps([w.x, w.y, w.z]).map { String($0) }.joined(separator: "\\")),
                ("ImageOrientationPatient", orientation.map { String($0) }.joined(separator: "\\")),
                ("PixelSpacing", "\(volume.spacingMM.y)\\\(volume.spacingMM.x)"),
                ("SliceThickness", String(volume.spacingMM.z)), ("SamplesPerPixel", "1"),
                ("PhotometricInterpretation", "MONOCHROME2"), ("Rows", String(shape.y)), ("Columns", String(shape.x)),
                ("BitsAllocated", "16"), ("BitsStored", "16"), ("HighBit", "15"), ("PixelRepresentation", "0"),
                ("RescaleIntercept", "-1024"), ("RescaleSlope", "1"),
            ]
            for (path, value) in attributes { try dataset.set(path, value) }
            var words: [UInt16] = []
            for y in 0..<shape.y { for x in 0..<shape.x { words.append(UInt16(max(0, min(65535, (volume[z, y, x] + 1024).rounded())))) } }
            try dataset.setPixels(words)
            try dataset.write(to: folder.appendingPathComponent(String(format: "slice%03d.dcm", z)))
        }
    }
}
