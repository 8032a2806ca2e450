internal import CPNG
import Foundation

/// An 8-bit RGBA raster (row-major, top row first), written and read as PNG through libpng.
public struct RGBAImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width × height × 4` bytes, R G B A per pixel.
    public var pixels: [UInt8]

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: RGBColor = RGBColor(0, 0, 0), alpha: UInt8 = 255) {
        self.width = max(0, width)
        self.height = max(0, height)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 4)
        for i in 0..<(self.width * self.height) {
            pixels[4 * i] = fill.r
            pixels[4 * i + 1] = fill.g
            pixels[4 * i + 2] = fill.b
            pixels[4 * i + 3] = alpha
        }
    }

    /// The colour at (row, column).
    public subscript(row: Int, column: Int) -> RGBColor {
        get {
            let i = 4 * (row * width + column)
            return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = 4 * (row * width + column)
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
            pixels[i + 3] = 255
        }
    }

    /// Copies `other` into this image with its top-left corner at (row, column), clipped to the bounds.
    public mutating func draw(_ other: RGBAImage, row: Int, column: Int) {
        for r in 0..<other.height where row + r >= 0 && row + r < height {
            for c in 0..<other.width where column + c >= 0 && column + c < width {
                let source = 4 * (r * other.width + c), target = 4 * ((row + r) * width + column + c)
                for k in 0..<4 { pixels[target + k] = other.pixels[source + k] }
            }
        }
    }

    /// This image enlarged by an integer factor (nearest neighbour, so voxels stay visible as squares).
    public func scaled(by factor: Int) -> RGBAImage {
        guard factor > 1 else { return self }
        var out = RGBAImage(width: width * factor, height: height * factor)
        for row in 0..<out.height {
            for column in 0..<out.width {
                let source = 4 * ((row / factor) * width + column / factor), target = 4 * (row * out.width + column)
                for k in 0..<4 { out.pixels[target + k] = pixels[source + k] }
            }
        }
        return out
    }

    // MARK: - PNG

    /// The PNG encoding (libpng's simplified API, which reports errors instead of longjmp-ing).
    ///
    /// - Throws: `ImagingError.pngFailed`.
    public func pngData() throws -> Data {
        guard width > 0, height > 0 else { throw ImagingError.pngFailed(file: "(memory)", detail: "empty image") }
        var image = Self.descriptor(width: width, height: height)
        var size = 0
        let rowStride = Int32(width * 4)
        var ok = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, rowStride, nil) }
        guard ok != 0, size > 0 else { throw ImagingError.pngFailed(file: "(memory)", detail: Self.message(image)) }
        var data = Data(count: size)
        ok = data.withUnsafeMutableBytes { target in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, target.baseAddress, &size, 0, $0.baseAddress, rowStride, nil) }
        }
        guard ok != 0 else { throw ImagingError.pngFailed(file: "(memory)", detail: Self.message(image)) }
        return data.prefix(size)
    }

    /// Writes the image as a PNG file.
    ///
    /// - Throws: `ImagingError.pngFailed` naming the file.
    public func writePNG(to url: URL) throws {
        let data: Data
        do { data = try pngData() } catch ImagingError.pngFailed(_, let detail) {
            throw ImagingError.pngFailed(file: url.path, detail: detail)
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw ImagingError.pngFailed(file: url.path, detail: "\(error)")
        }
    }

    /// Reads a PNG file (any PNG colour type, converted to 8-bit RGBA).
    ///
    /// - Throws: `ImagingError.fileNotFound` or `.pngFailed` naming the file.
    public static func readPNG(_ url: URL) throws -> RGBAImage {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ImagingError.fileNotFound(file: url.path) }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, data.count) }
        guard begun != 0 else { throw ImagingError.pngFailed(file: url.path, detail: message(image)) }
        image.format = Self.rgbaFormat
        var out = RGBAImage(width: Int(image.width), height: Int(image.height))
        let done = out.pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(image.width * 4), nil) }
        guard done != 0 else {
            png_image_free(&image)
            throw ImagingError.pngFailed(file: url.path, detail: message(image))
        }
        return out
    }

    // PNG_FORMAT_RGBA = PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA (a compound macro Swift does not import).
    private static let rgbaFormat = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)

    private static func descriptor(width: Int, height: Int) -> png_image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = rgbaFormat
        return image
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// An 8-bit RGB colour.
public struct RGBColor: Sendable, Equatable, Codable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `self` blended towards `other` by `opacity` ∈ [0, 1].
    public func blended(with other: RGBColor, opacity: Double) -> RGBColor {
        let t = min(max(opacity, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - t) + Double(b) * t).rounded()) }
        return RGBColor(mix(r, other.r), mix(g, other.g), mix(b, other.b))
    }
}
