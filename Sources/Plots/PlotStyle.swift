import Stats

/// The look shared by NeoICH's SVG figures: size, margins, font and colours.
public struct PlotStyle: Sendable, Equatable {
    /// Width of the figure in pixels; 480.
    public var width: Double
    /// Height of the figure in pixels; 400.
    public var height: Double
    /// Space above the plotting area (title), in pixels; 40.
    public var marginTop: Double
    /// Space right of the plotting area; 24.
    public var marginRight: Double
    /// Space below the plotting area (ticks and axis title); 56.
    public var marginBottom: Double
    /// Space left of the plotting area (ticks and axis title); 64.
    public var marginLeft: Double
    /// CSS font family of all text; a sans-serif stack.
    public var fontFamily: String
    /// Font size of tick labels and legends in pixels; 12 (titles are 1.25×).
    public var fontSize: Double
    /// Series colours in order; Okabe & Ito's colour-blind-safe palette.
    public var palette: [String]
    /// Colour of text; near black.
    public var textColor: String
    /// Colour of axes and ticks; dark grey.
    public var axisColor: String
    /// Colour of grid lines; light grey.
    public var gridColor: String
    /// Background fill; white.
    public var background: String

    /// A style; the defaults are documented on each property.
    public init(
        width: Double = 480, height: Double = 400,
        marginTop: Double = 40, marginRight: Double = 24, marginBottom: Double = 56, marginLeft: Double = 64,
        fontFamily: String = "Helvetica, Arial, sans-serif", fontSize: Double = 12,
        palette: [String] = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9"],
        textColor: String = "#222222", axisColor: String = "#444444", gridColor: String = "#E6E6E6",
        background: String = "#FFFFFF"
    ) {
        self.width = width
        self.height = height
        self.marginTop = marginTop
        self.marginRight = marginRight
        self.marginBottom = marginBottom
        self.marginLeft = marginLeft
        self.fontFamily = fontFamily
        self.fontSize = fontSize
        self.palette = palette
        self.textColor = textColor
        self.axisColor = axisColor
        self.gridColor = gridColor
        self.background = background
    }

    /// The colour of series `index`, cycling through the palette (black if it is empty).
    public func color(_ index: Int) -> String {
        palette.isEmpty ? "#000000" : palette[index % palette.count]
    }

    /// The plotting area inside the margins.
    var plotArea: PlotArea {
        PlotArea(left: marginLeft, top: marginTop, width: max(1, width - marginLeft - marginRight),
                 height: max(1, height - marginTop - marginBottom))
    }
}
