import Pipeline
import Testing

@Suite struct CertaintyStatementTests {
    // Margins by hand: above t, (p − t)/(1 − t); below, (t − p)/t.
    @Test func highAboveThreshold() {
        let c = CertaintyStatement(probability: 0.95, threshold: 0.5)  // (0.45)/(0.5) = 0.9
        #expect(abs(c.margin - 0.9) < 1e-12)
        #expect(c.level == .high)
        #expect(c.wording == "Likely neoplastic, with high certainty (P(neoplastic) = 0.95; threshold 0.50).")
    }

    @Test func lowJustBelowThreshold() {
        let c = CertaintyStatement(probability: 0.4, threshold: 0.5)  // 0.1/0.5 = 0.2
        #expect(abs(c.margin - 0.2) < 1e-12)
        #expect(c.level == .low)
        #expect(c.wording.hasPrefix("Uncertain: slightly on the non-neoplastic side"))
    }

    @Test func moderateWithAsymmetricThreshold() {
        let c = CertaintyStatement(probability: 0.1, threshold: 0.2)  // 0.1/0.2 = 0.5
        #expect(abs(c.margin - 0.5) < 1e-12)
        #expect(c.level == .moderate)
        #expect(LesionClassification(probability: 0.1, threshold: 0.2).decision == "non-neoplastic")
        #expect(LesionClassification(probability: 0.2, threshold: 0.2).decision == "neoplastic")
    }
}
