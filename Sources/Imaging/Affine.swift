import Foundation

/// A 4×4 voxel-to-world transform, as NIfTI's qform/sform: it maps the NIfTI voxel index (i, j, k) =
/// (x, y, z) array indices to world millimetres (x, y, z), RAS+ for NIfTI files.
///
/// Inside NeoICH arrays are indexed (z, y, x); `world(ofVoxel:)` takes that order and does the swap, so
/// callers never handle the NIfTI order themselves.
public struct Affine: Sendable, Equatable, Codable {
    /// The 16 entries, row-major: `elements[4 * row + column]`.
    public private(set) var elements: [Double]

    /// The identity.
    public static let identity = Affine(diagonal: 1, 1, 1)

    /// An affine from 16 row-major entries; `nil` unless there are exactly 16.
    public init?(rowMajor elements: [Double]) {
        guard elements.count == 16 else { return nil }
        self.elements = elements
    }

    /// A scaling affine `diag(sx, sy, sz, 1)` (spacing in NIfTI order x, y, z).
    public init(diagonal sx: Double, _ sy: Double, _ sz: Double) {
        elements = [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1]
    }

    /// The entry at `row`, `column` (0-based).
    public subscript(row: Int, column: Int) -> Double {
        get { elements[4 * row + column] }
        set { elements[4 * row + column] = newValue }
    }

    /// The rows, for rendering (`[[Double]]`, 4 × 4).
    public var rows: [[Double]] { (0..<4).map { r in Array(elements[(4 * r)..<(4 * r + 4)]) } }

    /// The world position (mm) of a continuous voxel position given in NeoICH's (z, y, x) order.
    public func world(ofVoxel p: VoxelPoint) -> WorldPointMM {
        let i = p.x, j = p.y, k = p.z
        return WorldPointMM(
            x: self[0, 0] * i + self[0, 1] * j + self[0, 2] * k + self[0, 3],
            y: self[1, 0] * i + self[1, 1] * j + self[1, 2] * k + self[1, 3],
            z: self[2, 0] * i + self[2, 1] * j + self[2, 2] * k + self[2, 3])
    }

    /// `self · other`.
    public func multiplied(by other: Affine) -> Affine {
        var out = [Double](repeating: 0, count: 16)
        for r in 0..<4 {
            for c in 0..<4 {
                var s = 0.0
                for k in 0..<4 { s += self[r, k] * other[k, c] }
                out[4 * r + c] = s
            }
        }
        return Affine(unchecked: out)
    }

    /// The affine of a sub-grid whose voxel (0, 0, 0) is this grid's voxel `origin` ((z, y, x) order;
    /// may be negative): `self · translate(origin.x, origin.y, origin.z)`.
    public func translated(byVoxels origin: VoxelIndex) -> Affine {
        var shift = Affine.identity
        shift[0, 3] = Double(origin.x)
        shift[1, 3] = Double(origin.y)
        shift[2, 3] = Double(origin.z)
        return multiplied(by: shift)
    }

    /// The largest absolute difference between corresponding entries.
    public func maximumDifference(to other: Affine) -> Double {
        zip(elements, other.elements).map { abs($0 - $1) }.max() ?? 0
    }

    /// Why this matrix cannot place voxels in the world, or `nil` when it can: every entry finite, bottom row
    /// 0 0 0 1, and the 3×3 part non-singular (|det| at least 1e-6 of the product of its column lengths, so
    /// the test does not depend on the voxel size).
    public var defect: String? {
        if let bad = elements.first(where: { !$0.isFinite }) { return "entry \(bad) is not finite" }
        if self[3, 0] != 0 || self[3, 1] != 0 || self[3, 2] != 0 || self[3, 3] != 1 {
            return "bottom row \(rows[3]) is not 0 0 0 1"
        }
        let a = self
        let det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
            - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
            + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0])
        let lengths = (0..<3).map { c in (0..<3).map { a[$0, c] * a[$0, c] }.reduce(0, +).squareRoot() }
        if abs(det) <= 1e-6 * lengths.reduce(1, *) || lengths.contains(0) { return "the 3×3 part is singular" }
        return nil
    }

    /// The orientation code of the voxel axes (i, j, k) = (x, y, z), e.g. "RAS" or "LPS", as nibabel's
    /// `aff2axcodes`: for each voxel axis, the world axis its column points along most, with the letter
    /// of the direction it points towards (+x R, −x L, +y A, −y P, +z S, −z I).
    ///
    /// Each world axis is used once (the greedy choice takes the largest remaining component first), so
    /// oblique acquisitions still get three distinct letters. "???" for a degenerate matrix.
    public var orientationCode: String {
        let positive: [Character] = ["R", "A", "S"], negative: [Character] = ["L", "P", "I"]
        var candidates: [(magnitude: Double, column: Int, row: Int)] = []
        for column in 0..<3 {
            for row in 0..<3 { candidates.append((abs(self[row, column]), column, row)) }
        }
        candidates.sort { $0.magnitude > $1.magnitude }
        var letters: [Character?] = [nil, nil, nil]
        var usedRows = Set<Int>()
        for candidate in candidates where candidate.magnitude > 0 {
            guard letters[candidate.column] == nil, !usedRows.contains(candidate.row) else { continue }
            let value = self[candidate.row, candidate.column]
            letters[candidate.column] = value > 0 ? positive[candidate.row] : negative[candidate.row]
            usedRows.insert(candidate.row)
        }
        return String(letters.map { $0 ?? "?" })
    }

    private init(unchecked elements: [Double]) {
        self.elements = elements
    }

    // Encoded as four rows, the way people read affines (and nibabel prints them).
    public init(from decoder: Decoder) throws {
        let rows = try decoder.singleValueContainer().decode([[Double]].self)
        guard rows.count == 4, rows.allSatisfy({ $0.count == 4 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "an affine is 4 rows of 4 numbers"))
        }
        elements = rows.flatMap { $0 }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rows)
    }
}
