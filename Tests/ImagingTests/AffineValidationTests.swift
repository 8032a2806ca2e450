import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct AffineValidationTests {
    @Test func defectsAreNamed() throws {
        #expect(Affine(diagonal: -0.45, -0.45, 5).defect == nil)
        // Tiny voxels are not singular: the test is relative to the column lengths.
        #expect(Affine(diagonal: 1e-4, 1e-4, 1e-4).defect == nil)
        var nan = Affine(diagonal: 1, 1, 1)
        nan[0, 3] = .nan
        #expect(nan.defect?.contains("not finite") == true)
        var infinite = Affine(diagonal: 1, 1, 1)
        infinite[1, 1] = .infinity
        #expect(infinite.defect?.contains("not finite") == true)
        #expect(Affine(diagonal: 1, 0, 1).defect == "the 3×3 part is singular")
        var parallel = Affine(diagonal: 1, 1, 1)
        parallel[0, 1] = 1
        parallel[1, 1] = 0
        #expect(parallel.defect == "the 3×3 part is singular")
        var bottom = Affine(diagonal: 1, 1, 1)
        bottom[3, 0] = 1
        #expect(bottom.defect?.contains("bottom row") == true)
    }

    @Test func invalidSformFallsBackToQformThenPixdim() throws {
        let lps = try #require(Affine(rowMajor: [-1, 0, 0, 90, 0, -1, 0, 100, 0, 0, 5, -20, 0, 0, 0, 1]))
        var geometry = VolumeGeometry(shape: VolumeShape(z: 2, y: 3, x: 4), spacingMM: SpacingMM(z: 5, y: 1, x: 1), affine: lps)
        #expect(geometry.validatingTransforms() == geometry)

        geometry.sform[0, 0] = .nan
        let noSform = geometry.validatingTransforms()
        #expect(noSform.affineSource == "qform" && noSform.affine == lps && noSform.sformCode == 0)
        #expect(noSform.affineFallback?.contains("sform (sform_code 1) ignored") == true)

        geometry.qform = Affine(diagonal: 0, 0, 0)
        let neither = geometry.validatingTransforms()
        #expect(neither.affineSource == "pixdim" && neither.affine == Affine(diagonal: 1, 1, 5))
        #expect(neither.affineFallback?.contains("qform (qform_code 1) ignored: the 3×3 part is singular") == true)
        #expect(neither.affineFallback?.hasSuffix("voxels are placed by the pixdim") == true)
        // Centroids are finite again.
        let world = neither.world(ofVoxel: VoxelPoint(z: 1, y: 1, x: 1))
        #expect(world.x.isFinite && world.y.isFinite && world.z.isFinite)
    }

    @Test func fileWithNaNSformIsReadThroughItsQformAndInfoSaysSo() throws {
        let directory = try TemporaryDirectory()
        let lps = try #require(Affine(rowMajor: [-1, 0, 0, 90, 0, -1, 0, 100, 0, 0, 5, -20, 0, 0, 0, 1]))
        var geometry = VolumeGeometry(shape: VolumeShape(z: 2, y: 3, x: 4), spacingMM: SpacingMM(z: 5, y: 1, x: 1), affine: lps)
        geometry.sform[1, 3] = .nan
        let url = directory.file("nan-sform.nii.gz")
        try NIfTIFile.write(Volume<Float>(geometry: geometry, repeating: 1), to: url)

        let read = try NIfTIFile.read(url)
        #expect(read.geometry.affineSource == "qform")
        #expect(read.geometry.affine.maximumDifference(to: lps) < 1e-4)
        #expect(read.geometry.orientationCode == "LPS")
        let info = try NIfTIFile.info(url)
        #expect(info.affineSource == "qform")
        #expect(info.affineFallback?.contains("sform (sform_code 1) ignored: entry nan is not finite") == true)
        #expect(info.text.contains("sform (sform_code 1) ignored"))
    }
}
