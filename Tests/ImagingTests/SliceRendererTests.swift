import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct SliceRendererTests {
    /// A 3×64×64 head-like phantom (RAS grid): skull ring 1000 HU, brain 35 HU, ICH 70 HU, PHE 15 HU.
    static func phantom() -> (Volume<Float>, LabelMap) {
        let geometry = ImagingFixtures.geometry(3, 64, 64, spacing: SpacingMM(z: 5, y: 0.8, x: 0.8))
        var image = Volume<Float>(geometry: geometry, repeating: -1000)
        var labels = LabelMap(geometry: geometry)
        for z in 0..<3 { for y in 0..<64 { for x in 0..<64 {
            let r = (pow(Double(x) - 31.5, 2) / 28 / 28 + pow(Double(y) - 31.5, 2) / 30 / 30).squareRoot()
            if r < 0.9 { image[z, y, x] = 35 } else if r < 1 { image[z, y, x] = 1000 }
            let d = (pow(Double(x) - 20, 2) + pow(Double(y) - 40, 2)).squareRoot()
            if d < 6 { image[z, y, x] = 70; labels[z, y, x] = 1 } else if d < 10 { image[z, y, x] = 15; labels[z, y, x] = 2 }
        } } }
        return (image, labels)
    }

    @Test func windowsMapHUToGray() {
        #expect(CTWindow.brain.gray(0) == 0 && CTWindow.brain.gray(80) == 255 && CTWindow.brain.gray(40) == 128)
        #expect(CTWindow.blood.gray(0) == 0 && CTWindow.blood.gray(120) == 255)
        #expect(CTWindow.bone.gray(-800) == 0 && CTWindow.bone.gray(2000) == 255)
    }

    @Test func colorMapsMatchMatplotlib() {
        // matplotlib 3.x: jet(0.2) = (0, 76, 255), jet(0.5) = (125, 255, 122), jet(0.8) = (255, 104, 0);
        // inferno(0.5) = (0.736, 0.216, 0.330) · 255 = (188, 55, 84).
        func close(_ a: RGBColor, _ b: RGBColor) -> Bool {
            abs(Int(a.r) - Int(b.r)) <= 3 && abs(Int(a.g) - Int(b.g)) <= 3 && abs(Int(a.b) - Int(b.b)) <= 3
        }
        #expect(close(ColorMap.jet.color(at: 0.2), RGBColor(0, 76, 255)))
        #expect(close(ColorMap.jet.color(at: 0.5), RGBColor(125, 255, 122)))
        #expect(close(ColorMap.jet.color(at: 0.8), RGBColor(255, 104, 0)))
        #expect(close(ColorMap.inferno.color(at: 0.5), RGBColor(188, 55, 84)))
    }

    @Test func overlaysAndRadiologicalOrientation() throws {
        let (image, labels) = Self.phantom()
        let plain = try SliceRenderer.renderSlice(image, z: 1, options: SliceRenderingOptions(radiological: false))
        // Brain 35 HU in the 40/80 window → round(35/80·255) = 112.
        #expect(plain[32, 32] == RGBColor(112, 112, 112))
        let overlaid = try SliceRenderer.renderSlice(
            image, z: 1, options: SliceRenderingOptions(labels: labels, labelOpacity: 0.5, radiological: false))
        // ICH 70 HU at (y 40, x 20): gray round(70/80·255) = 223, blended 50 % with green; PHE 15 HU → 48, red.
        #expect(overlaid[40, 20] == RGBColor(223, 223, 223).blended(with: RGBColor(0, 255, 0), opacity: 0.5))
        #expect(overlaid[40, 11] == RGBColor(48, 48, 48).blended(with: RGBColor(255, 0, 0), opacity: 0.5))
        // RAS grid: radiological display flips x (patient right on the left) and y (anterior on top).
        let radiological = try SliceRenderer.renderSlice(image, z: 1, options: SliceRenderingOptions(labels: labels, labelOpacity: 0.5))
        #expect(radiological[63 - 40, 63 - 20] == overlaid[40, 20])
    }

    @Test func heatmapMontageWithColorBarRoundTripsThroughPNG() throws {
        let (image, labels) = Self.phantom()
        var heat = Volume<Float>(geometry: image.geometry)
        for z in 0..<3 { for y in 0..<64 { for x in 0..<64 where labels[z, y, x] != 0 { heat[z, y, x] = Float(x + y) } } }
        let options = SliceRenderingOptions(
            labels: nil, heatmap: HeatmapOverlay(map: heat, colorMap: .inferno, opacity: 0.6, threshold: 0), scale: 2)
        let montage = try SliceRenderer.renderMontage(image, slices: [0, 1, 2], columns: 2, options: options)
        #expect(montage.height == 2 * 128 + 2)
        #expect(montage.width == 2 * 128 + 2 + 6 + 12 + 6)
        // Colour bar: inferno maximum at the top, minimum at the bottom.
        #expect(montage[0, 2 * 128 + 2 + 6 + 5] == ColorMap.inferno.color(at: 1))
        #expect(montage[montage.height - 1, 2 * 128 + 2 + 6 + 5] == ColorMap.inferno.color(at: 0))
        let directory = try TemporaryDirectory()
        let url = directory.file("montage.png")
        try montage.writePNG(to: url)
        #expect(try RGBAImage.readPNG(url) == montage)
        if let folder = ProcessInfo.processInfo.environment["NEOICH_RENDER_DIR"] {
            try montage.writePNG(to: URL(fileURLWithPath: folder).appendingPathComponent("montage_heatmap.png"))
            try SliceRenderer.renderMontage(image, columns: 3, options: SliceRenderingOptions(labels: labels, scale: 3))
                .writePNG(to: URL(fileURLWithPath: folder).appendingPathComponent("montage_labels.png"))
        }
    }

    @Test func rejectsBadArguments() {
        let (image, labels) = Self.phantom()
        #expect(throws: ImagingError.self) { _ = try SliceRenderer.renderSlice(image, z: 3) }
        #expect(throws: ImagingError.self) {
            _ = try SliceRenderer.renderSlice(image, z: 0, options: SliceRenderingOptions(window: CTWindow(center: 0, width: 0)))
        }
        let other = LabelMap(geometry: ImagingFixtures.geometry(3, 64, 63))
        #expect(throws: ImagingError.self) { _ = try SliceRenderer.renderSlice(image, z: 0, options: SliceRenderingOptions(labels: other)) }
        #expect(throws: ImagingError.self) { _ = try RGBAImage.readPNG(URL(fileURLWithPath: "/nonexistent.png")) }
        _ = labels
    }
}
