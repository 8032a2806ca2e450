import Foundation
import Stats

/// An SVG figure of one or more ROC curves, with the AUC (and DeLong CI) in the legend and the chosen
/// operating point marked.
public struct ROCPlot: Sendable {
    /// One curve of the figure.
    public struct Series: Sendable {
        /// Legend name, e.g. "Internal test" (may be empty).
        public var name: String
        /// The curve.
        public var curve: ROCCurve
        /// DeLong's AUC and interval for the legend; nil shows the curve's trapezoidal area alone.
        public var delong: DeLongAUC?
        /// The threshold to mark on the curve; nil marks nothing.
        public var operatingPoint: OperatingPoint?

        /// A curve with its optional legend statistics and marked threshold.
        public init(name: String = "", curve: ROCCurve, delong: DeLongAUC? = nil, operatingPoint: OperatingPoint? = nil) {
            self.name = name
            self.curve = curve
            self.delong = delong
            self.operatingPoint = operatingPoint
        }
    }

    /// Title above the plot; "ROC curve".
    public var title: String
    /// Size, font, colours; square 440 × 440 by default so that the chance line is at 45°.
    public var style: PlotStyle

    /// A figure with the given title and style.
    public init(title: String = "ROC curve", style: PlotStyle = PlotStyle(width: 440, height: 440)) {
        self.title = title
        self.style = style
    }

    /// The SVG document of one curve.
    public func svg(curve: ROCCurve, delong: DeLongAUC? = nil, operatingPoint: OperatingPoint? = nil) -> String {
        svg([Series(curve: curve, delong: delong, operatingPoint: operatingPoint)])
    }

    /// The SVG document of several curves (e.g. internal and external test sets), drawn in palette order.
    public func svg(_ series: [Series]) -> String {
        let area = style.plotArea
        let frame = PlotFrame(style: style, area: area)
        var document = SVGDocument(width: style.width, height: style.height)
        let x = PlotAxis(lower: 0, upper: 1, step: 0.2, start: area.left, end: area.right)
        let y = PlotAxis(lower: 0, upper: 1, step: 0.2, start: area.bottom, end: area.top)
        frame.drawTitle(title, into: &document)
        frame.drawXAxis(x, title: "1 − specificity (false-positive rate)", into: &document)
        frame.drawYAxis(y, title: "Sensitivity (true-positive rate)", into: &document)
        document.line(x.position(0), y.position(0), x.position(1), y.position(1), stroke: style.axisColor,
                      width: 1, dash: "4 4")

        var legend: [(label: String, color: String, line: Bool)] = []
        for (index, item) in series.enumerated() {
            let color = style.color(index)
            let points = zip(item.curve.falsePositiveRates, item.curve.truePositiveRates)
                .filter { $0.0.isFinite && $0.1.isFinite }
                .map { (x: x.position($0.0), y: y.position($0.1)) }
            document.beginGroup([("class", "roc-series")])
            if series.count == 1, points.count > 1 {
                // Shade the area under a single curve.
                let closed = points + [(x: x.position(1), y: y.position(0)), (x: x.position(0), y: y.position(0))]
                document.path(closed, closed: true, fill: color, fillOpacity: 0.08, className: "roc-area")
            }
            document.path(points, stroke: color, strokeWidth: 2.5, className: "roc-curve")
            if let point = item.operatingPoint {
                let m = point.confusion
                let px = x.position(1 - m.specificity), py = y.position(m.sensitivity)
                if px.isFinite && py.isFinite {
                    document.circle(px, py, radius: 5, fill: style.background, stroke: color, strokeWidth: 2.5,
                                    className: "operating-point")
                    let label = "threshold \(format(point.threshold, 3)): sens \(format(m.sensitivity, 2)), "
                        + "spec \(format(m.specificity, 2))"
                    // Below and right of the point is under the curve, usually empty; near the right edge
                    // the label goes to the left instead.
                    let onRight = px < area.left + area.width * 0.5
                    document.text(label, px + (onRight ? 10 : -10), py + 18, anchor: onRight ? .start : .end,
                                  size: style.fontSize * 0.92, color: color, halo: style.background,
                                  className: "operating-point-label")
                }
            }
            document.endGroup()
            legend.append((legendLabel(item), color, true))
        }
        frame.drawLegend(legend, topRight: false, into: &document)
        return document.rendered(title: title, style: style)
    }

    /// "Name: AUC 0.85 (95 % CI 0.76–0.94)".
    private func legendLabel(_ item: Series) -> String {
        var text = item.name.isEmpty ? "" : "\(item.name): "
        if let delong = item.delong {
            let level = format(delong.confidenceLevel * 100, 0)
            text += "AUC \(format(delong.auc, 2)) (\(level) % CI \(format(delong.lower, 2))–\(format(delong.upper, 2)))"
        } else {
            let area = item.curve.positives > 0 && item.curve.negatives > 0 ? item.curve.area : .nan
            text += "AUC \(format(area, 2))"
        }
        return text
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        TableFormat().number(value, decimals)
    }
}
