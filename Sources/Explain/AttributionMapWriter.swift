import Foundation
import Imaging

/// Writes attribution maps as files a person can open: NIfTI on the crop, NIfTI pasted back onto the full
/// scan, and a PNG montage of the crop with the ICH/PHE outlines, the heatmap and a colour bar.
public enum AttributionMapWriter {
    /// The files written for one map.
    public struct Files: Codable, Sendable {
        public var cropNIfTI: String
        public var scanNIfTI: String?
        public var png: String
    }

    /// Writes `map` (on the crop grid) into `directory` as `<name>_crop.nii.gz`, `<name>_scan.nii.gz` (when
    /// `crop` is given) and `<name>.png`.
    ///
    /// - Parameters:
    ///   - map: the attribution on the crop grid.
    ///   - name: file stem (e.g. "GradCAMPlusPlus").
    ///   - cropImage: the crop in HU (the PNG's background).
    ///   - labels: the crop's label map (outlined in the PNG).
    ///   - crop: the lesion crop, when the input came from a full scan; the map is pasted back onto it.
    ///   - directory: output folder (created if needed).
    /// - Throws: `ExplainError.file` naming the file that could not be written.
    public static func write(_ map: Volume<Float>, name: String, cropImage: Volume<Float>, labels: LabelMap,
                             crop: LesionCrop?, to directory: URL) throws -> Files {
        let cropURL = directory.appendingPathComponent("\(name)_crop.nii.gz")
        let scanURL = directory.appendingPathComponent("\(name)_scan.nii.gz")
        let pngURL = directory.appendingPathComponent("\(name).png")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try NIfTIFile.write(map, to: cropURL)
            if let crop { try NIfTIFile.write(crop.pasteBack(map), to: scanURL) }
            let slices = (0..<labels.shape.z).filter { z in
                (0..<labels.shape.y).contains { y in (0..<labels.shape.x).contains { x in labels[z, y, x] != 0 } }
            }
            let options = SliceRenderingOptions(labels: labels, labelOpacity: 0.15,
                                                heatmap: HeatmapOverlay(map: map, colorMap: .jet, opacity: 0.5), colorBar: true, scale: 2)
            let chosen = slices.isEmpty ? nil : Array(slices.enumerated().filter { $0.offset % max(1, slices.count / 9) == 0 }.map(\.element).prefix(9))
            try SliceRenderer.renderMontage(cropImage, slices: chosen, columns: 3, options: options).writePNG(to: pngURL)
        } catch let error as ExplainError {
            throw error
        } catch {
            throw ExplainError.file(directory.appendingPathComponent(name).path, "could not write the map: \(error)")
        }
        return Files(cropNIfTI: cropURL.lastPathComponent, scanNIfTI: crop == nil ? nil : scanURL.lastPathComponent,
                     png: pngURL.lastPathComponent)
    }
}
