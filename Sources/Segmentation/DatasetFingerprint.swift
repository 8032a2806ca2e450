import Foundation
import Imaging
import NN
import Output
import Stats

/// What nnU-Net's fingerprint extractor records about a dataset: per-case spacing and shape, and the
/// intensities of the labelled voxels (for CT normalisation). Written as `dataset_fingerprint.json`.
///
/// NeoICH does not crop to the non-zero region first (nnU-Net's `shapes_after_crop`): CT air is −1000 HU,
/// never 0, so that crop keeps the whole scan anyway.
public struct DatasetFingerprint: Codable, Sendable, Equatable {
    /// The fingerprint format this build writes and reads.
    public static let currentVersion = 1

    public var version: Int
    public var datasetName: String
    public var cases: [String]
    /// Spacing of each case, (z, y, x) mm.
    public var spacingsMM: [SpacingMM]
    /// Grid of each case, (z, y, x).
    public var shapes: [VolumeShape]
    /// Foreground (ICH ∪ PHE) intensity statistics pooled over the dataset.
    public var foregroundIntensity: ForegroundIntensityProperties
    /// Label names and values (`dataset.json` `labels`).
    public var labels: [String: Int]
    /// Voxel-axis orientation of each case, e.g. "LPS" (`nil` in fingerprints written before it was recorded).
    public var orientations: [String]?

    public init(datasetName: String, cases: [String], spacingsMM: [SpacingMM], shapes: [VolumeShape],
                foregroundIntensity: ForegroundIntensityProperties, labels: [String: Int], orientations: [String]? = nil) {
        version = Self.currentVersion
        self.datasetName = datasetName
        self.cases = cases
        self.spacingsMM = spacingsMM
        self.shapes = shapes
        self.foregroundIntensity = foregroundIntensity
        self.labels = labels
        self.orientations = orientations
    }

