import Foundation
import Stats

/// A small SVG writer: one string per element, every attribute value and text escaped, numbers
/// printed with at most two decimals.
struct SVGDocument {
    let width: Double
    let height: Double
    private var parts: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends an element; attributes with a nil value are left out.
    mutating func element(_ name: String, _ attributes: [(String, String?)], text: String? = nil) {
        let rendered = attributes.compactMap { key, value in value.map { "\(key)=\"\(Self.escape($0))\"" } }
        let head = ([name] + rendered).joined(separator: " ")
        if let text {
            parts.append("<\(head)>\(Self.escape(text))</\(name)>")
        } else {
            parts.append("<\(head)/>")
        }
    }

    /// Opens a `<g>` group (closed by `endGroup`).
    mutating func beginGroup(_ attributes: [(String, String?)]) {
        let rendered = attributes.compactMap { key, value in value.map { "\(key)=\"\(Self.escape($0))\"" } }
        parts.append("<" + (["g"] + rendered).joined(separator: " ") + ">")
    }

    mutating func endGroup() {
        parts.append("</g>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        element("line", [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)),
                         ("y2", Self.number(y2)), ("stroke", stroke), ("stroke-width", Self.number(width)),
                         ("stroke-dasharray", dash)])
    }

    mutating func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String,
                       stroke: String? = nil, strokeWidth: Double? = nil, opacity: Double? = nil,
                       className: String? = nil) {
        element("rect", [("class", className), ("x", Self.number(x)), ("y", Self.number(y)),
                         ("width", Self.number(max(0, width))), ("height", Self.number(max(0, height))),
                         ("fill", fill), ("fill-opacity", opacity.map(Self.number)), ("stroke", stroke),
                         ("stroke-width", strokeWidth.map(Self.number))])
    }

    mutating func circle(_ cx: Double, _ cy: Double, radius: Double, fill: String, stroke: String? = nil,
                         strokeWidth: Double? = nil, className: String? = nil) {
        element("circle", [("class", className), ("cx", Self.number(cx)), ("cy", Self.number(cy)),
                           ("r", Self.number(radius)), ("fill", fill), ("stroke", stroke),
                           ("stroke-width", strokeWidth.map(Self.number))])
    }

    /// A path through `points` ("M … L …"), closed with "Z" when `closed`.
    mutating func path(_ points: [(x: Double, y: Double)], closed: Bool = false, fill: String = "none",
                       fillOpacity: Double? = nil, stroke: String? = nil, strokeWidth: Double? = nil,
                       className: String? = nil) {
        guard let first = points.first else { return }
        var d = "M\(Self.number(first.x)) \(Self.number(first.y))"
        for point in points.dropFirst() { d += " L\(Self.number(point.x)) \(Self.number(point.y))" }
        if closed { d += " Z" }
        element("path", [("class", className), ("d", d), ("fill", fill), ("fill-opacity", fillOpacity.map(Self.number)),
                         ("stroke", stroke), ("stroke-width", strokeWidth.map(Self.number)),
                         ("stroke-linejoin", stroke == nil ? nil : "round")])
    }

    enum Anchor: String { case start, middle, end }

    /// Text at (x, y) (the baseline); `halo` outlines the glyphs in that colour so that the text stays
    /// legible over lines.
    mutating func text(_ content: String, _ x: Double, _ y: Double, anchor: Anchor = .start, size: Double,
                       color: String, bold: Bool = false, rotation: Double? = nil, halo: String? = nil,
                       className: String? = nil) {
        let transform = rotation.map { "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))" }
        element("text", [("class", className), ("x", Self.number(x)), ("y", Self.number(y)),
                         ("text-anchor", anchor.rawValue), ("font-size", Self.number(size)), ("fill", color),
                         ("font-weight", bold ? "bold" : nil), ("transform", transform),
                         ("stroke", halo), ("stroke-width", halo == nil ? nil : "3"),
                         ("stroke-linejoin", halo == nil ? nil : "round"), ("paint-order", halo == nil ? nil : "stroke")],
                text: content)
    }

    /// The complete document with a white background, an accessible `<title>` and the font on the root.
    func rendered(title: String, style: PlotStyle) -> String {
        let w = Self.number(width), h = Self.number(height)
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
                + "font-family=\"\(Self.escape(style.fontFamily))\" role=\"img\">",
            "<title>\(Self.escape(title))</title>",
            "<rect width=\"100%\" height=\"100%\" fill=\"\(Self.escape(style.background))\"/>",
        ]
        lines += parts
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A coordinate: integers plainly, others with at most two decimals; non-finite values become 0 so that
    /// the document stays valid.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// XML escaping for attribute values and text.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
