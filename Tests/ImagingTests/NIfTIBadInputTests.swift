import Foundation
@testable import Imaging
import TestSupport
import Testing

/// Every malformed input gives a typed error naming the file; nothing crashes.
@Suite struct NIfTIBadInputTests {
    /// A good gzip-compressed scan large enough that truncation hits the voxel data.
    private func writeScan(_ directory: TemporaryDirectory, name: String) throws -> URL {
        var scan = Volume<Int16>(geometry: ImagingFixtures.geometry(8, 32, 32))
        scan.withUnsafeMutableVoxels { v in for i in 0..<v.count { v[i] = Int16(truncatingIfNeeded: i &* 2654435761 >> 7) } }
        let url = directory.file(name)
        try NIfTIFile.write(scan, to: url)
        return url
    }

    private func expectError(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation,
                             _ matches: (ImagingError) -> Bool) {
        do {
            _ = try NIfTIFile.read(url, as: Float.self)
            Issue.record("\(url.lastPathComponent) was read without error", sourceLocation: sourceLocation)
        } catch let error as ImagingError {
            #expect(matches(error), "unexpected error \(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(url.lastPathComponent), sourceLocation: sourceLocation)
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedGzip() throws {
        let directory = try TemporaryDirectory()
        let url = try writeScan(directory, name: "truncated.nii.gz")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        expectError(url) { if case .truncatedFile = $0 { true } else if case .corruptCompressedData = $0 { true } else { false } }
    }

    @Test func gzipCutInsideHeader() throws {
        let directory = try TemporaryDirectory()
        let url = try writeScan(directory, name: "stub.nii.gz")
        try Data(contentsOf: url).prefix(40).write(to: url)
        expectError(url) { if case .truncatedFile = $0 { true } else if case .corruptCompressedData = $0 { true } else { false } }
    }

    @Test func corruptGzip() throws {
        let directory = try TemporaryDirectory()
        let url = try writeScan(directory, name: "corrupt.nii.gz")
        var data = try Data(contentsOf: url)
        for i in stride(from: data.count / 3, to: data.count * 2 / 3, by: 7) { data[i] ^= 0x5A }
        try data.write(to: url)
        expectError(url) { if case .corruptCompressedData = $0 { true } else if case .truncatedFile = $0 { true } else { false } }
    }

    @Test func truncatedUncompressed() throws {
        let directory = try TemporaryDirectory()
        let url = try writeScan(directory, name: "short.nii")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 100).write(to: url)
        expectError(url) { if case .truncatedFile = $0 { true } else { false } }
    }

    @Test func notNIfTIAtAll() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("text.nii")
        try Data(String(repeating: "not an image ", count: 50).utf8).write(to: url)
        expectError(url) { if case .notNIfTI = $0 { true } else { false } }
        let empty = directory.file("empty.nii.gz")
        try Data().write(to: empty)
        expectError(empty) { if case .truncatedFile = $0 { true } else { false } }
    }

    @Test func missingFileAndWrongExtension() throws {
        expectError(URL(fileURLWithPath: "/nonexistent/scan.nii.gz")) { $0 == .fileNotFound(file: "/nonexistent/scan.nii.gz") }
        let directory = try TemporaryDirectory()
        let url = directory.file("scan.mha")
        try Data([1, 2, 3]).write(to: url)
        expectError(url) { if case .unsupportedFileExtension = $0 { true } else { false } }
    }

    @Test(arguments: ["bad_4d.nii.gz", "bad_2d.nii.gz"])
    func notThreeDimensional(name: String) throws {
        expectError(try ImagingFixtures.url(name)) { if case .notThreeDimensional = $0 { true } else { false } }
    }

    @Test(arguments: ["bad_zero_spacing.nii.gz", "bad_negative_spacing.nii.gz"])
    func invalidSpacing(name: String) throws {
        expectError(try ImagingFixtures.url(name)) { if case .invalidSpacing = $0 { true } else { false } }
    }

    @Test func nanAndInfVoxels() throws {
        expectError(try ImagingFixtures.url("bad_nan.nii.gz")) { if case .nonFiniteVoxels(_, 2) = $0 { true } else { false } }
    }

    @Test(arguments: [("bad_complex_datatype.nii.gz", 32), ("bad_int8_datatype.nii.gz", 256)])
    func unsupportedDatatype(name: String, code: Int) throws {
        expectError(try ImagingFixtures.url(name)) { if case .unsupportedDatatype(_, code, _) = $0 { true } else { false } }
    }

    @Test func nonIntegralLabels() throws {
        let url = try ImagingFixtures.url("nibabel_scaled_int16.nii.gz")
        #expect(throws: ImagingError.self) { _ = try NIfTIFile.readLabels(url) }
    }

    @Test func labelMapWithWrongShapeOrAffine() throws {
        let scan = try NIfTIFile.read(try ImagingFixtures.url("nibabel_scaled_int16.nii.gz"), as: Float.self)
        let wrongShape = LabelMap(geometry: ImagingFixtures.geometry(5, 6, 8))
        #expect { try wrongShape.validateLabels(on: scan.geometry, file: "shape.nii.gz") } throws: { error in
            guard case ImagingError.geometryMismatch(let file, let detail)? = error as? ImagingError else { return false }
            return file == "shape.nii.gz" && detail.contains("shape")
        }
        var shifted = scan.geometry
        shifted.sform[0, 3] += 2
        let wrongAffine = LabelMap(geometry: shifted)
        #expect { try wrongAffine.validateLabels(on: scan.geometry, file: "affine.nii.gz") } throws: { error in
            guard case ImagingError.geometryMismatch(_, let detail)? = error as? ImagingError else { return false }
            return detail.contains("affine")
        }
        var outOfRange = LabelMap(geometry: scan.geometry)
        outOfRange[0, 0, 0] = 7
        #expect(throws: ImagingError.invalidLabelValues(file: "x", values: [7])) {
            try outOfRange.validateLabels(on: scan.geometry, file: "x")
        }
    }

    @Test func writeRefusesBadPaths() throws {
        let volume = LabelMap(geometry: ImagingFixtures.geometry(2, 2, 2))
        #expect(throws: ImagingError.self) { try NIfTIFile.write(volume, to: URL(fileURLWithPath: "/nonexistent/dir/x.nii.gz")) }
        let directory = try TemporaryDirectory()
        #expect(throws: ImagingError.self) { try NIfTIFile.write(volume, to: directory.file("x.png")) }
    }
}