    /// The orientation most cases are stored in (ties: alphabetical), the one a model trained on them expects.
    public var mostCommonOrientation: String? {
        guard let orientations, !orientations.isEmpty else { return nil }
        let counts = Dictionary(orientations.map { ($0, 1) }, uniquingKeysWith: +)
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    /// nnU-Net v2 pools at most 10⁸ foreground voxels over the dataset.
    static let foregroundVoxelBudget = 100_000_000

    /// The fingerprint of in-memory cases.
    ///
    /// - Parameters:
    ///   - cases: case identifier, CT (HU) and label map on the CT's grid.
    ///   - datasetName: recorded in the plans.
    /// - Throws: `ImagingError.geometryMismatch` when a label map is not on its image's grid,
    ///   `SegmentationError.emptyDataset` when there is no case or no labelled voxel.
    public static func compute(cases: [(id: String, image: Volume<Float>, labels: LabelMap)], datasetName: String,
                               labels: [String: Int] = NNUNetDatasetDescription.neoICHLabels) throws -> DatasetFingerprint {
        var accumulator = Accumulator(caseCount: cases.count)
        for item in cases { try accumulator.add(id: item.id, image: item.image, labels: item.labels) }
        return try accumulator.fingerprint(datasetName: datasetName, labels: labels, file: datasetName)
    }

    /// Reads every training case of a dataset (one at a time) and computes its fingerprint.
    ///
    /// - Throws: Imaging errors naming the unreadable file; `SegmentationError.emptyDataset`.
    public static func extract(from dataset: NNUNetDataset, progress: ProgressReporter? = nil) throws -> DatasetFingerprint {
        var accumulator = Accumulator(caseCount: dataset.cases.count)
        for id in dataset.cases {
            let image: Volume<Float> = try NIfTIFile.read(dataset.imageURL(id))
            let labels = try NIfTIFile.readLabels(dataset.labelURL(id))
            if let problem = image.geometry.mismatch(with: labels.geometry) {
                throw ImagingError.geometryMismatch(file: dataset.labelURL(id).path, detail: problem)
            }
            try accumulator.add(id: id, image: image, labels: labels)
            progress?.advance(detail: id)
        }
        progress?.finish()
        return try accumulator.fingerprint(datasetName: dataset.root.lastPathComponent, labels: dataset.description.labels,
                                           file: dataset.root.path)
    }

    /// Per-axis median spacing (z, y, x).
    public var medianSpacingMM: [Double] {
        (0..<3).map { axis in median(spacingsMM.map { $0.array[axis] }) }
    }

    /// Per-axis median shape (z, y, x); may be fractional (NumPy's median of an even count).
    public var medianShape: [Double] {
        (0..<3).map { axis in median(shapes.map { Double($0.array[axis]) }) }
    }

    /// Reads `dataset_fingerprint.json`, refusing other versions.
    public static func read(_ url: URL) throws -> DatasetFingerprint {
        try VersionedJSON.read(DatasetFingerprint.self, from: url, expectedVersion: currentVersion)
    }

    /// Writes pretty-printed JSON atomically.
    public func write(to url: URL) throws {
        try VersionedJSON.write(self, to: url)
    }

    /// Collects shapes, spacings and foreground samples case by case.
    struct Accumulator {
        var ids: [String] = []
        var spacings: [SpacingMM] = []
        var shapes: [VolumeShape] = []
        var orientations: [String] = []
        var foreground: [Float] = []
        let samplesPerCase: Int

        init(caseCount: Int) {
            samplesPerCase = DatasetFingerprint.foregroundVoxelBudget / Swift.max(caseCount, 1)
        }

        mutating func add(id: String, image: Volume<Float>, labels: LabelMap) throws {
            guard image.spacingMM.isValid else {
                throw ImagingError.invalidSpacing(file: id, axis: "z/y/x", value: image.spacingMM.array.first { !($0 > 0) } ?? .nan)
            }
            if let problem = image.geometry.mismatch(with: labels.geometry) {
                throw ImagingError.geometryMismatch(file: id, detail: problem)
            }
            ids.append(id)
            spacings.append(image.spacingMM)
            shapes.append(image.shape)
            orientations.append(image.geometry.orientationCode)
            var values: [Float] = []
            image.withUnsafeVoxels { hu in
                labels.withUnsafeVoxels { label in
                    for i in 0..<hu.count where label[i] != 0 { values.append(hu[i]) }
                }
            }
            // Deterministic thinning instead of nnU-Net's seeded sampling with replacement.
            if values.count > samplesPerCase {
                let step = Double(values.count) / Double(samplesPerCase)
                values = (0..<samplesPerCase).map { values[Int(Double($0) * step)] }
            }
            foreground += values
        }

        func fingerprint(datasetName: String, labels: [String: Int], file: String) throws -> DatasetFingerprint {
            guard !ids.isEmpty else { throw SegmentationError.emptyDataset(file: file, detail: "no training case") }
            guard let properties = ForegroundIntensityProperties(values: foreground) else {
                throw SegmentationError.emptyDataset(file: file, detail: "no labelled (ICH or PHE) voxel in any case")
            }
            return DatasetFingerprint(datasetName: datasetName, cases: ids, spacingsMM: spacings, shapes: shapes,
                                      foregroundIntensity: properties, labels: labels, orientations: orientations)
        }
    }
}

/// NumPy's median (`Stats.Descriptive.median`); NaN for no values.
func median(_ values: [Double]) -> Double {
    (try? Descriptive.median(values)) ?? .nan
}

/// Segmentation's versioned files (plans, fingerprints, evaluations, cards) through `JSONFile`, with the
/// failures as `SegmentationError` / `ImagingError`.
enum VersionedJSON {
    static func read<T: Decodable>(_ type: T.Type, from url: URL, expectedVersion: Int) throws -> T {
        do {
            return try JSONFile.readVersioned(type, from: url, expectedVersion: expectedVersion)
        } catch let error as JSONFileError {
            switch error.kind {
            case .missing: throw ImagingError.fileNotFound(file: url.path)
            case .otherVersion(let found):
                throw SegmentationError.unsupportedPlansVersion(file: url.path, found: found, expected: expectedVersion)
            case .unversioned:
                throw SegmentationError.invalidPlans(file: url.path, detail: "no \"version\" field (an nnU-Net plans.json is not read directly)")
            case .malformed, .write:
                throw SegmentationError.invalidPlans(file: url.path, detail: error.detail)
            }
        }
    }

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        do { try JSONFile.write(value, to: url) } catch let error as JSONFileError {
            throw ImagingError.writeFailed(file: url.path, detail: error.detail)
        }
    }
}
