import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Plots

@Suite struct HistogramPlotTests {
    @Test func histogramHasOneBarPerNonEmptyBin() throws {
        let reference = try StatsReference.load()
        let volumes = try #require(reference.histogram.first { $0.name == "volumes_10_bins" })
        let svg = try HistogramPlot(title: "ICH volume", valueLabel: "Volume (mL)", binCount: volumes.bins)
            .svg([.init(name: "all", values: volumes.x)])
        let structure = try SVGStructure(svg)
        #expect(structure.all("rect", className: "bar").count == volumes.counts.filter { $0 > 0 }.count)
        #expect(structure.texts.contains("all (n = 40)"))
        #expect(structure.texts.contains("Count"))
        #expect(structure.numericAttributesAreFinite)

        let byClass = try HistogramPlot(binCount: 8, normalized: true).svg([
            .init(name: "neoplastic", values: reference.groupComparison[1].b),
            .init(name: "non-neoplastic", values: reference.groupComparison[1].a),
        ])
        let classes = try SVGStructure(byClass)
        #expect(classes.all("g").filter { $0.attributes["class"] == "histogram-series" }.count == 2)
        #expect(classes.texts.contains("Density"))
    }

    @Test func histogramBinsMatchNumPy() throws {
        for c in try StatsReference.load().histogram {
            let bins = HistogramBins(lower: c.x.min() ?? 0, upper: c.x.max() ?? 0, count: c.bins)
            #expect(bins.edges == c.edges, "\(c.name)")
            #expect(bins.counts(c.x) == c.counts, "\(c.name)")
        }
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.self) { try HistogramPlot().svg([.init(name: "a", values: [])]) }
        #expect(throws: StatsError.self) { try HistogramPlot(binCount: 0).svg([.init(name: "a", values: [1])]) }
    }
}
