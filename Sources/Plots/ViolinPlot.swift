import Foundation
import Stats

/// An SVG violin plot of a value by group: a Gaussian KDE outline (Scott's bandwidth) per group, with a
/// thin line from minimum to maximum, a thick bar over the interquartile range and a white dot at the median.
public struct ViolinPlot: Sendable {
    /// One violin.
    public struct Group: Sendable {
        /// Label under the violin, e.g. "neoplastic".
        public var name: String
        /// The values; non-finite values are an error.
        public var values: [Double]

        /// A named group of values.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// Title above the plot.
    public var title: String
    /// Title of the value axis, with its unit (e.g. "PHE volume (mL)").
    public var valueLabel: String
    /// Title of the group axis; empty by default.
    public var groupLabel: String
    /// How far the outline extends beyond the extreme values, in bandwidths; 0 (matplotlib's `violinplot`
    /// stops at the data; seaborn's default is 2).
    public var cut: Double
    /// Points at which each density is evaluated; 100.
    public var resolution: Int
    /// Size, font, colours.
    public var style: PlotStyle

    /// A violin figure; defaults as documented on each property.
    public init(title: String = "", valueLabel: String = "Value", groupLabel: String = "", cut: Double = 0,
                resolution: Int = 100, style: PlotStyle = PlotStyle()) {
        self.title = title
        self.valueLabel = valueLabel
        self.groupLabel = groupLabel
        self.cut = cut
        self.resolution = resolution
        self.style = style
    }

    /// The SVG document. Each violin is scaled to the same maximum width. A group with fewer than two
    /// distinct values has no density and shows only its median/IQR marks; an empty group only its label.
    ///
    /// - Throws: `StatsError.empty` when there are no groups, `StatsError.nonFinite` for a NaN or infinite value.
    public func svg(_ groups: [Group]) throws -> String {
        guard !groups.isEmpty else { throw StatsError.empty(argument: "groups") }
        for group in groups {
            if let index = group.values.firstIndex(where: { !$0.isFinite }) {
                throw StatsError.nonFinite(argument: "\(group.name).values", index: index)
            }
        }
        let densities = groups.map { try? GaussianKDE($0.values) }
        var low = Double.infinity, high = -Double.infinity
        for (group, kde) in zip(groups, densities) {
            guard let minimum = group.values.min(), let maximum = group.values.max() else { continue }
            let pad = (kde?.bandwidth ?? 0) * cut
            low = min(low, minimum - pad)
            high = max(high, maximum + pad)
        }
        if !low.isFinite { (low, high) = (0, 1) }

        let area = style.plotArea
        let frame = PlotFrame(style: style, area: area)
        var document = SVGDocument(width: style.width, height: style.height)
        let y = PlotAxis(covering: low, high, start: area.bottom, end: area.top)
        frame.drawTitle(title, into: &document)
        frame.drawYAxis(y, title: valueLabel, into: &document)
        document.line(area.left, area.bottom, area.right, area.bottom, stroke: style.axisColor)
        frame.drawXTitle(groupLabel, into: &document)

        let slot = area.width / Double(groups.count)
        let halfWidth = slot * 0.4
        for (index, (group, kde)) in zip(groups, densities).enumerated() {
            let center = area.left + slot * (Double(index) + 0.5)
            let color = style.color(index)
            document.beginGroup([("class", "violin")])
            if let kde, let minimum = group.values.min(), let maximum = group.values.max() {
                let from = minimum - kde.bandwidth * cut, to = maximum + kde.bandwidth * cut
                let count = max(2, resolution)
                let grid = (0..<count).map { from + (to - from) * Double($0) / Double(count - 1) }
                let density = kde.density(at: grid)
                let peak = density.max() ?? 1
                let right = zip(grid, density).map { (x: center + halfWidth * $0.1 / peak, y: y.position($0.0)) }
                let left = zip(grid, density).reversed().map { (x: center - halfWidth * $0.1 / peak, y: y.position($0.0)) }
                document.path(right + left, closed: true, fill: color, fillOpacity: 0.55, stroke: color,
                              strokeWidth: 1.5, className: "violin-body")
            }
            if let q = try? Descriptive.quantiles(group.values, [0, 0.25, 0.5, 0.75, 1]) {
                document.line(center, y.position(q[0]), center, y.position(q[4]), stroke: style.textColor, width: 1.2)
                document.rect(center - 3.5, y.position(q[3]), 7, y.position(q[1]) - y.position(q[3]),
                              fill: style.textColor, className: "violin-iqr")
                document.circle(center, y.position(q[2]), radius: 3.5, fill: style.background,
                                stroke: style.textColor, strokeWidth: 1, className: "violin-median")
            }
            document.line(center, area.bottom, center, area.bottom + 5, stroke: style.axisColor)
            document.text(group.name, center, area.bottom + 8 + style.fontSize, anchor: .middle,
                          size: style.fontSize, color: style.textColor, className: "group-label")
            document.text("n = \(group.values.count)", center, area.bottom + 10 + 2 * style.fontSize, anchor: .middle,
                          size: style.fontSize * 0.85, color: style.axisColor, className: "group-count")
            document.endGroup()
        }
        return document.rendered(title: title.isEmpty ? valueLabel : title, style: style)
    }
}
