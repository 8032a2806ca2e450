import Foundation
@testable import Imaging
import TestSupport

/// Fixture access and small volume builders shared by the Imaging tests.
enum ImagingFixtures {
    static func url(_ name: String) throws -> URL { try Fixture.url(name, in: .module) }

    /// Expected values of `nibabel_scaled_int16.nii.gz`, written by nibabel (scripts/fixtures/imaging_fixtures.py).
    struct NibabelReference: Decodable {
        var shape_zyx: [Int]
        var spacing_zyx: [Double]?
        var affine: [[Double]]
        var qform_code: Int
        var sform_code: Int
        var orientation: String
        var values_zyx: [Double]
        var min: Double?
        var max: Double?
    }

    static func reference(_ name: String) throws -> NibabelReference {
        try Fixture.json(NibabelReference.self, name, in: .module)
    }

    /// A geometry with the given shape and spacing at the origin (RAS, axis-aligned).
    static func geometry(_ z: Int, _ y: Int, _ x: Int, spacing: SpacingMM = SpacingMM(z: 1, y: 1, x: 1)) -> VolumeGeometry {
        VolumeGeometry(shape: VolumeShape(z: z, y: y, x: x), spacingMM: spacing)
    }

    /// A label map with `label` on every voxel where `inside(z, y, x)` holds.
    static func labels(_ geometry: VolumeGeometry, _ label: LesionLabel = .ich,
                       where inside: (Int, Int, Int) -> Bool) -> LabelMap {
        var map = LabelMap(geometry: geometry)
        let s = geometry.shape
        for z in 0..<s.z { for y in 0..<s.y { for x in 0..<s.x where inside(z, y, x) { map[z, y, x] = label.rawValue } } }
        return map
    }
}
