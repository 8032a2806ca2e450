import Foundation
import Imaging

/// Writes a case folder: the label map (NIfTI on the input's grid), the overlay PNGs (in the orientation the
/// classifier saw) and `report.json`.
///
/// `report.json` is written last and atomically: its presence marks a finished case (`--cohort` resumes
/// from it).
enum CaseOutputWriter {
    /// Label map and overlay PNGs: `inputLabels` (on the input's grid) is written; `image` and `labels` (in
    /// the classifier's orientation) are rendered, the primary lesion on its slice `primarySlice` of that grid.
    static func write(image: Volume<Float>, labels: LabelMap, primarySlice: Int?, inputLabels: LabelMap,
                      report: PredictionReport, to folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.writeFailed(file: folder.path, detail: "\(error)")
        }
        try NIfTIFile.write(inputLabels, to: folder.appendingPathComponent(report.files.labels),
                            options: NIfTIWriteOptions(description: "NeoICH labels: 0 background, 1 ICH, 2 PHE"))
        let options = SliceRenderingOptions(window: .brain, labels: labels, labelOpacity: 0.45, colorBar: false)
        try SliceRenderer.renderMontage(image, columns: 4, options: options)
            .writePNG(to: folder.appendingPathComponent(report.files.overlayMontage))
        if let name = report.files.primarySlice {
            let z = primarySlice ?? 0
            let scale = max(1, 256 / max(1, max(image.shape.x, image.shape.y)))
            var sliceOptions = options
            sliceOptions.scale = scale
            try SliceRenderer.renderSlice(image, z: z, options: sliceOptions).writePNG(to: folder.appendingPathComponent(name))
        }
    }

    /// `report.json`, atomically.
    static func writeReport(_ report: PredictionReport, to folder: URL) throws {
        let url = folder.appendingPathComponent(CasePredictor.reportFileName)
        do {
            try report.jsonData().write(to: url, options: .atomic)
        } catch {
            throw PipelineError.writeFailed(file: url.path, detail: "\(error)")
        }
    }
}
