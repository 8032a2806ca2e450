import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct NIfTIFileTests {
    @Test func readsNibabelInt16WithScalingAndObliqueAffine() throws {
        let reference = try ImagingFixtures.reference("nibabel_scaled_int16.json")
        let volume = try NIfTIFile.read(try ImagingFixtures.url("nibabel_scaled_int16.nii.gz"), as: Float.self)
        #expect(volume.shape.array == reference.shape_zyx)
        expectClose(volume.spacingMM.array, reference.spacing_zyx ?? [], absolute: 1e-6)
        expectClose(volume.geometry.affine.elements, reference.affine.flatMap { $0 }, absolute: 1e-4)
        #expect(volume.geometry.sformCode == reference.sform_code)
        #expect(volume.geometry.qformCode == reference.qform_code)
        #expect(volume.geometry.orientationCode == reference.orientation)
        expectClose(volume.voxels, reference.values_zyx, absolute: 1e-4)
    }

    @Test func readsNibabelNIfTI2Float64QformOnly() throws {
        let reference = try ImagingFixtures.reference("nibabel_float64_nifti2.json")
        let url = try ImagingFixtures.url("nibabel_float64_nifti2.nii")
        let volume = try NIfTIFile.read(url, as: Float.self)
        #expect(volume.shape.array == reference.shape_zyx)
        #expect(volume.geometry.sformCode == 0)
        #expect(volume.geometry.affineSource == "qform")
        expectClose(volume.geometry.affine.elements, reference.affine.flatMap { $0 }, absolute: 1e-9)
        #expect(volume.geometry.orientationCode == reference.orientation)
        expectClose(volume.voxels, reference.values_zyx, absolute: 1e-6)
        #expect(try NIfTIFile.info(url).format == .nifti2)
    }

    @Test func readsInt32LabelsAsUInt8() throws {
        let labels = try NIfTIFile.readLabels(try ImagingFixtures.url("nibabel_int32_labels.nii.gz"))
        #expect(labels.shape == VolumeShape(z: 5, y: 6, x: 7))
        // labels[2:4, 2:4, 1:3] = 1 and labels[1, 1:5, 1:4] = 2 in nibabel's (x, y, z) order.
        #expect(labels[1, 2, 2] == 1 && labels[2, 3, 3] == 1)
        #expect(labels[1, 1, 1] == 2 && labels[3, 4, 1] == 2)
        #expect(labels.voxels.filter { $0 == 1 }.count == 8)
        #expect(labels.voxels.filter { $0 == 2 }.count == 12)
    }

    @Test(arguments: [NIfTIFormat.nifti1, .nifti2], ["x.nii", "x.nii.gz"])
    func roundTripPreservesVoxelsAndGeometry(format: NIfTIFormat, name: String) throws {
        let source = try NIfTIFile.read(try ImagingFixtures.url("nibabel_scaled_int16.nii.gz"), as: Float.self)
        let directory = try TemporaryDirectory()
        let url = directory.file(name)
        try NIfTIFile.write(source, to: url, options: NIfTIWriteOptions(format: format))
        let back = try NIfTIFile.read(url, as: Float.self)
        #expect(back.voxels == source.voxels)
        #expect(back.geometry.qformCode == source.geometry.qformCode)
        #expect(back.geometry.sformCode == source.geometry.sformCode)
        expectClose(back.geometry.sform.elements, source.geometry.sform.elements, absolute: 1e-4)
        expectClose(back.geometry.qform.elements, source.geometry.qform.elements, absolute: 1e-4)
        #expect(try NIfTIFile.info(url).format == format)
        // Manual cross-check with nibabel: NEOICH_EXPORT_DIR=… swift test, then load the files in nibabel.
        if let folder = ProcessInfo.processInfo.environment["NEOICH_EXPORT_DIR"] {
            try NIfTIFile.write(source, to: URL(fileURLWithPath: folder).appendingPathComponent("\(format.rawValue)-\(name)"),
                                options: NIfTIWriteOptions(format: format))
        }
    }

    @Test func int16AndLabelRoundTripsKeepTypesAndAlignment() throws {
        let scan = try NIfTIFile.read(try ImagingFixtures.url("nibabel_scaled_int16.nii.gz"), as: Float.self)
        let hu = scan.map { Int16($0) }
        var labels = LabelMap(geometry: scan.geometry)
        labels[2, 3, 4] = 1
        labels[2, 3, 5] = 2
        let directory = try TemporaryDirectory()
        try NIfTIFile.write(hu, to: directory.file("ct.nii.gz"))
        try NIfTIFile.write(labels, to: directory.file("labels.nii.gz"))
        let huBack = try NIfTIFile.read(directory.file("ct.nii.gz"), as: Int16.self)
        let labelsBack = try NIfTIFile.readLabels(directory.file("labels.nii.gz"))
        #expect(huBack.voxels == hu.voxels)
        #expect(labelsBack.voxels == labels.voxels)
        try labelsBack.validateLabels(on: huBack.geometry, file: "labels.nii.gz")
        #expect(try NIfTIFile.info(directory.file("ct.nii.gz")).datatype == "int16")
        #expect(try NIfTIFile.info(directory.file("labels.nii.gz")).datatype == "uint8")
    }

    @Test func infoRendersTextAndJSON() throws {
        let info = try NIfTIFile.info(try ImagingFixtures.url("nibabel_scaled_int16.nii.gz"))
        let reference = try ImagingFixtures.reference("nibabel_scaled_int16.json")
        #expect(info.datatype == "int16")
        #expect(info.orientation == reference.orientation)
        expectClose(info.minimum, reference.min ?? .nan)
        expectClose(info.maximum, reference.max ?? .nan)
        #expect(info.sclSlope == 0.5 && info.sclInter == -1024)
        #expect(info.text.contains("5 × 6 × 7  (z × y × x)"))
        let decoded = try JSONDecoder().decode(VolumeInfo.self, from: Data(try info.json().utf8))
        #expect(decoded == info)
    }
}
