import Stats

/// An SVG histogram of a value by class: the classes share the bin edges and are overlaid with transparency.
public struct HistogramPlot: Sendable {
    /// One class of the histogram.
    public struct Series: Sendable {
        /// Legend name, e.g. "non-neoplastic".
        public var name: String
        /// The values; non-finite values are an error.
        public var values: [Double]

        /// A named series of values.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// Title above the plot.
    public var title: String
    /// Title of the value axis, with its unit.
    public var valueLabel: String
    /// Number of equal-width bins between the smallest and largest value of all series; 20.
    public var binCount: Int
    /// Plot densities (count / (n · bin width), each series integrating to 1) instead of counts, so that
    /// classes of different sizes compare; `false`.
    public var normalized: Bool
    /// Size, font, colours.
    public var style: PlotStyle

    /// A histogram figure; defaults as documented on each property.
    public init(title: String = "", valueLabel: String = "Value", binCount: Int = 20, normalized: Bool = false,
                style: PlotStyle = PlotStyle()) {
        self.title = title
        self.valueLabel = valueLabel
        self.binCount = binCount
        self.normalized = normalized
        self.style = style
    }

    /// The SVG document.
    ///
    /// - Throws: `StatsError.empty` when no series has a value, `StatsError.nonFinite`,
    ///   `StatsError.outOfDomain` for `binCount` < 1.
    public func svg(_ series: [Series]) throws -> String {
        guard binCount >= 1 else {
            throw StatsError.outOfDomain(argument: "binCount", value: Double(binCount), expected: "≥ 1")
        }
        for item in series {
            if let index = item.values.firstIndex(where: { !$0.isFinite }) {
                throw StatsError.nonFinite(argument: "\(item.name).values", index: index)
            }
        }
        let all = series.flatMap(\.values)
        guard let minimum = all.min(), let maximum = all.max() else { throw StatsError.empty(argument: "series") }
        let bins = HistogramBins(lower: minimum, upper: maximum, count: binCount)
        let heights: [[Double]] = series.map { item in
            let counts = bins.counts(item.values)
            let width = bins.edges[1] - bins.edges[0]
            return counts.map { normalized ? Double($0) / (Double(item.values.count) * width) : Double($0) }
        }
        let tallest = heights.flatMap { $0 }.max() ?? 1

        let area = style.plotArea
        let frame = PlotFrame(style: style, area: area)
        var document = SVGDocument(width: style.width, height: style.height)
        let lower = bins.edges[0], upper = bins.edges[binCount]
        let x = PlotAxis(covering: lower, upper, targetTicks: 6, start: area.left, end: area.right)
        let y = PlotAxis(covering: 0, tallest, start: area.bottom, end: area.top, includeZero: true)
        frame.drawTitle(title, into: &document)
        frame.drawYAxis(y, title: normalized ? "Density" : "Count", into: &document)
        frame.drawXAxis(x, title: valueLabel, grid: false, into: &document)
        for (index, item) in heights.enumerated() {
            let color = style.color(index)
            document.beginGroup([("class", "histogram-series")])
            for (bin, height) in item.enumerated() where height > 0 {
                let left = x.position(bins.edges[bin]), right = x.position(bins.edges[bin + 1])
                document.rect(left, y.position(height), right - left, y.position(0) - y.position(height),
                              fill: color, stroke: color, strokeWidth: 0.8, opacity: 0.5, className: "bar")
            }
            document.endGroup()
        }
        frame.drawLegend(series.enumerated().map { ("\($0.element.name) (n = \($0.element.values.count))",
                                                    style.color($0.offset), false) },
                         topRight: true, into: &document)
        return document.rendered(title: title.isEmpty ? valueLabel : title, style: style)
    }
}
