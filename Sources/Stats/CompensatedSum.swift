/// Neumaier's compensated summation: the error of a sum of n terms stays at one or two ulps instead of
/// growing with n.
enum CompensatedSum {
    static func of<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let t = sum + value
            if abs(sum) >= abs(value) {
                compensation += (sum - t) + value
            } else {
                compensation += (value - t) + sum
            }
            sum = t
        }
        return sum + compensation
    }
}
