import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Plots

@Suite struct ROCPlotTests {
    private func rocCase(_ name: String) throws -> StatsReference.ROCCase {
        try #require(try StatsReference.load().roc.first { $0.name == name })
    }

    @Test func rocPlotIsWellFormedWithCurveMarkerAndLegend() throws {
        let c = try rocCase("continuous_n40")
        let curve = try ROCCurve(labels: c.booleanLabels, scores: c.scores)
        let delong = try DeLongAUC(labels: c.booleanLabels, scores: c.scores)
        let point = try OperatingPoint.optimal(labels: c.booleanLabels, scores: c.scores)
        let svg = ROCPlot(title: "Internal test set").svg(curve: curve, delong: delong, operatingPoint: point)
        let structure = try SVGStructure(svg)

        let root = try #require(structure.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["viewBox"] == "0 0 440 440")
        #expect(structure.all("title").first?.text == "Internal test set")
        let path = try #require(structure.all("path", className: "roc-curve").first?.attributes["d"])
        // One "M"/"L" command per curve point.
        #expect(path.split(separator: " ").filter { $0.hasPrefix("M") || $0.hasPrefix("L") }.count == curve.thresholds.count)
        #expect(structure.all("circle", className: "operating-point").count == 1)
        #expect(structure.texts.contains { $0.hasPrefix("AUC 0.87 (95 % CI 0.76–0.97)") })
        #expect(structure.texts.contains { $0.hasPrefix("threshold 0.464") })
        // Ticks 0.0 … 1.0 on both axes, and both axis titles.
        let ticks = structure.all("text", className: "tick-label").map(\.text)
        #expect(ticks.filter { $0 == "0.0" }.count == 2 && ticks.filter { $0 == "1.0" }.count == 2)
        #expect(ticks.count == 12)
        #expect(structure.all("text", className: "axis-title").count == 2)
        #expect(structure.numericAttributesAreFinite)
    }

    @Test func rocPlotDrawsSeveralSeriesAndEscapesNames() throws {
        let a = try rocCase("tied_scores_n60"), b = try rocCase("ratings_1_to_5_n50")
        let svg = ROCPlot().svg([
            .init(name: "Internal <test>", curve: try ROCCurve(labels: a.booleanLabels, scores: a.scores)),
            .init(name: "External & co", curve: try ROCCurve(labels: b.booleanLabels, scores: b.scores)),
        ])
        let structure = try SVGStructure(svg)
        #expect(structure.all("path", className: "roc-curve").count == 2)
        #expect(structure.all("path", className: "roc-curve").map { $0.attributes["stroke"] } == ["#0072B2", "#D55E00"])
        #expect(structure.texts.contains("Internal <test>: AUC 0.74"))
        #expect(structure.texts.contains("External & co: AUC 0.70"))
    }
}
