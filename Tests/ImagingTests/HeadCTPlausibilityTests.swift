import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct HeadCTPlausibilityTests {
    /// A head-like CT in HU: air, an ellipsoidal head (brain 35 HU) with a 6 mm skull (1000 HU), 5 mm axial
    /// slices of 1 mm pixels, LPS. `slices` and `pixels` size the grid.
    static func head(slices: Int = 30, pixels: Int = 200, spacingZ: Double = 5) -> Volume<Float> {
        let shape = VolumeShape(z: slices, y: pixels, x: pixels)
        let affine = Affine(rowMajor: [-1, 0, 0, 100, 0, -1, 0, 100, 0, 0, spacingZ, 0, 0, 0, 1]) ?? .identity
        var image = Volume<Float>(geometry: VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: spacingZ, y: 1, x: 1),
                                                           affine: affine), repeating: -1000)
        let centre = Double(pixels - 1) / 2, zCentre = Double(slices - 1) / 2
        for z in 0..<slices {
            for y in 0..<pixels {
                for x in 0..<pixels {
                    // Semi-axes 70 mm × 90 mm in plane, 75 mm craniocaudal.
                    let u: Double = (Double(x) - centre) / 70, v: Double = (Double(y) - centre) / 90
                    let w: Double = (Double(z) - zCentre) * spacingZ / 75
                    let d = (u * u + v * v + w * w).squareRoot()
                    if d <= 1 { image[z, y, x] = d > 0.92 ? 1000 : 35 }
                }
            }
        }
        return image
    }

    @Test func realisticHeadPassesSilently() throws {
        let check = HeadCTPlausibility(Self.head())
        #expect(check.refusals.isEmpty)
        #expect(check.warnings.isEmpty, "\(check.warnings)")
        #expect(try check.warnings(file: "head.nii.gz").isEmpty)
    }

    @Test func unrescaledValuesAreRefusedWithTheReason() throws {
        let eightBit = Self.head().map { Float(min(255, max(0, ($0 + 1000) / 8))) }
        let check = HeadCTPlausibility(eightBit)
        #expect(check.refusals.count == 1)
        #expect(check.refusals.first?.contains("8-bit") == true)
        do {
            _ = try check.warnings(file: "/data/raw.nii.gz")
            Issue.record("expected a refusal")
        } catch let error as ImagingError {
            guard case .implausibleHeadCT(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == "/data/raw.nii.gz")
            #expect(reason.contains("no voxel at or below -500 HU"))
            #expect(error.description.hasPrefix("/data/raw.nii.gz: not plausibly a head CT in HU"))
        }
        let twelveBit = Self.head().map { $0 + 1024 }
        #expect(HeadCTPlausibility(twelveBit).refusals.first?.contains("12-bit") == true)
        let allAir = Self.head(slices: 12, pixels: 128).map { _ in Float(-1000) }
        #expect(HeadCTPlausibility(allAir).refusals.first?.contains("no head") == true)
    }

    @Test func degenerateGridsAreRefusedThinOnesWarn() throws {
        let point = Volume<Float>(geometry: VolumeGeometry(shape: VolumeShape(z: 1, y: 1, x: 1), spacingMM: SpacingMM(z: 1, y: 1, x: 1)),
                                  repeating: -1000)
        #expect(HeadCTPlausibility(point).refusals.contains { $0.contains("fewer than 2 voxels") })
        let oneSlice = Self.head(slices: 1)
        #expect(HeadCTPlausibility(oneSlice).refusals.contains { $0.contains("fewer than 2 voxels") })
        #expect(throws: ImagingError.self) { try HeadCTPlausibility(oneSlice).warnings(file: "one.nii.gz") }

        let threeSlices = HeadCTPlausibility(Self.head(slices: 3))
        #expect(threeSlices.refusals.isEmpty)
        #expect(threeSlices.warnings.contains { $0.contains("only 3 slices superior–inferior") })
        #expect(threeSlices.warnings.contains { $0.contains("covers 15 mm superior–inferior") })
    }

    @Test func nonHeadContentAndExtentWarn() throws {
        // No skull, and everything far outside the brain range.
        let noSkull = Self.head().map { $0 > 500 ? 35 : $0 }
        #expect(HeadCTPlausibility(noSkull).warnings.contains { $0.contains("no skull") })
        let fat = Self.head().map { $0 > -500 ? -100 : $0 }
        #expect(HeadCTPlausibility(fat).warnings.contains { $0.contains("within 0…100 HU") })
        // A 64 mm field of view cannot hold a head; a 1 m one is a body scan (or spacing in the wrong unit).
        let narrow = HeadCTPlausibility(Self.head(pixels: 64))
        #expect(narrow.warnings.contains { $0.contains("covers 64 mm left–right") })
        #expect(narrow.warnings.contains { $0.contains("covers 64 mm front–back") })
        let long = HeadCTPlausibility(Self.head(slices: 210))
        #expect(long.warnings.contains { $0.contains("covers 1050 mm superior–inferior") })
        #expect(long.refusals.isEmpty)
    }
}
