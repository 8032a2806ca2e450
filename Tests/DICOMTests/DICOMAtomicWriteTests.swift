import Foundation
@testable import DICOM
import Imaging
import TestSupport
import Testing

/// The DICOM writers (SEG, SR, Secondary Capture, datasets) write a hidden temporary file next to the target
/// and rename it over the target, so that a half-written object never carries the final name.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMAtomicWriteTests {
    /// The file's inode: a rename gives the target the inode of the freshly written file.
    static func inode(_ url: URL) throws -> UInt64 {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? UInt64)
    }

    /// Names in the folder other than the given ones (a temporary file left behind would show up here).
    static func leftovers(in folder: URL, besides names: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !names.contains($0) }
    }

    @Test func everyWriterReplacesTheTargetByRenameAndLeavesNothingElse() throws {
        let (written, montage, _) = try DICOMSecondaryCaptureTests.written()
        let folder = written.directory.file("objects")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seg = folder.appendingPathComponent("seg.dcm"), sr = folder.appendingPathComponent("sr.dcm")
        let sc = folder.appendingPathComponent("montage.dcm")
        // Each target already exists (a previous run's object); writing replaces it whole.
        for url in [seg, sr, sc] { try Data("an older object".utf8).write(to: url) }
        let before = try [seg, sr, sc].map(Self.inode)

        try DICOMSegmentationWriter.write(written.labels, source: written.read.source, creator: .init(algorithmVersion: "1"), to: seg)
        _ = try DICOMMeasurementReportWriter.write(DICOMMeasurementReportTests.content, source: written.read.source,
                                                   segmentation: seg, creator: .init(algorithmVersion: "1"), to: sr)
        _ = try DICOMSecondaryCaptureWriter.write(DICOMSecondaryCaptureTests.image, source: written.read.source,
                                                  creator: .init(algorithmVersion: "1"), description: "montage", to: sc)
        let after = try [seg, sr, sc].map(Self.inode)
        for k in 0..<3 { #expect(after[k] != before[k], "\([seg, sr, sc][k].lastPathComponent) was written in place") }
        #expect(try Self.leftovers(in: folder, besides: ["seg.dcm", "sr.dcm", "montage.dcm"]).isEmpty)
        #expect(try DICOMSegmentationReader.frames(of: seg).frames.count == 2 * written.series.count)
        #expect(try DICOMDataset(reading: sr.path).string("SOPClassUID") == "1.2.840.10008.5.1.4.1.1.88.34")  // Comprehensive 3D SR
        #expect(try DICOMDataset(reading: sc.path).string("SOPClassUID") == DICOMSecondaryCaptureWriter.sopClassUID)
        withExtendedLifetime(montage) {}
    }

    @Test func aFailedWriteLeavesTheTargetAsItWasAndNoTemporaryFile() throws {
        let written = try DICOMSegmentationTests.Written(.headFirst)
        let folder = written.directory.file("objects")
        // The target is a non-empty folder: DCMTK writes the whole object, the final rename fails.
        let target = folder.appendingPathComponent("seg.dcm")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: target.appendingPathComponent("inside"))
        #expect {
            try DICOMSegmentationWriter.write(written.labels, source: written.read.source, creator: .init(algorithmVersion: "1"), to: target)
        } throws: { error in
            "\(error)".contains(target.path) && "\(error)".contains("rename")
        }
        #expect(try Self.leftovers(in: folder, besides: ["seg.dcm"]).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["inside"])

        // A folder that does not exist: nothing is created, the error names the file.
        let missing = written.directory.file("no-such-folder/seg.dcm")
        #expect {
            try DICOMSegmentationWriter.write(written.labels, source: written.read.source, creator: .init(algorithmVersion: "1"), to: missing)
        } throws: { error in
            "\(error)".contains(missing.path)
        }
        #expect(!FileManager.default.fileExists(atPath: missing.deletingLastPathComponent().path))
    }
}
