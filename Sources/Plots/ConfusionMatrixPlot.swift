import Stats

/// An SVG figure of a 2 × 2 confusion matrix: rows are the true class, columns the predicted class
/// (negative first, as scikit-learn's `confusion_matrix` with labels [0, 1]); each cell shows its count and
/// its share of the row, shaded by that share; accuracy, sensitivity and specificity are printed below.
public struct ConfusionMatrixPlot: Sendable {
    /// Title above the matrix; "Confusion matrix".
    public var title: String
    /// Name of the positive class; "neoplastic" (001_…).
    public var positiveLabel: String
    /// Name of the negative class; "non-neoplastic".
    public var negativeLabel: String
    /// Size, font, colours (`palette[0]` shades the cells).
    public var style: PlotStyle

    /// A figure with the given labels; defaults as documented on each property.
    public init(title: String = "Confusion matrix", positiveLabel: String = "neoplastic",
                negativeLabel: String = "non-neoplastic",
                style: PlotStyle = PlotStyle(width: 420, height: 380, marginBottom: 60, marginLeft: 120)) {
        self.title = title
        self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel
        self.style = style
    }

    /// The SVG document.
    public func svg(_ matrix: ConfusionMatrix) -> String {
        let area = style.plotArea
        let frame = PlotFrame(style: style, area: area)
        var document = SVGDocument(width: style.width, height: style.height)
        frame.drawTitle(title, into: &document)
        let side = min(area.width, area.height - 2.6 * style.fontSize)
        let cell = side / 2
        let left = area.left + (area.width - side) / 2
        let top = area.top + 2.6 * style.fontSize
        let rows = [(negativeLabel, [matrix.trueNegatives, matrix.falsePositives]),
                    (positiveLabel, [matrix.falseNegatives, matrix.truePositives])]
        let shade = style.color(0)

        document.text("Predicted class", left + side / 2, area.top + style.fontSize * 0.9, anchor: .middle,
                      size: style.fontSize * 1.1, color: style.textColor, className: "axis-title")
        for (column, name) in [negativeLabel, positiveLabel].enumerated() {
            document.text(name, left + cell * (Double(column) + 0.5), top - 6, anchor: .middle,
                          size: style.fontSize, color: style.textColor, className: "class-label")
        }
        document.text("True class", left - style.marginLeft + style.fontSize * 1.2, top + side / 2, anchor: .middle,
                      size: style.fontSize * 1.1, color: style.textColor, rotation: -90, className: "axis-title")
        for (row, (name, counts)) in rows.enumerated() {
            let rowTotal = counts.reduce(0, +)
            document.text(name, left - 8, top + cell * (Double(row) + 0.5) + style.fontSize * 0.35, anchor: .end,
                          size: style.fontSize, color: style.textColor, className: "class-label")
            for (column, count) in counts.enumerated() {
                let share = rowTotal > 0 ? Double(count) / Double(rowTotal) : 0
                let x = left + cell * Double(column), y = top + cell * Double(row)
                document.rect(x, y, cell, cell, fill: style.background, stroke: style.gridColor, strokeWidth: 1)
                document.rect(x, y, cell, cell, fill: shade, stroke: style.axisColor, strokeWidth: 1,
                              opacity: 0.08 + 0.8 * share, className: "cell")
                let ink = share > 0.55 ? "#FFFFFF" : style.textColor
                document.text("\(count)", x + cell / 2, y + cell / 2, anchor: .middle, size: style.fontSize * 1.6,
                              color: ink, bold: true, className: "cell-count")
                let percent = rowTotal > 0 ? TableFormat().number(100 * share, 1) + " % of row" : "–"
                document.text(percent, x + cell / 2, y + cell / 2 + style.fontSize * 1.4, anchor: .middle,
                              size: style.fontSize * 0.9, color: ink, className: "cell-share")
            }
        }
        let summary = "Accuracy \(TableFormat().number(matrix.accuracy, 2)) · "
            + "Sensitivity \(TableFormat().number(matrix.sensitivity, 2)) · "
            + "Specificity \(TableFormat().number(matrix.specificity, 2))"
        document.text(summary, left + side / 2, top + side + style.fontSize * 2, anchor: .middle,
                      size: style.fontSize, color: style.textColor, className: "summary")
        return document.rendered(title: title, style: style)
    }
}
