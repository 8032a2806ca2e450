import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct ReorientationTests {
    /// A 3 × 4 × 5 grid whose voxel values are their own linear offsets, under `affine`.
    static func indexed(_ affine: Affine) throws -> Volume<Float> {
        let shape = VolumeShape(z: 3, y: 4, x: 5)
        let geometry = VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 3, y: 2, x: 1), affine: affine)
        return try Volume(geometry: geometry, voxels: (0..<shape.count).map(Float.init))
    }

    /// Storage orientations: RAS, LPS, LAS with reversed slices (LAI), a sagittal stack (x → A, y → S, z → R),
    /// and an oblique LPS (20° about z).
    static func affines() throws -> [(name: String, affine: Affine)] {
        let angle = 20 * Double.pi / 180, c = Foundation.cos(angle), s = Foundation.sin(angle)
        return [
            ("RAS", Affine(diagonal: 1, 2, 3)),
            ("LPS", try #require(Affine(rowMajor: [-1, 0, 0, 10, 0, -2, 0, 20, 0, 0, 3, -5, 0, 0, 0, 1]))),
            ("LAI", try #require(Affine(rowMajor: [-1, 0, 0, 4, 0, 2, 0, -7, 0, 0, -3, 30, 0, 0, 0, 1]))),
            ("ASR", try #require(Affine(rowMajor: [0, 0, 3, -40, 1, 0, 0, -60, 0, 2, 0, 12, 0, 0, 0, 1]))),
            ("LPS", try #require(Affine(rowMajor: [-c, 2 * s, 0, 1, -s, -2 * c, 0, 2, 0, 0, 3, 3, 0, 0, 0, 1]))),
        ]
    }

    @Test func storageOrientationsAreRecognised() throws {
        for (name, affine) in try Self.affines() { #expect(affine.orientationCode == name) }
    }

    @Test func everyVoxelKeepsItsWorldPositionAndRoundTripIsExact() throws {
        for (name, affine) in try Self.affines() {
            let source = try Self.indexed(affine)
            for code in ["LPS", "RAS", "LAI", "SAR", "IPL"] {
                let reorientation = try Reorientation(from: source.geometry, to: code)
                let target = reorientation.apply(source)
                #expect(target.geometry.orientationCode == code, "\(name) → \(code)")
                #expect(target.shape.count == source.shape.count)
                // Each target voxel holds the source offset it came from; both grids put it at the same world point.
                let shape = target.shape
                var seen = Set<Int>()
                for z in 0..<shape.z {
                    for y in 0..<shape.y {
                        for x in 0..<shape.x {
                            let offset = Int(target[z, y, x])
                            seen.insert(offset)
                            let sx = offset % 5, sy = (offset / 5) % 4, sz = offset / 20
                            let here = target.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: Double(y), x: Double(x)))
                            let there = source.geometry.world(ofVoxel: VoxelPoint(z: Double(sz), y: Double(sy), x: Double(sx)))
                            #expect(abs(here.x - there.x) + abs(here.y - there.y) + abs(here.z - there.z) < 1e-9,
                                    "\(name) → \(code) voxel (\(z), \(y), \(x))")
                            #expect(reorientation.sourceIndex(ofTarget: VoxelIndex(z: z, y: y, x: x)) == VoxelIndex(z: sz, y: sy, x: sx))
                        }
                    }
                }
                #expect(seen.count == shape.count, "\(name) → \(code): every source voxel is used once")
                // Spacing follows its axis: the spacing of each target axis is the length of its affine column.
                let spacing = target.spacingMM
                for (axis, value) in [(0, spacing.x), (1, spacing.y), (2, spacing.z)] {
                    let column = (0..<3).map { target.geometry.affine[$0, axis] }
                    #expect(abs(column.map { $0 * $0 }.reduce(0, +).squareRoot() - value) < 1e-9)
                }
                let back = reorientation.inverse(target)
                #expect(back.voxels == source.voxels, "\(name) → \(code) → back")
                #expect(back.geometry == source.geometry)
            }
        }
    }

    @Test func identityKeepsTheVolumeAndOnlyPixdimGridsGetAnExplicitTransform() throws {
        let lps = try Self.indexed(try #require(Self.affines().first { $0.name == "LPS" }).affine)
        let same = try Reorientation(from: lps.geometry, to: "LPS")
        #expect(same.isIdentity)
        #expect(same.apply(lps).buffer === lps.buffer)

        // No qform or sform: pixdim scaling (RAS) places the voxels; the reoriented grid keeps those positions.
        var geometry = lps.geometry
        geometry.qformCode = 0
        geometry.sformCode = 0
        let unplaced = try Volume(geometry: geometry, buffer: lps.buffer)
        let flip = try Reorientation(from: geometry, to: "LPS")
        let flipped = flip.apply(unplaced)
        let corner = flipped.geometry.world(ofVoxel: VoxelPoint(z: 0, y: 0, x: 0))
        #expect(corner == geometry.world(ofVoxel: VoxelPoint(z: 0, y: 3, x: 4)))
        #expect(flip.inverse(flipped).geometry == geometry)
    }

    @Test func badCodesAndDegenerateAffinesAreRefused() throws {
        let volume = try Self.indexed(Affine(diagonal: 1, 1, 1))
        for code in ["LRS", "XYZ", "LP", "LPSA", ""] {
            #expect(throws: ImagingError.self) { try Reorientation(from: volume.geometry, to: code) }
        }
        var flat = volume.geometry
        flat.sform = Affine(diagonal: 0, 0, 0)
        flat.qform = flat.sform
        #expect(throws: ImagingError.self) { try Reorientation(from: flat, to: "LPS") }
    }
}
