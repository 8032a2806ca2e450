import Stats

/// A rectangle in pixels (y grows downwards, as in SVG).
struct PlotArea: Equatable {
    let left, top, width, height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }
}
