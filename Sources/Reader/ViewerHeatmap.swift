import Explain
import Foundation
import Imaging
import Pipeline
import Torch

/// One attribution method's result for the reader: the JSON the page shows next to the heatmap.
struct ViewerExplanation: Codable, Sendable {
    var method: AttributionMethodName
    /// The class the map explains, by name: the reader's thresholded decision (000_… explains the argmax class;
    /// they agree whenever the threshold is 0.5).
    var explainedClass: String
    /// The lesion the map explains (the primary, largest ICH).
    var lesionID: Int
    var regionImportance: RegionImportance
    /// AIX360 faithfulness (−pearson over every voxel of the crop, 000_… §2.5); nil until requested.
    var faithfulness: Double?
    /// Voxels of the crop's ICH ∪ PHE.
    var lesionVoxels: Int
    /// Lesion voxels whose deletion was evaluated (perturbed forwards of the deletion pass): all, or a seeded sample.
    var faithfulnessVoxels: Int?
    /// "exact, N of N" or "estimate, n of N" (lesion voxels; the background enters exactly); nil until requested.
    var faithfulnessLabel: String?
    var seconds: Double
    /// Seconds of the shared deletion pass (first faithfulness request of a case only).
    var deletionSeconds: Double?
}

/// What the reader keeps of a finished case to explain it on demand: the primary lesion's crop, and the
/// deletion pass once computed (it is shared by every method's faithfulness).
struct ExplainableCase: Sendable {
    var crop: LesionCrop
    /// The class of the reader's thresholded decision on this lesion (from the report), explained instead of
    /// the argmax class; they differ when the threshold is not 0.5. nil: the argmax class.
    var targetClass: Int?
    var deletion: VoxelDeletionProbabilities?
    var results: [AttributionMethodName: ViewerExplanation] = [:]
}

/// Computes heatmaps for the viewer: the map of one method on the primary lesion's crop, min-max normalised
/// over the crop (as the region importance of 000_… §2.4), pasted back onto the scan and written as UInt8
/// (0…255 ↔ 0…1) in (z, y, x) order, like the other viewer arrays.
enum ViewerHeatmap {
    static func fileName(_ method: AttributionMethodName) -> String { "viewer-heat-\(method.rawValue).u8" }

    /// Runs `method` (and, with `faithfulness`, the deletion pass unless `explainable` has it) and writes the map.
    ///
    /// - Returns: the result and the deletion pass to keep for the next method.
    static func explain(_ explainable: ExplainableCase, method: AttributionMethodName, faithfulness: Bool,
                        faithfulnessVoxels: Int? = nil, models: PipelineModels, folder: URL) throws -> (ViewerExplanation, VoxelDeletionProbabilities?) {
        let classifier = models.classifier
        let crop = explainable.crop
        let input = try classifier.card.normalization.input(for: crop).unsqueezed(0)
        var request = ExplanationRequest(methods: [method], faithfulness: faithfulness, faithfulnessVoxels: faithfulnessVoxels)
        request.targetClass = explainable.targetClass
        let start = Date()
        let result = try CaseExplanation.run(model: classifier.network, input: input, labels: crop.labels, request: request,
                                             deletion: explainable.deletion)
        guard let map = result.maps.first?.map, let summary = result.summary.methods.first else {
            throw ExplainError.invalidInput("no map was computed for \(method.rawValue)")
        }
        try write(map, crop: crop, to: folder.appendingPathComponent(fileName(method)))
        let names = ["non-neoplastic", "neoplastic"]
        let predicted = result.summary.predictedClass
        let explainedClass = predicted == classifier.card.positiveClass ? names[1] : names[0]
        let deletionSeconds = explainable.deletion == nil ? result.summary.deletionSeconds : nil
        return (ViewerExplanation(method: method, explainedClass: explainedClass, lesionID: crop.lesion.id,
                                  regionImportance: summary.regionImportance, faithfulness: summary.faithfulness,
                                  lesionVoxels: result.summary.lesionVoxels, faithfulnessVoxels: result.summary.faithfulnessVoxels,
                                  faithfulnessLabel: result.summary.faithfulnessLabel, seconds: Date().timeIntervalSince(start),
                                  deletionSeconds: deletionSeconds),
                result.deletion ?? explainable.deletion)
    }

    /// Min-max normalises `map` over the crop, pastes it onto the scan grid and writes it as UInt8.
    static func write(_ map: Volume<Float>, crop: LesionCrop, to url: URL) throws {
        let values = map.voxels
        let low = values.min() ?? 0, high = values.max() ?? 0
        let span = high - low
        var scaled = Volume<UInt8>(geometry: map.geometry, repeating: 0)
        scaled.withUnsafeMutableVoxels { out in
            for i in 0..<values.count where span > 0 && values[i].isFinite {
                out[i] = UInt8(((values[i] - low) / span * 255).rounded())
            }
        }
        let full = try crop.pasteBack(scaled)
        try full.withUnsafeVoxels { Data(buffer: $0) }.write(to: url, options: .atomic)
    }
}
