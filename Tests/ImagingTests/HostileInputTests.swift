import Foundation
@testable import Imaging
import TestSupport
import Testing

/// Every file of the hostile corpus is refused by the library with a typed error naming the file and the
/// problem, within a few seconds (header-level refusals allocate nothing; see `ImageLimits`).
@Suite struct HostileInputTests {
    @Test func theCorpusHasFortyFilesOrMore() {
        #expect(HostileInputs.all.count >= 40)
        #expect(Set(HostileInputs.all.map(\.name)).count == HostileInputs.all.count)
    }

    @Test func everyFileIsRefusedWithAClearErrorNamingIt() throws {
        for (url, entry) in try HostileInputs.shared() where entry.refusedOnReading {
            let start = Date()
            do {
                if url.pathExtension == "zip" {
                    _ = try DICOMImporter.importCT(from: url)
                } else {
                    _ = try NIfTIFile.read(url, as: Float.self)
                }
                Issue.record("\(entry.name) (\(entry.why)) was read without error")
            } catch let error as ImagingError {
                let message = error.description
                #expect(message.contains(entry.name), "\(entry.name): \(message)")
                #expect(entry.expected.contains { message.lowercased().contains($0) }, "\(entry.name): \(message)")
            } catch {
                Issue.record("\(entry.name): untyped error \(error)")
            }
            let seconds = Date().timeIntervalSince(start)
            #expect(seconds < 5, "\(entry.name) took \(seconds) s")
        }
    }

    @Test func zipLimitsBudgetAndDeclaredSize() {
        let limits = ArchiveLimits()
        #expect(limits.budget(archiveBytes: 10) == 50 << 20)
        #expect(limits.budget(archiveBytes: 100 << 20) == 1 << 30)
        #expect(limits.budget(archiveBytes: .max) == 1 << 30)
        #expect(ZipArchive.declaredBytes("3 files, 123456 bytes uncompressed, 2345 bytes compressed:  98.1%") == 123456)
        #expect(ZipArchive.declaredBytes("garbage") == nil)
    }

    @Test func limitsUseCheckedArithmetic() throws {
        #expect(ImageLimits.product(1 << 40, 1 << 40) == nil)
        #expect(ImageLimits.product(-1, 4) == nil)
        #expect(ImageLimits.product(512, 512, 300) == 512 * 512 * 300)
        let geometry = VolumeGeometry(shape: VolumeShape(z: 30, y: 512, x: 512), spacingMM: SpacingMM(z: 5, y: 1e-3, x: 1e-3))
        #expect(throws: ImagingError.self) { try Resampler.geometry(geometry, resampledTo: SpacingMM(z: 5, y: 1e-25, x: 1e-25)) }
        #expect(throws: ImagingError.self) { try Resampler.geometry(geometry, resampledTo: SpacingMM(z: 1e-9, y: 1, x: 1)) }
        let head = VolumeGeometry(shape: VolumeShape(z: 32, y: 512, x: 512), spacingMM: SpacingMM(z: 5, y: 0.45, x: 0.45))
        #expect(try Resampler.geometry(head, resampledTo: SpacingMM(z: 5, y: 0.45, x: 0.45)).shape == head.shape)
        try ImageLimits.standard.check(shape: head.shape, spacing: head.spacingMM, file: "head")
    }

    @Test func modalityCodesAreSpelledOut() {
        #expect(DICOMSeriesSelection.describe(modality: "OT") == "OT (other, e.g. a secondary-capture screenshot)")
        #expect(DICOMSeriesSelection.describe(modality: "XYZ") == "XYZ")
    }

    @Test func privateFoldersAreUnreadableByOthers() throws {
        let folder = try PrivateFolder.make(prefix: "neoich-test-private-")
        defer { try? FileManager.default.removeItem(at: folder) }
        let permissions = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
        #expect(permissions == 0o700)
    }
}
