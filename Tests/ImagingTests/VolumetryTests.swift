import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct VolumetryTests {
    @Test func regionStatisticsByHand() {
        // [1, 2, 3, 10]: mean 4, median 2.5, sample SD sqrt(((−3)²+(−2)²+(−1)²+6²)/3) = sqrt(50/3).
        let stats = RegionStatistics(values: [10, 1, 3, 2], voxelML: 0.5)
        #expect(stats.voxelCount == 4)
        expectClose(stats.volumeML, 2)
        expectClose(stats.meanHU ?? .nan, 4)
        expectClose(stats.medianHU ?? .nan, 2.5)
        expectClose(stats.sdHU ?? .nan, (50.0 / 3).squareRoot())
        #expect(stats.minimumHU == 1 && stats.maximumHU == 10)
        let empty = RegionStatistics(values: [], voxelML: 1)
        #expect(empty.meanHU == nil && empty.volumeML == 0)
    }

    @Test func abcOver2OnEllipsoidIsThreeOverPiOfExact() throws {
        // Semi-axes a = 12 (x), b = 8 (y), c = 6 (z) mm at 0.2 mm: A ≈ 24, B ≈ 16, C ≈ 12 mm and
        // ABC/2 = 4abc = (3/π) · (4/3·π·abc) ≈ 0.955 × exact volume.
        let s = 0.2, a = 12.0, b = 8.0, c = 6.0
        let shape = VolumeShape(z: 64, y: 84, x: 124)
        let geometry = VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: s, y: s, x: s))
        let centre = (z: Double(shape.z - 1) / 2, y: Double(shape.y - 1) / 2, x: Double(shape.x - 1) / 2)
        let labels = ImagingFixtures.labels(geometry) { z, y, x in
            let dz = (Double(z) - centre.z) * s / c, dy = (Double(y) - centre.y) * s / b, dx = (Double(x) - centre.x) * s / a
            return dz * dz + dy * dy + dx * dx <= 1
        }
        let image = Volume<Float>(geometry: geometry, repeating: 60)
        let report = try Volumetry.measure(image: image, labels: labels)
        let exactML = 4.0 / 3.0 * Double.pi * a * b * c / 1000
        expectClose(report.ich.volumeML, exactML, absolute: 0, relative: 0.01)
        let abc = try #require(report.ichABCOver2)
        expectClose(abc.aMM, 2 * a, absolute: 0.4)
        expectClose(abc.bMM, 2 * b, absolute: 0.4)
        expectClose(abc.cMM, 2 * c, absolute: 0.4)
        expectClose(abc.volumeML / exactML, 3 / Double.pi, absolute: 0, relative: 0.03)
        #expect(report.lesions.count == 1 && report.lesions[0].abcOver2 == abc)
        expectClose(report.ich.meanHU ?? .nan, 60)
    }

    @Test func abcOver2OfASquareSlabIsExact() {
        // 10×10 voxels of 1 mm on 3 slices of 2 mm: A = diagonal 10√2, B = perpendicular extent 10√2,
        // C = 6 → A·B·C/2 = 200·6/2 = 600 mm³.
        let shape = VolumeShape(z: 5, y: 12, x: 12)
        var offsets: [Int] = []
        for z in 1...3 { for y in 1...10 { for x in 1...10 { offsets.append(shape.offset(z: z, y: y, x: x)) } } }
        let abc = ABCOver2(offsets: offsets, shape: shape, spacingMM: SpacingMM(z: 2, y: 1, x: 1))
        expectClose(abc?.aMM ?? 0, 10 * 2.0.squareRoot(), absolute: 1e-9)
        expectClose(abc?.bMM ?? 0, 10 * 2.0.squareRoot(), absolute: 1e-9)
        expectClose(abc?.volumeML ?? 0, 0.6, absolute: 1e-12)
    }

    @Test func perLesionVolumesDensitiesAndRatio() throws {
        let geometry = ImagingFixtures.geometry(6, 20, 20, spacing: SpacingMM(z: 2, y: 1, x: 1))
        var image = Volume<Float>(geometry: geometry, repeating: 30)
        var labels = LabelMap(geometry: geometry)
        for z in 1...2 { for y in 2...4 { for x in 2...4 { labels[z, y, x] = 1; image[z, y, x] = 70 } } }
        for y in 2...4 { for x in 2...4 { labels[3, y, x] = 2; image[3, y, x] = 20 } }
        for y in 2...4 { labels[1, y, 5] = 2; image[1, y, 5] = 22 }
        labels[4, 15, 15] = 1
        image[4, 15, 15] = 80
        let report = try Volumetry.measure(image: image, labels: labels)
        expectClose(report.ich.volumeML, 19 * 0.002)
        expectClose(report.phe.volumeML, 12 * 0.002)
        expectClose(report.pheToICHRatio ?? .nan, 12.0 / 19)
        #expect(report.lesions.map(\.ich.voxelCount) == [18, 1])
        let big = report.lesions[0]
        #expect(big.isLargest)
        expectClose(big.ich.meanHU ?? .nan, 70)
        expectClose(big.phe.meanHU ?? .nan, (9 * 20 + 3 * 22) / 12.0)
        expectClose(big.phe.medianHU ?? .nan, 20)
        expectClose(big.pheToICHRatio ?? .nan, 12.0 / 18)
        #expect(report.lesions[1].phe.voxelCount == 0)
        #expect(report.unassignedPHEVolumeML == 0)
    }
}
