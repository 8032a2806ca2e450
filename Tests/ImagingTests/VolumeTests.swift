import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct VolumeTests {
    @Test func copyOnWriteSharesUntilMutation() throws {
        var a = Volume<Float>(geometry: ImagingFixtures.geometry(2, 3, 4), repeating: 1)
        let b = a
        #expect(a.buffer === b.buffer)
        a[1, 2, 3] = 5
        #expect(a.buffer !== b.buffer)
        #expect(b[1, 2, 3] == 1 && a[1, 2, 3] == 5)
        // (z, y, x) is row-major with x fastest, NIfTI's layout.
        #expect(a.shape.offset(z: 1, y: 2, x: 3) == 23 && a[offset: 23] == 5)
        #expect(throws: ImagingError.voxelCountMismatch(expected: 24, actual: 3)) {
            _ = try Volume<Float>(geometry: a.geometry, voxels: [1, 2, 3])
        }
    }

    @Test func bufferIsContiguousAlignedAndAdoptable() throws {
        let buffer = VoxelBuffer<Int16>(count: 1000, repeating: 7)
        #expect(Int(bitPattern: buffer.baseAddress) % 64 == 0)
        let volume = try Volume(geometry: ImagingFixtures.geometry(10, 10, 10), buffer: buffer)
        #expect(volume.buffer === buffer)  // adopted without a copy
        #expect(buffer.byteCount == 2000)
    }

    @Test func orientationCodesAsNibabel() {
        // nibabel.aff2axcodes: identity → RAS; diag(−1, −1, 1) → LPS; axes permuted (x→A, y→R) → ARS.
        #expect(Affine.identity.orientationCode == "RAS")
        #expect(Affine(diagonal: -0.5, -0.5, 5).orientationCode == "LPS")
        var permuted = Affine(diagonal: 0, 0, 1)
        permuted[1, 0] = 1
        permuted[0, 1] = 1
        #expect(permuted.orientationCode == "ARS")
    }

    @Test func subgridAffineTranslatesByVoxels() {
        var affine = Affine(diagonal: -0.5, 0.5, 5)
        affine[0, 3] = 10
        let geometry = VolumeGeometry(shape: VolumeShape(z: 10, y: 20, x: 30), spacingMM: SpacingMM(z: 5, y: 0.5, x: 0.5), affine: affine)
        let sub = geometry.subgrid(origin: VoxelIndex(z: -2, y: 3, x: 4), shape: VolumeShape(z: 4, y: 4, x: 4))
        #expect(sub.world(ofVoxel: VoxelPoint(z: 0, y: 0, x: 0)) == geometry.world(ofVoxel: VoxelPoint(z: -2, y: 3, x: 4)))
        #expect(geometry.mismatch(with: geometry) == nil)
        #expect(geometry.mismatch(with: sub)?.contains("shape") == true)
    }
}
