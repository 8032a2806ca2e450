import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct LesionCropperTests {
    /// A 12×40×40 scan with HU = 1000 + linear index, a big lesion A (ICH cube + PHE shell), a small lesion
    /// B (ICH 2×2×2 + PHE), and an island of PHE touching neither.
    private func scene() -> (Volume<Float>, LabelMap) {
        let geometry = ImagingFixtures.geometry(12, 40, 40, spacing: SpacingMM(z: 5, y: 0.5, x: 0.5))
        var image = Volume<Float>(geometry: geometry)
        image.withUnsafeMutableVoxels { v in for i in 0..<v.count { v[i] = Float(1000 + i) } }
        let labels = ImagingFixtures.labels(geometry) { _, _, _ in false }
        var map = labels
        for z in 3...7 { for y in 8...18 { for x in 8...18 {
            let core = (4...6).contains(z) && (10...16).contains(y) && (10...16).contains(x)
            map[z, y, x] = core ? 1 : 2
        } } }
        for z in 5...6 { for y in 30...31 { for x in 30...31 { map[z, y, x] = 1 } } }
        for x in 29...32 { map[5, 29, x] = 2 }
        map[0, 0, 39] = 2  // island
        return (image, map)
    }

    @Test func assignsEdemaToItsOwnHemorrhage() {
        let (_, labels) = scene()
        let assignment = LesionAssignment(labels: labels)
        #expect(assignment.lesions.components.map(\.voxelCount) == [3 * 7 * 7, 8])
        #expect(assignment.pheVoxelCounts == [5 * 11 * 11 - 3 * 7 * 7, 4])
        #expect(assignment.unassignedPHEVoxels == 1)
    }

    @Test func oneCropPerLesionCentredAndMasked() throws {
        let (image, labels) = scene()
        let configuration = LesionCropConfiguration(size: VolumeShape(z: 4, y: 10, x: 10), minimumICHVolumeML: 0)
        let crops = try LesionCropper.crops(image: image, labels: labels, configuration: configuration)
        #expect(crops.count == 2)
        let big = crops[0]
        #expect(big.isLargest && !crops[1].isLargest)
        // ICH centroid (5, 13, 13) → origin centre − size/2.
        #expect(big.origin == VoxelIndex(z: 3, y: 8, x: 8))
        #expect(big.image.shape == configuration.size)
        // Inside the lesion: HU of the scan; the small lesion and background are 0.
        #expect(big.image[0, 0, 0] == image[3, 8, 8])
        #expect(big.labels[1, 5, 5] == 1 && big.labels[0, 0, 0] == 2)
        expectClose(big.pheVolumeML, Double(5 * 11 * 11 - 3 * 7 * 7) * image.spacingMM.voxelVolumeML)
        // The crop's affine places its voxel (0,0,0) on scan voxel `origin`.
        let world = big.image.geometry.world(ofVoxel: VoxelPoint(z: 0, y: 0, x: 0))
        #expect(world == image.geometry.world(ofVoxel: VoxelPoint(z: 3, y: 8, x: 8)))
        // Small lesion: centroid (5.5, 30.5, 30.5) rounds away from zero to (6, 31, 31); the box leaves the scan.
        let small = crops[1]
        #expect(small.origin == VoxelIndex(z: 4, y: 26, x: 26))
        #expect(small.image.voxels.filter { $0 != 0 }.count == 8 + 4)
    }

    @Test func minimumVolumeDropsSmallLesionsButKeepsLargest() throws {
        let (image, labels) = scene()
        let voxelML = image.spacingMM.voxelVolumeML
        let onlyBig = try LesionCropper.crops(image: image, labels: labels, configuration: LesionCropConfiguration(
            size: VolumeShape(z: 4, y: 10, x: 10), minimumICHVolumeML: 9 * voxelML))
        #expect(onlyBig.map(\.lesion.voxelCount) == [147])
        let none = try LesionCropper.crops(image: image, labels: labels, configuration: LesionCropConfiguration(
            size: VolumeShape(z: 4, y: 10, x: 10), minimumICHVolumeML: 1000))
        #expect(none.count == 1 && none[0].isLargest)
    }

    @Test func pasteBackIsTheInverseOfCropping() throws {
        let (image, labels) = scene()
        for size in [VolumeShape(z: 20, y: 200, x: 200), VolumeShape(z: 4, y: 10, x: 10)] {
            let crops = try LesionCropper.crops(
                image: image, labels: labels, configuration: LesionCropConfiguration(size: size, minimumICHVolumeML: 0))
            for crop in crops {
                let full = try crop.pasteBack(crop.image)
                let fullLabels = try crop.pasteBack(crop.labels)
                for z in 0..<image.shape.z { for y in 0..<image.shape.y { for x in 0..<image.shape.x {
                    let inBox = VolumeShape(z: size.z, y: size.y, x: size.x).contains(
                        VoxelIndex(z: z - crop.origin.z, y: y - crop.origin.y, x: x - crop.origin.x))
                    let kept = fullLabels[z, y, x] != 0
                    #expect(full[z, y, x] == (kept && inBox ? image[z, y, x] : 0))
                } } }
                // Cropping the pasted map again gives the crop back.
                var again = Volume<Float>(geometry: crop.image.geometry)
                LesionCrop.copyOverlap(from: full, origin: crop.origin, into: &again)
                #expect(again.voxels == crop.image.voxels)
            }
        }
    }

    @Test func paperMaskingKeepsOtherLesionsInTheBox() throws {
        let (image, labels) = scene()
        let crops = try LesionCropper.crops(image: image, labels: labels, configuration: LesionCropConfiguration(
            size: VolumeShape(z: 24, y: 80, x: 80), minimumICHVolumeML: 0, masking: .allLesions))
        let nonZero = crops[0].labels.voxels.filter { $0 != 0 }.count
        #expect(nonZero == labels.voxels.filter { $0 != 0 }.count)
    }

    @Test func rejectsMismatchedLabelsAndBadSize() throws {
        let (image, _) = scene()
        let wrong = LabelMap(geometry: ImagingFixtures.geometry(12, 40, 41))
        #expect(throws: ImagingError.self) { _ = try LesionCropper.crops(image: image, labels: wrong) }
        let labels = LabelMap(geometry: image.geometry)
        #expect(throws: ImagingError.self) {
            _ = try LesionCropper.crops(image: image, labels: labels,
                                        configuration: LesionCropConfiguration(size: VolumeShape(z: 0, y: 1, x: 1)))
        }
        #expect(try LesionCropper.crops(image: image, labels: labels).isEmpty)
    }
}
