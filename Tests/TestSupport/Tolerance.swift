import Foundation
import Testing

/// Tolerant comparisons that report the caller's file and line.
///
/// A value passes when `|actual − expected| ≤ absolute + relative · |expected|` (NumPy's `isclose` rule).
/// NaN equals NaN (reference libraries return NaN for undefined statistics and so must we).
public func expectClose(
    _ actual: Double, _ expected: Double, absolute: Double = 1e-9, relative: Double = 1e-7,
    _ message: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if actual.isNaN && expected.isNaN { return }
    if actual.isInfinite && expected.isInfinite && actual.sign == expected.sign { return }
    let ok = abs(actual - expected) <= absolute + relative * abs(expected)
    #expect(ok, "\(actual) ≉ \(expected) (abs \(absolute), rel \(relative)) \(message())", sourceLocation: sourceLocation)
}

/// Element-wise `expectClose` over two sequences of the same length; reports the first few mismatches.
public func expectClose<A: Collection, B: Collection>(
    _ actual: A, _ expected: B, absolute: Double = 1e-9, relative: Double = 1e-7,
    _ message: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    #expect(actual.count == expected.count, "count \(actual.count) ≠ \(expected.count) \(message())", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    var mismatches: [String] = []
    var worst = 0.0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let a = Double(a), e = Double(e)
        if a.isNaN && e.isNaN { continue }
        let err = abs(a - e)
        if !(err <= absolute + relative * abs(e)) {
            worst = max(worst, err.isNaN ? .infinity : err)
            if mismatches.count < 5 { mismatches.append("[\(i)] \(a) vs \(e)") }
        }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count == 5 ? "≥5" : "\(mismatches.count)") mismatches, worst |Δ| \(worst): \(mismatches.joined(separator: ", ")) \(message())", sourceLocation: sourceLocation)
}
