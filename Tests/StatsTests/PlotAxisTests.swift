import Testing
@testable import Stats
@testable import Plots

@Suite struct PlotAxisTests {
    @Test func niceTicks() {
        #expect(PlotAxis.niceStep(0.23) == 0.5)
        #expect(PlotAxis(covering: 1.3, 67.1, start: 0, end: 100).ticks == [0, 20, 40, 60, 80])
        // A fixed axis: 0…1 every 0.2 prints one decimal.
        let unit = PlotAxis(lower: 0, upper: 1, step: 0.2, start: 0, end: 100)
        #expect(unit.ticks.count == 6 && unit.label(0.6) == "0.6" && unit.position(0.5) == 50)
    }
}
