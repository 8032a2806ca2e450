/// A heatmap drawn over the CT (an attribution map, a probability map), on the scan's grid.
public struct HeatmapOverlay: Sendable {
    /// The map, same grid as the scan.
    public var map: Volume<Float>
    /// Colour map.
    public var colorMap: ColorMap
    /// Opacity of the heatmap over the CT, 0…1.
    public var opacity: Double
    /// Values mapped to the ends of the colour map; `nil` uses the map's minimum and maximum.
    public var range: ClosedRange<Double>?
    /// Values at or below this are not drawn (e.g. 0 outside the lesion); `nil` draws every voxel.
    public var threshold: Double?

    public init(map: Volume<Float>, colorMap: ColorMap = .jet, opacity: Double = 0.5,
                range: ClosedRange<Double>? = nil, threshold: Double? = nil) {
        self.map = map
        self.colorMap = colorMap
        self.opacity = opacity
        self.range = range
        self.threshold = threshold
    }
}

/// What a rendered slice shows.
public struct SliceRenderingOptions: Sendable {
    /// CT window (brain 40/80 by default).
    public var window: CTWindow
    /// Label map to outline in colour (ICH green, PHE red, as in the paper's reader).
    public var labels: LabelMap?
    /// ICH overlay colour.
    public var ichColor: RGBColor
    /// PHE overlay colour.
    public var pheColor: RGBColor
    /// Opacity of the label colours, 0…1.
    public var labelOpacity: Double
    /// Heatmap over the CT (drawn under the label colours).
    public var heatmap: HeatmapOverlay?
    /// Adds a vertical colour bar (maximum at the top) right of the image when a heatmap is drawn.
    public var colorBar: Bool
    /// Integer enlargement (nearest neighbour).
    public var scale: Int
    /// Radiological display: patient right on the image left, anterior at the top, derived from the
    /// affine's orientation code. Off: array order (row = y, column = x).
    public var radiological: Bool

    public init(window: CTWindow = .brain, labels: LabelMap? = nil, ichColor: RGBColor = RGBColor(0, 255, 0),
                pheColor: RGBColor = RGBColor(255, 0, 0), labelOpacity: Double = 0.4, heatmap: HeatmapOverlay? = nil,
                colorBar: Bool = true, scale: Int = 1, radiological: Bool = true) {
        self.window = window
        self.labels = labels
        self.ichColor = ichColor
        self.pheColor = pheColor
        self.labelOpacity = labelOpacity
        self.heatmap = heatmap
        self.colorBar = colorBar
        self.scale = scale
        self.radiological = radiological
    }
}

/// Renders axial slices of a CT, with label and heatmap overlays, as RGBA images (PNG via `RGBAImage`).
public enum SliceRenderer {
    /// One axial slice.
    ///
    /// - Parameters:
    ///   - image: the scan in HU.
    ///   - z: slice index.
    ///   - options: window, overlays, scale, orientation.
    /// - Throws: `ImagingError.invalidArgument` for a slice out of range, a window width ≤ 0 or a scale < 1;
    ///   `.geometryMismatch` for overlays not on the scan's grid.
    public static func renderSlice(_ image: Volume<Float>, z: Int,
                                   options: SliceRenderingOptions = SliceRenderingOptions()) throws -> RGBAImage {
        try validate(image, slices: [z], options: options)
        let heatRange = heatmapRange(options.heatmap)
        var slice = drawSlice(image, z: z, options: options, heatRange: heatRange).scaled(by: options.scale)
        if options.colorBar, let heatmap = options.heatmap {
            slice = withColorBar(slice, colorMap: heatmap.colorMap)
        }
        return slice
    }

    /// A grid of axial slices, left to right then top to bottom, with one shared heatmap scale.
    ///
    /// - Parameters:
    ///   - image: the scan in HU.
    ///   - slices: slice indices; `nil` takes up to `columns × columns` evenly spaced slices (those holding
    ///     labels when a label map is given).
    ///   - columns: tiles per row.
    ///   - options: as for `renderSlice`.
    /// - Throws: as `renderSlice`.
    public static func renderMontage(_ image: Volume<Float>, slices: [Int]? = nil, columns: Int = 4,
                                     options: SliceRenderingOptions = SliceRenderingOptions()) throws -> RGBAImage {
        guard columns > 0 else { throw ImagingError.invalidArgument(detail: "montage columns \(columns) must be > 0") }
        let chosen = slices ?? defaultSlices(image, labels: options.labels, count: columns * columns)
        guard !chosen.isEmpty else { throw ImagingError.invalidArgument(detail: "no slices to render") }
        try validate(image, slices: chosen, options: options)
        let heatRange = heatmapRange(options.heatmap)
        let tiles = chosen.map { drawSlice(image, z: $0, options: options, heatRange: heatRange).scaled(by: options.scale) }
        let tileWidth = tiles[0].width, tileHeight = tiles[0].height, gap = 2
        let rows = (tiles.count + columns - 1) / columns
        let usedColumns = min(columns, tiles.count)
        var montage = RGBAImage(width: usedColumns * tileWidth + (usedColumns - 1) * gap,
                                height: rows * tileHeight + (rows - 1) * gap, fill: RGBColor(40, 40, 40))
        for (index, tile) in tiles.enumerated() {
            montage.draw(tile, row: (index / columns) * (tileHeight + gap), column: (index % columns) * (tileWidth + gap))
        }
        if options.colorBar, let heatmap = options.heatmap { montage = withColorBar(montage, colorMap: heatmap.colorMap) }
        return montage
    }

