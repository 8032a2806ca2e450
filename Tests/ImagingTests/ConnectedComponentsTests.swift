import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct ConnectedComponentsTests {
    @Test func diagonalCubesSplitUnderFaceConnectivityOnly() {
        let geometry = ImagingFixtures.geometry(6, 6, 6)
        // Two 2×2×2 cubes meeting only at the corner (2,2,2)/(3,3,3); a lone voxel far away.
        let labels = ImagingFixtures.labels(geometry) { z, y, x in
            (1...2).contains(z) && (1...2).contains(y) && (1...2).contains(x)
                || (3...4).contains(z) && (3...4).contains(y) && (3...4).contains(x)
                || (z, y, x) == (0, 5, 0)
        }
        let six = ConnectedComponents.label(labels, connectivity: .faces6)
        let full = ConnectedComponents.label(labels, connectivity: .full26)
        #expect(six.components.map(\.voxelCount) == [1, 8, 8])  // raster order: (0,5,0) comes first
        #expect(full.components.map(\.voxelCount) == [1, 16])
        #expect(six.components[1].boundingBoxMin == VoxelIndex(z: 1, y: 1, x: 1))
        #expect(six.components[1].boundingBoxMax == VoxelIndex(z: 2, y: 2, x: 2))
        #expect(full.largest?.id == 2)
        #expect(full.componentIDs[geometry.shape.offset(z: 4, y: 4, x: 4)] == 2)
        #expect(full.componentIDs[geometry.shape.offset(z: 0, y: 0, x: 0)] == 0)
    }

    @Test func uShapeMergesIntoOneComponentWithRasterNumbering() {
        // A U in one slice: two arms first seen as separate provisional labels, joined at the bottom row.
        let geometry = ImagingFixtures.geometry(1, 5, 5)
        let labels = ImagingFixtures.labels(geometry) { _, y, x in x == 0 || x == 4 || y == 4 }
        let result = ConnectedComponents.label(labels, connectivity: .faces6)
        #expect(result.components.count == 1)
        #expect(result.components[0].voxelCount == 13)
        #expect(Set(result.componentIDs.filter { $0 != 0 }) == [1])
    }

    @Test func selectsOneLabelValue() {
        let geometry = ImagingFixtures.geometry(3, 3, 3)
        var labels = ImagingFixtures.labels(geometry, .phe) { _, _, _ in true }
        labels[1, 1, 1] = LesionLabel.ich.rawValue
        #expect(ConnectedComponents.label(labels, value: 1).components.map(\.voxelCount) == [1])
        #expect(ConnectedComponents.label(labels, value: 2, connectivity: .faces6).components.map(\.voxelCount) == [26])
        #expect(ConnectedComponents.label(labels).components.map(\.voxelCount) == [27])
    }

    @Test func sphereVolumeAndCentroidAtFineSpacing() {
        // r = 10 mm at 0.25 mm spacing: the voxel count approximates 4/3·π·r³ within 1 %.
        let spacing = 0.25, radius = 10.0, n = 90
        var affine = Affine(diagonal: spacing, spacing, spacing)
        affine[0, 3] = -50
        affine[1, 3] = 20
        affine[2, 3] = 5
        let geometry = VolumeGeometry(shape: VolumeShape(z: n, y: n, x: n),
                                      spacingMM: SpacingMM(z: spacing, y: spacing, x: spacing), affine: affine)
        let centre = Double(n - 1) / 2
        let labels = ImagingFixtures.labels(geometry) { z, y, x in
            let dz = (Double(z) - centre) * spacing, dy = (Double(y) - centre) * spacing, dx = (Double(x) - centre) * spacing
            return dz * dz + dy * dy + dx * dx <= radius * radius
        }
        let result = ConnectedComponents.label(labels)
        #expect(result.components.count == 1)
        let sphere = result.components[0]
        let exactML = 4.0 / 3.0 * Double.pi * radius * radius * radius / 1000
        expectClose(sphere.volumeML, exactML, absolute: 0, relative: 0.01)
        expectClose(sphere.centroidVoxel.z, centre, absolute: 1e-9)
        expectClose(sphere.centroidVoxel.x, centre, absolute: 1e-9)
        expectClose(sphere.centroidWorldMM.x, -50 + centre * spacing, absolute: 1e-9)
        expectClose(sphere.centroidWorldMM.y, 20 + centre * spacing, absolute: 1e-9)
        expectClose(sphere.centroidWorldMM.z, 5 + centre * spacing, absolute: 1e-9)
    }

    @Test func emptyMapHasNoComponents() {
        let result = ConnectedComponents.label(LabelMap(geometry: ImagingFixtures.geometry(4, 4, 4)))
        #expect(result.components.isEmpty && result.largest == nil)
    }
}
