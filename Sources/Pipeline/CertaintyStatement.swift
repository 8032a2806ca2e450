/// How sure the classifier is, in words a reader can act on (001_… Figure 4 shows "high certainty" and
/// "less certainty" cases on the prediction bar).
///
/// NeoICH convention, not the paper's: certainty is the distance of P(neoplastic) from the decision
/// threshold, as a fraction of the way to the end of the bar on that side
/// (`margin = (p − t) / (1 − t)` above the threshold, `(t − p) / t` below it). Margin ≥ 0.6 is high,
/// ≥ 0.3 moderate, below that low.
public struct CertaintyStatement: Sendable, Codable, Equatable {
    /// Coarse certainty.
    public enum Level: String, Sendable, Codable {
        case high, moderate, low
    }

    public var level: Level
    /// Distance from the threshold towards the decided end of the bar, 0…1.
    public var margin: Double
    /// One plain sentence, e.g. "Likely neoplastic, with high certainty (P = 0.91; threshold 0.50)."
    public var wording: String

    /// The statement for a probability and a threshold.
    ///
    /// - Parameters:
    ///   - probability: P(neoplastic), 0…1.
    ///   - threshold: the model card's decision threshold, 0…1.
    public init(probability: Double, threshold: Double) {
        let p = min(max(probability, 0), 1), t = min(max(threshold, 1e-9), 1 - 1e-9)
        let neoplastic = p >= t
        margin = neoplastic ? (p - t) / (1 - t) : (t - p) / t
        level = margin >= 0.6 ? .high : margin >= 0.3 ? .moderate : .low
        let finding = neoplastic ? "neoplastic" : "non-neoplastic"
        let numbers = "P(neoplastic) = \(Self.format(p)); threshold \(Self.format(t))"
        switch level {
        case .high: wording = "Likely \(finding), with high certainty (\(numbers))."
        case .moderate: wording = "Probably \(finding), with moderate certainty (\(numbers))."
        case .low:
            wording = "Uncertain: slightly on the \(finding) side of the threshold (\(numbers)); "
                + "interpret with care and seek further imaging (e.g. MRI)."
        }
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