    // MARK: - Drawing

    private static func drawSlice(_ image: Volume<Float>, z: Int, options: SliceRenderingOptions,
                                  heatRange: (low: Double, high: Double)) -> RGBAImage {
        let shape = image.shape
        let code = Array(image.geometry.orientationCode)
        // Radiological convention: columns run patient right → left, rows anterior → posterior.
        let flipColumns = options.radiological && code.count == 3 && code[0] == "R"
        let flipRows = options.radiological && code.count == 3 && code[1] == "A"
        var out = RGBAImage(width: shape.x, height: shape.y)
        for row in 0..<shape.y {
            let y = flipRows ? shape.y - 1 - row : row
            for column in 0..<shape.x {
                let x = flipColumns ? shape.x - 1 - column : column
                let offset = shape.offset(z: z, y: y, x: x)
                let gray = options.window.gray(image[offset: offset])
                var color = RGBColor(gray, gray, gray)
                if let heatmap = options.heatmap {
                    let value = Double(heatmap.map[offset: offset])
                    if heatmap.threshold.map({ value > $0 }) ?? true {
                        let t = heatRange.high > heatRange.low ? (value - heatRange.low) / (heatRange.high - heatRange.low) : 0
                        color = color.blended(with: heatmap.colorMap.color(at: t), opacity: heatmap.opacity)
                    }
                }
                if let labels = options.labels {
                    switch labels[offset: offset] {
                    case LesionLabel.ich.rawValue: color = color.blended(with: options.ichColor, opacity: options.labelOpacity)
                    case LesionLabel.phe.rawValue: color = color.blended(with: options.pheColor, opacity: options.labelOpacity)
                    default: break
                    }
                }
                out[row, column] = color
            }
        }
        return out
    }

    /// The image with a colour bar on its right: 12 px wide, the image's height, maximum at the top.
    private static func withColorBar(_ image: RGBAImage, colorMap: ColorMap) -> RGBAImage {
        let margin = 6, barWidth = 12
        var out = RGBAImage(width: image.width + margin + barWidth + margin, height: image.height, fill: RGBColor(0, 0, 0))
        out.draw(image, row: 0, column: 0)
        for row in 0..<image.height {
            let t = image.height > 1 ? 1 - Double(row) / Double(image.height - 1) : 1
            let color = colorMap.color(at: t)
            for column in 0..<barWidth { out[row, image.width + margin + column] = color }
        }
        return out
    }

    private static func heatmapRange(_ heatmap: HeatmapOverlay?) -> (low: Double, high: Double) {
        guard let heatmap else { return (0, 1) }
        if let range = heatmap.range { return (range.lowerBound, range.upperBound) }
        guard let extent = heatmap.map.range else { return (0, 1) }
        return (Double(extent.min), Double(extent.max))
    }

    private static func defaultSlices(_ image: Volume<Float>, labels: LabelMap?, count: Int) -> [Int] {
        var candidates = Array(0..<image.shape.z)
        if let labels, labels.shape == image.shape {
            let sliceSize = image.shape.y * image.shape.x
            let labelled = labels.withUnsafeVoxels { v in
                candidates.filter { z in (0..<sliceSize).contains { v[z * sliceSize + $0] != 0 } }
            }
            if !labelled.isEmpty { candidates = labelled }
        }
        guard candidates.count > count else { return candidates }
        return (0..<count).map { candidates[$0 * (candidates.count - 1) / max(1, count - 1)] }
    }

    private static func validate(_ image: Volume<Float>, slices: [Int], options: SliceRenderingOptions) throws {
        for z in slices where z < 0 || z >= image.shape.z {
            throw ImagingError.invalidArgument(detail: "slice \(z) outside 0..<\(image.shape.z)")
        }
        guard options.window.width > 0 else {
            throw ImagingError.invalidArgument(detail: "window width \(options.window.width) must be > 0")
        }
        guard options.scale >= 1 else { throw ImagingError.invalidArgument(detail: "scale \(options.scale) must be ≥ 1") }
        if let labels = options.labels, let problem = image.geometry.mismatch(with: labels.geometry) {
            throw ImagingError.geometryMismatch(file: "label overlay", detail: problem)
        }
        if let heatmap = options.heatmap, let problem = image.geometry.mismatch(with: heatmap.map.geometry) {
            throw ImagingError.geometryMismatch(file: "heatmap overlay", detail: problem)
        }
    }
}
