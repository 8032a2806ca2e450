import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Plots

@Suite struct ViolinPlotTests {
    @Test func violinPlotHasOneBodyAndMarksPerGroup() throws {
        let groups = try StatsReference.load().groupComparison[1]
        let svg = try ViolinPlot(title: "PHE volume", valueLabel: "Volume (mL)").svg([
            .init(name: "non-neoplastic", values: groups.a),
            .init(name: "neoplastic", values: groups.b),
            .init(name: "single", values: [4]),
        ])
        let structure = try SVGStructure(svg)
        // The one-value group has no density but keeps its marks.
        #expect(structure.all("path", className: "violin-body").count == 2)
        #expect(structure.all("circle", className: "violin-median").count == 3)
        #expect(structure.all("rect", className: "violin-iqr").count == 3)
        #expect(structure.all("text", className: "group-label").map(\.text) == ["non-neoplastic", "neoplastic", "single"])
        #expect(structure.texts.contains("n = \(groups.a.count)"))
        #expect(structure.texts.contains("Volume (mL)"))
        #expect(!structure.all("text", className: "tick-label").isEmpty)
        #expect(structure.numericAttributesAreFinite)
    }

    @Test func violinMedianSitsAtTheMedian() throws {
        // Values 0…10: the axis covers [0, 10] exactly, so the median 5 is halfway up the plotting area.
        let style = PlotStyle()
        let svg = try ViolinPlot(style: style).svg([.init(name: "a", values: (0...10).map(Double.init))])
        let median = try #require(try SVGStructure(svg).all("circle", className: "violin-median").first)
        let area = style.plotArea
        #expect(Double(median.attributes["cy"] ?? "") == area.top + area.height / 2)
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.self) { try ViolinPlot().svg([]) }
        #expect(throws: StatsError.self) { try ViolinPlot().svg([.init(name: "a", values: [1, .nan])]) }
    }
}
