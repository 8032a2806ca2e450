/// Colour maps for heatmap overlays (attribution maps, probabilities).
public enum ColorMap: String, Sendable, Codable, CaseIterable {
    /// MATLAB/matplotlib "jet": blue → cyan → yellow → red.
    case jet
    /// matplotlib "inferno" (perceptually uniform): black → purple → orange → yellow.
    case inferno
    /// Black → white.
    case gray

    /// The colour at `t` ∈ [0, 1] (clamped).
    public func color(at t: Double) -> RGBColor {
        let t = t.isFinite ? min(max(t, 0), 1) : 0
        switch self {
        case .gray:
            let v = UInt8((t * 255).rounded())
            return RGBColor(v, v, v)
        case .jet:
            // matplotlib's _jet_data piecewise-linear segments.
            func channel(_ x: Double) -> UInt8 { UInt8((min(max(x, 0), 1) * 255).rounded()) }
            let r = t < 0.35 ? 0 : t < 0.66 ? (t - 0.35) / 0.31 : t < 0.89 ? 1 : 1 - 0.5 * (t - 0.89) / 0.11
            let g = t < 0.125 ? 0 : t < 0.375 ? (t - 0.125) / 0.25 : t < 0.64 ? 1 : t < 0.91 ? 1 - (t - 0.64) / 0.27 : 0
            let b = t < 0.11 ? 0.5 + 0.5 * t / 0.11 : t < 0.34 ? 1 : t < 0.65 ? 1 - (t - 0.34) / 0.31 : 0
            return RGBColor(channel(r), channel(g), channel(b))
        case .inferno:
            // matplotlib 3.x inferno sampled at t = 0, 0.1, …, 1, linearly interpolated between.
            let stops: [(Double, Double, Double)] = [
                (0.001, 0.000, 0.014), (0.087, 0.045, 0.225), (0.258, 0.039, 0.406), (0.416, 0.090, 0.433),
                (0.578, 0.148, 0.404), (0.735, 0.216, 0.330), (0.865, 0.317, 0.226), (0.954, 0.468, 0.099),
                (0.988, 0.645, 0.040), (0.964, 0.843, 0.273), (0.988, 0.998, 0.645),
            ]
            let position = t * Double(stops.count - 1)
            let i = min(Int(position), stops.count - 2)
            let f = position - Double(i)
            let a = stops[i], b = stops[i + 1]
            func channel(_ x: Double, _ y: Double) -> UInt8 { UInt8(((x + (y - x) * f) * 255).rounded()) }
            return RGBColor(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
        }
    }
}
