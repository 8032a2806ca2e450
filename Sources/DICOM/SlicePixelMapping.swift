import Imaging

/// Where each pixel of one source image lies on the converted volume's grid.
///
/// A pixel (row r, column c) is at ImagePositionPatient + c · Δcolumn · row cosines + r · Δrow · column
/// cosines (LPS); NIfTI world coordinates are RAS, (−x, −y, z); the inverse affine gives the voxel. The map
/// is affine, so it is computed once for pixel (0, 0) and the steps along a row and down a column; each
/// must land on whole voxels, on the given slice, inside the grid: any flip or transposition dcm2niix made
/// is followed, none is assumed.
public struct SlicePixelMapping: Sendable {
    /// Voxel (x, y, z) of pixel (0, 0).
    let origin: [Int]
    /// Voxel step for one column to the right.
    let columnStep: [Int]
    /// Voxel step for one row down.
    let rowStep: [Int]
    let rows: Int, columns: Int

    /// - Throws: `DICOMError.geometryMismatch` naming the instance's file when its pixels do not fall on voxel
    ///   centres of slice `slice`.
    init(instance: DICOMSourceInstance, pixelSpacingMM: [Double], geometry: VolumeGeometry,
         rows: Int, columns: Int, slice: Int) throws {
        let o = instance.orientation, p = instance.positionLPS
        let (rowSpacing, columnSpacing) = (pixelSpacingMM[0], pixelSpacingMM[1])
        guard let inverse = Self.inverse(of: geometry.affine) else {
            throw DICOMError.geometryMismatch(file: instance.file, detail: "the volume's affine is singular")
        }
        func voxel(lps: [Double]) -> [Double] {
            let ras = [-lps[0], -lps[1], lps[2]]
            return (0..<3).map { r in (0..<3).reduce(inverse.translation[r]) { $0 + inverse.matrix[r][$1] * ras[$1] } }
        }
        let first = voxel(lps: p)
        let right = voxel(lps: (0..<3).map { p[$0] + columnSpacing * o[$0] })
        let down = voxel(lps: (0..<3).map { p[$0] + rowSpacing * o[3 + $0] })
        let columnStep = (0..<3).map { right[$0] - first[$0] }, rowStep = (0..<3).map { down[$0] - first[$0] }
        let tolerance = 0.01
        func whole(_ v: [Double]) -> [Int]? {
            let rounded = v.map { $0.rounded() }
            return zip(v, rounded).allSatisfy({ abs($0 - $1) <= tolerance }) ? rounded.map { Int($0) } : nil
        }
        guard let o0 = whole(first), let cs = whole(columnStep), let rs = whole(rowStep),
              cs[2] == 0, rs[2] == 0, o0[2] == slice,
              abs(cs[0]) + abs(cs[1]) == 1, abs(rs[0]) + abs(rs[1]) == 1 else {
            throw DICOMError.geometryMismatch(
                file: instance.file,
                detail: "image at \(p) does not lie on voxel centres of volume slice \(slice) "
                    + "(pixel (0, 0) → voxel \(first.map { ($0 * 1000).rounded() / 1000 }))")
        }
        let last = (0..<3).map { o0[$0] + (columns - 1) * cs[$0] + (rows - 1) * rs[$0] }
        let size = [geometry.shape.x, geometry.shape.y, geometry.shape.z]
        guard (0..<3).allSatisfy({ (0..<size[$0]).contains(o0[$0]) && (0..<size[$0]).contains(last[$0]) }) else {
            throw DICOMError.geometryMismatch(file: instance.file, detail: "image extends beyond the volume's grid")
        }
        (origin, self.columnStep, self.rowStep, self.rows, self.columns) = (o0, cs, rs, rows, columns)
    }

    /// The voxel index (z, y, x) of pixel (row, column).
    public func voxel(row: Int, column: Int) -> (z: Int, y: Int, x: Int) {
        let v = (0..<3).map { origin[$0] + column * columnStep[$0] + row * rowStep[$0] }
        return (v[2], v[1], v[0])
    }

    /// The pixels of this image taken from a volume on the grid, row by row.
    public func frame<T: VoxelScalar>(from volume: Volume<T>) -> [T] {
        var out: [T] = []
        out.reserveCapacity(rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let v = voxel(row: r, column: c)
                out.append(volume[v.z, v.y, v.x])
            }
        }
        return out
    }

    /// The inverse of an affine's 3 × 3 part and translation, or `nil` when singular.
    static func inverse(of affine: Affine) -> (matrix: [[Double]], translation: [Double])? {
        let m = (0..<3).map { r in (0..<3).map { c in affine[r, c] } }
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        guard abs(det) > 1e-12, det.isFinite else { return nil }
        var inv = [[Double]](repeating: [0, 0, 0], count: 3)
        for r in 0..<3 {
            for c in 0..<3 {
                let (r1, r2) = ((c + 1) % 3, (c + 2) % 3), (c1, c2) = ((r + 1) % 3, (r + 2) % 3)
                inv[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det
            }
        }
        let t = (0..<3).map { affine[$0, 3] }
        let translation = (0..<3).map { r in -(0..<3).reduce(0) { $0 + inv[r][$1] * t[$1] } }
        return (inv, translation)
    }
}
