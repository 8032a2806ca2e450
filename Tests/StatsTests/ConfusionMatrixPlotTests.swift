import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Plots

@Suite struct ConfusionMatrixPlotTests {
    @Test func confusionMatrixFigureShowsCountsAndRates() throws {
        // 001_…: sensitivity 0.80, specificity 0.93 on a test set of 20 + 30 cases.
        let matrix = ConfusionMatrix(truePositives: 16, falsePositives: 2, trueNegatives: 28, falseNegatives: 4)
        let structure = try SVGStructure(ConfusionMatrixPlot().svg(matrix))
        #expect(structure.all("rect", className: "cell").count == 4)
        // Row-major, negative class first: TN, FP, FN, TP.
        #expect(structure.all("text", className: "cell-count").map(\.text) == ["28", "2", "4", "16"])
        #expect(structure.all("text", className: "cell-share").map(\.text)
            == ["93.3 % of row", "6.7 % of row", "20.0 % of row", "80.0 % of row"])
        #expect(structure.texts.contains("Accuracy 0.88 · Sensitivity 0.80 · Specificity 0.93"))
        #expect(structure.all("text", className: "class-label").map(\.text)
            == ["non-neoplastic", "neoplastic", "non-neoplastic", "neoplastic"])
    }
}
