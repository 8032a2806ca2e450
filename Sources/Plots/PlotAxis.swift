import Foundation
import Stats

/// A linear map from data values to pixels, with "nice" tick positions (steps of 1, 2 or 5 × 10ᵏ).
struct PlotAxis {
    /// The data interval shown, already widened to whole ticks by `init(covering:…)`.
    let lower: Double
    let upper: Double
    /// Pixel positions of `lower` and `upper` (for a y axis, `lower` maps to the bottom).
    let start: Double
    let end: Double
    /// Tick values inside [lower, upper].
    let ticks: [Double]
    /// Decimals that print the ticks exactly.
    let decimals: Int

    /// An axis over a fixed interval with ticks every `step`.
    init(lower: Double, upper: Double, step: Double, start: Double, end: Double) {
        self.lower = lower
        self.upper = upper
        self.start = start
        self.end = end
        let first = (lower / step).rounded(.up)
        let last = (upper / step).rounded(.down)
        ticks = first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : []
        decimals = max(0, Int(-floor(log10(step) + 1e-9)))
    }

    /// An axis covering [minimum, maximum] with about `targetTicks` ticks, widened to whole steps.
    init(covering minimum: Double, _ maximum: Double, targetTicks: Int = 5, start: Double, end: Double,
         includeZero: Bool = false) {
        var low = includeZero ? min(0, minimum) : minimum
        var high = includeZero ? max(0, maximum) : maximum
        if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
        if high <= low {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let step = PlotAxis.niceStep((high - low) / Double(max(1, targetTicks)))
        self.init(lower: (low / step).rounded(.down) * step, upper: (high / step).rounded(.up) * step, step: step,
                  start: start, end: end)
    }

    /// The pixel position of `value`.
    func position(_ value: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// A tick label with the axis' decimals.
    func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// 1, 2 or 5 × 10ᵏ closest above `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let residual = rough / magnitude
        let factor: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return factor * magnitude
    }
}
