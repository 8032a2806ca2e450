import Stats

/// Draws what every figure shares: title, grid, axes with ticks and tick labels, axis titles.
struct PlotFrame {
    let style: PlotStyle
    let area: PlotArea

    /// Title centred above the plotting area.
    func drawTitle(_ title: String, into document: inout SVGDocument) {
        guard !title.isEmpty else { return }
        document.text(title, area.left + area.width / 2, style.marginTop / 2 + style.fontSize * 0.45,
                      anchor: .middle, size: style.fontSize * 1.25, color: style.textColor, bold: true,
                      className: "title")
    }

    /// Horizontal grid lines, the y axis with ticks, labels and title.
    func drawYAxis(_ axis: PlotAxis, title: String, grid: Bool = true, into document: inout SVGDocument) {
        document.beginGroup([("class", "y-axis")])
        for tick in axis.ticks {
            let y = axis.position(tick)
            if grid { document.line(area.left, y, area.right, y, stroke: style.gridColor) }
            document.line(area.left - 5, y, area.left, y, stroke: style.axisColor)
            document.text(axis.label(tick), area.left - 8, y + style.fontSize * 0.35, anchor: .end,
                          size: style.fontSize, color: style.textColor, className: "tick-label")
        }
        document.line(area.left, area.top, area.left, area.bottom, stroke: style.axisColor)
        let x = area.left - style.marginLeft + style.fontSize * 1.2
        let y = area.top + area.height / 2
        document.text(title, x, y, anchor: .middle, size: style.fontSize * 1.1, color: style.textColor,
                      rotation: -90, className: "axis-title")
        document.endGroup()
    }

    /// Vertical grid lines, the x axis with ticks, labels and title.
    func drawXAxis(_ axis: PlotAxis, title: String, grid: Bool = true, into document: inout SVGDocument) {
        document.beginGroup([("class", "x-axis")])
        for tick in axis.ticks {
            let x = axis.position(tick)
            if grid { document.line(x, area.top, x, area.bottom, stroke: style.gridColor) }
            document.line(x, area.bottom, x, area.bottom + 5, stroke: style.axisColor)
            document.text(axis.label(tick), x, area.bottom + 8 + style.fontSize, anchor: .middle,
                          size: style.fontSize, color: style.textColor, className: "tick-label")
        }
        document.line(area.left, area.bottom, area.right, area.bottom, stroke: style.axisColor)
        drawXTitle(title, into: &document)
        document.endGroup()
    }

    /// The x-axis title alone (categorical axes draw their own labels).
    func drawXTitle(_ title: String, into document: inout SVGDocument) {
        document.text(title, area.left + area.width / 2, area.bottom + style.marginBottom - style.fontSize * 0.6,
                      anchor: .middle, size: style.fontSize * 1.1, color: style.textColor, className: "axis-title")
    }

    /// A legend box in a corner: one colour swatch and label per entry.
    func drawLegend(_ entries: [(label: String, color: String, line: Bool)], topRight: Bool,
                    into document: inout SVGDocument) {
        guard !entries.isEmpty else { return }
        let rowHeight = style.fontSize * 1.5
        let longest = entries.map(\.label.count).max() ?? 0
        let width = min(area.width - 8, Double(longest) * style.fontSize * 0.58 + 34)
        let height = Double(entries.count) * rowHeight + 8
        let x = area.right - width - 8
        let y = topRight ? area.top + 8 : area.bottom - height - 8
        document.beginGroup([("class", "legend")])
        document.rect(x, y, width, height, fill: style.background, stroke: style.gridColor, strokeWidth: 1,
                      opacity: 0.9)
        for (i, entry) in entries.enumerated() {
            let rowY = y + 4 + rowHeight * (Double(i) + 0.5)
            if entry.line {
                document.line(x + 8, rowY, x + 24, rowY, stroke: entry.color, width: 2.5)
            } else {
                document.rect(x + 8, rowY - 5, 16, 10, fill: entry.color, opacity: 0.6)
            }
            document.text(entry.label, x + 30, rowY + style.fontSize * 0.35, size: style.fontSize,
                          color: style.textColor, className: "legend-label")
        }
        document.endGroup()
    }
}
