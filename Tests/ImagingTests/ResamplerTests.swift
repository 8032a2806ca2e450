import Foundation
@testable import Imaging
import TestSupport
import Testing
import Torch

@Suite("Volume ↔ Tensor and resampling")
struct ResamplerTests {
    /// An oblique, anisotropic head-CT-like grid.
    static func obliqueGeometry(_ shape: VolumeShape, spacing: SpacingMM) -> VolumeGeometry {
        let c = cos(0.2), s = sin(0.2)
        // columns = direction · spacing for (i, j, k) = (x, y, z)
        let affine = Affine(rowMajor: [c * spacing.x, -s * spacing.y, 0, -90,
                                       s * spacing.x, c * spacing.y, 0, -120,
                                       0, 0, spacing.z, -40,
                                       0, 0, 0, 1])
        return VolumeGeometry(shape: shape, spacingMM: spacing, affine: affine)
    }

    @Test func tensorSharesTheVolumesMemoryAndCopiesBack() throws {
        let geometry = ImagingFixtures.geometry(2, 3, 4)
        let volume = try Volume<Int16>(geometry: geometry, voxels: (0..<24).map { Int16($0 * 10 - 100) })
        let t = try volume.tensor()
        #expect(t.shape == [2, 3, 4])
        #expect(t.dtype == .int16)
        #expect(try t.scalars(as: Int16.self) == volume.voxels)
        try t.withUnsafeBufferPointer(as: Int16.self) { pointer in
            #expect(pointer.baseAddress == UnsafePointer(volume.buffer.baseAddress), "no copy")
        }
        let doubled = try Volume<Float>(tensor: t.to(.float32).multiplying(2).reshaped([1, 1, 2, 3, 4]), geometry: geometry)
        #expect(doubled.voxels == volume.voxels.map { Float($0) * 2 })
        #expect(throws: ImagingError.self) { try Volume<Float>(tensor: Tensor.zeros([5]), geometry: geometry) }
    }

    @Test func trilinearResamplingReproducesALinearFieldAtEveryInteriorVoxelInWorldSpace() throws {
        // f(world) = 0.3·x + 0.5·y − 0.7·z is linear in voxel indices, so trilinear interpolation must reproduce it
        // wherever no clamping at the border happens; checking it at the new grid's world positions tests the
        // values and the updated affine together.
        let geometry = Self.obliqueGeometry(VolumeShape(z: 8, y: 30, x: 28), spacing: SpacingMM(z: 5, y: 0.45, x: 0.5))
        func field(_ p: WorldPointMM) -> Double { 0.3 * p.x + 0.5 * p.y - 0.7 * p.z }
        var voxels: [Float] = []
        for z in 0..<8 { for y in 0..<30 { for x in 0..<28 {
            voxels.append(Float(field(geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: Double(y), x: Double(x))))))
        } } }
        let volume = try Volume(geometry: geometry, voxels: voxels)
        let target = SpacingMM(z: 2, y: 1, x: 1.25)
        let resampled = try Resampler.resample(volume, toSpacing: target)
        #expect(resampled.shape == VolumeShape(z: 20, y: 14, x: 11))
        expectClose(resampled.spacingMM.array, [2, 0.45 * 30 / 14, 0.5 * 28 / 11])
        var worst = 0.0
        for z in 2..<18 { for y in 1..<13 { for x in 1..<10 {
            let expected = field(resampled.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: Double(y), x: Double(x))))
            worst = max(worst, abs(Double(resampled[z, y, x]) - expected))
        } } }
        #expect(worst < 1e-3, "worst interior error \(worst)")
        // The grid's outer edges stay in place: the world position of the far corner edge is unchanged.
        let oldCorner = geometry.world(ofVoxel: VoxelPoint(z: 7.5, y: 29.5, x: 27.5))
        let newCorner = resampled.geometry.world(ofVoxel: VoxelPoint(z: 19.5, y: 13.5, x: 10.5))
        expectClose([newCorner.x, newCorner.y, newCorner.z], [oldCorner.x, oldCorner.y, oldCorner.z], absolute: 1e-9)
    }

    @Test func cubicInPlaneNeverBlendsSlicesAndKeepsConstantsExact() throws {
        let geometry = ImagingFixtures.geometry(3, 10, 10, spacing: SpacingMM(z: 5, y: 0.5, x: 0.5))
        let volume = try Volume<Float>(geometry: geometry, voxels: (0..<300).map { Float(40 * ($0 / 100)) })  // slices 0, 40, 80
        let finer = try Resampler.resample(volume, toSpacing: SpacingMM(z: 2.5, y: 0.25, x: 0.25), method: .cubicInPlane)
        #expect(finer.shape == VolumeShape(z: 6, y: 20, x: 20))
        let values = Set(finer.voxels.map { ($0 * 1000).rounded() / 1000 })
        #expect(values == [0, 40, 80], "every new slice copies one old slice; constant slices stay constant")
    }

    @Test func labelsStayLabelsAndSphereVolumeIsPreserved() throws {
        let geometry = ImagingFixtures.geometry(24, 60, 60, spacing: SpacingMM(z: 2.5, y: 0.5, x: 0.5))
        var labels = LabelMap(geometry: geometry)
        let radius = 10.0
        labels.withUnsafeMutableVoxels { v in
            for z in 0..<24 { for y in 0..<60 { for x in 0..<60 {
                let d = pow((Double(z) + 0.5) * 2.5 - 30, 2) + pow((Double(y) + 0.5) * 0.5 - 15, 2) + pow((Double(x) + 0.5) * 0.5 - 15, 2)
                if d <= radius * radius { v[(z * 60 + y) * 60 + x] = 1 }
            } } }
        }
        let iso = try Resampler.resample(labels, toSpacing: SpacingMM(z: 1, y: 1, x: 1))
        #expect(Set(iso.voxels).isSubset(of: [0, 1]))
        func volumeML(_ l: LabelMap) -> Double { Double(l.voxels.filter { $0 == 1 }.count) * l.spacingMM.voxelVolumeML }
        let exact = 4.0 / 3.0 * Double.pi * pow(radius, 3) / 1000
        expectClose(volumeML(iso), exact, relative: 0.05)
        // Going back onto the original grid restores the original geometry exactly.
        let back = try Resampler.resample(iso, onto: geometry)
        #expect(back.geometry == geometry)
        expectClose(volumeML(back), volumeML(labels), relative: 0.05)
    }

    @Test func rejectsInvalidTargetSpacing() throws {
        let volume = Volume<Float>(geometry: ImagingFixtures.geometry(2, 2, 2))
        #expect(throws: ImagingError.self) { try Resampler.resample(volume, toSpacing: SpacingMM(z: 0, y: 1, x: 1)) }
        #expect(throws: ImagingError.self) { try Resampler.resample(volume, toSpacing: SpacingMM(z: 1, y: -1, x: .nan)) }
    }
}
