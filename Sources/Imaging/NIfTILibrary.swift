internal import CNIfTI
import Synchronization

/// Serialises calls into niftilib, whose options (debug level) are process-global C state.
enum NIfTILibrary {
    private static let lock = Mutex(())

    /// Runs `body` with niftilib's messages silenced (level 0); NeoICH reports problems itself.
    static func withLibrary<R>(_ body: () throws -> R) rethrows -> R {
        try lock.withLock { _ in
            nifti_set_debug_level(0)
            return try body()
        }
    }

    /// The 16 entries (row-major) of a niftilib double matrix.
    static func elements(of matrix: nifti_dmat44) -> [Double] {
        withUnsafeBytes(of: matrix.m) { Array($0.bindMemory(to: Double.self)) }
    }

    /// A niftilib double matrix from an affine.
    static func matrix(from affine: Affine) -> nifti_dmat44 {
        var matrix = nifti_dmat44()
        withUnsafeMutableBytes(of: &matrix.m) { target in
            let doubles = target.bindMemory(to: Double.self)
            for i in 0..<16 { doubles[i] = affine.elements[i] }
        }
        return matrix
    }
}
