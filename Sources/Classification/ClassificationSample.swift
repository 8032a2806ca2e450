import Foundation
import Imaging
import NN
import Output

/// One case for the classifier: its masked crop (stored as float16 to halve memory) and its ground truth.
public struct ClassificationSample: Sendable {
    public var caseID: String
    /// True for a neoplastic bleed.
    public var positive: Bool
    public var centre: String
    public var split: String
    public var subtype: String
    /// (1, z, y, x) float16; convert with `input()`.
    public var storedInput: Tensor
    /// False when the mask had no ICH (an all-zero crop is used, and reported).
    public var hasLesion: Bool
    public var ichVolumeML: Double
    public var pheVolumeML: Double

    /// The (1, z, y, x) float32 input.
    public func input() throws -> Tensor { try storedInput.to(.float32) }
}

/// Builds classifier samples from an nnU-Net-layout dataset and its cohort.csv.
///
/// Crops come from the dataset's ground-truth label maps (training, as 001_…) or from another folder of label
/// maps, e.g. a segmentation model's predictions (testing end to end, as 001_…). Each case's largest ICH
/// lesion is used, as in the paper. Crops are cached as safetensors so that later runs skip the NIfTI work.
public enum ClassificationDatasetLoader {
    /// The label value of a neoplastic case in cohort.csv's `label` column.
    public static let positiveLabel = "neoplastic"

    /// What a cached crop was made from: the scan's and the label map's path, size and modification time. A
    /// regenerated dataset or another folder of predicted masks no longer matches, and the crop is made again.
    static func sourceFingerprint(image: URL, labels: URL) -> String {
        [image, labels].map { url in
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(url.standardizedFileURL.path)|\(size)|\(modified)"
        }.joined(separator: ";")
    }

    /// - Parameters:
    ///   - dataset: the `DatasetNNN_Name` folder (imagesTr, labelsTr, dataset.json, cohort.csv).
    ///   - masks: a folder of `{case}.nii.gz` label maps to crop with instead of `labelsTr` (predicted masks).
    ///   - cases: restrict to these case ids (nil: every case of cohort.csv).
    ///   - cache: a folder for cached crops (nil: no cache).
    ///   - orientation: the classifier's training orientation; scans and masks are reoriented to it (axis
    ///     permutations and flips) before cropping, as `neoich predict` does.
    /// - Throws: `ClassificationError.dataset` naming the file for a missing cohort.csv or case files; imaging
    ///   errors for broken scans.
    public static func load(
        dataset: URL, masks: URL? = nil, cases: Set<String>? = nil, cropSize: VolumeShape = VolumeShape(z: 20, y: 200, x: 200),
        normalization: CropNormalization = CropNormalization(), cache: URL? = nil, progress: ProgressReporter.Style? = nil,
        orientation: String = Reorientation.defaultModelOrientation
    ) throws -> [ClassificationSample] {
        let cohortURL = dataset.appendingPathComponent("cohort.csv")
        guard FileManager.default.fileExists(atPath: cohortURL.path) else {
            throw ClassificationError.dataset(cohortURL.path, "missing: the classifier needs each case's etiology label")
        }
        let cohort = try CohortTable.read(cohortURL)
        let records = cohort.records.filter { cases?.contains($0.caseID) ?? true }
        if let cache { try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true) }
        let reporter = ProgressReporter(total: records.count, label: "crops", style: progress)
        var samples: [ClassificationSample] = []
        for record in records {
            let image = dataset.appendingPathComponent("imagesTr/\(record.caseID)_0000.nii.gz")
            let labels = (masks ?? dataset.appendingPathComponent("labelsTr")).appendingPathComponent("\(record.caseID).nii.gz")
            let key = "\(record.caseID)-\(masks == nil ? "gt" : "pred")-\(cropSize.z)x\(cropSize.y)x\(cropSize.x)-\(normalization.lowerHU)-\(normalization.upperHU)"
                // Caches made before crops were reoriented are in the default orientation and keep their key.
                + (orientation == Reorientation.defaultModelOrientation ? "" : "-\(orientation)")
            let cached = cache?.appendingPathComponent("\(key).safetensors")
            let source = sourceFingerprint(image: image, labels: labels)
            let crop: (Tensor, Bool, Double, Double)
            if let cached, let stored = try? SafeTensors.read(cached), stored.metadata["source"] == source,
               let input = stored.tensors["input"] {
                crop = (input, stored.metadata["has_lesion"] == "1", Double(stored.metadata["ich_ml"] ?? "") ?? 0,
                        Double(stored.metadata["phe_ml"] ?? "") ?? 0)
            } else {
                for file in [image, labels] where !FileManager.default.fileExists(atPath: file.path) {
                    throw ClassificationError.dataset(file.path, "missing file for case \(record.caseID)")
                }
                crop = try makeCrop(image: image, labels: labels, cropSize: cropSize, normalization: normalization,
                                    orientation: orientation)
                if let cached {
                    try SafeTensors.write([("input", crop.0)], metadata: [
                        "has_lesion": crop.1 ? "1" : "0", "ich_ml": "\(crop.2)", "phe_ml": "\(crop.3)", "source": source,
                    ], to: cached)
                }
            }
            samples.append(ClassificationSample(
                caseID: record.caseID, positive: record.label.lowercased() == positiveLabel, centre: record.centre,
                split: record.split, subtype: record.subtype, storedInput: crop.0, hasLesion: crop.1,
                ichVolumeML: crop.2, pheVolumeML: crop.3))
            reporter.advance(detail: record.caseID)
        }
        reporter.finish()
        return samples
    }

    /// The float16 input of a scan's largest lesion, whether it has one, and its ICH / PHE volumes.
    static func makeCrop(image: URL, labels: URL, cropSize: VolumeShape, normalization: CropNormalization,
                         orientation: String) throws -> (Tensor, Bool, Double, Double) {
        let stored = try NIfTIFile.read(image, as: Float.self)
        let storedLabels = try NIfTIFile.readLabels(labels)
        try storedLabels.validateLabels(on: stored.geometry, file: labels.path)
        let reorientation = try Reorientation(from: stored.geometry, to: orientation)
        let volume = reorientation.apply(stored), labelMap = reorientation.apply(storedLabels)
        let crops = try LesionCropper.crops(image: volume, labels: labelMap, configuration: LesionCropConfiguration(size: cropSize))
        guard let largest = crops.first(where: \.isLargest) ?? crops.first else {
            return (try Tensor.zeros([1, cropSize.z, cropSize.y, cropSize.x], dtype: .float16), false, 0, 0)
        }
        let input = try normalization.input(for: largest).to(.float16)
        return (input, true, largest.lesion.volumeML, largest.pheVolumeML)
    }

    /// Stacks samples' inputs into an (N, 1, z, y, x) float32 batch.
    public static func batch(_ samples: [ClassificationSample]) throws -> Tensor {
        try Tensor.stack(samples.map { try $0.input() }, dim: 0)
    }
}
