import Foundation
import Output
import Imaging

/// `report.json`: everything `neoich predict` found on one CT. Versioned; a reader refuses other versions.
///
/// Volumes are mL, densities HU, coordinates world mm, slice indices 0-based along the scan's z axis as stored.
/// Lesions are measured in `input.classificationOrientation` (so that the numbers do not depend on the storage
/// order); an ABC/2 slice is an axial slice and is given on the scan's z axis when the scan is stored axially.
public struct PredictionReport: Sendable, Codable, Equatable {
    /// Version of this schema. Bump when a field changes meaning or disappears.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// The NeoICH release that wrote the report.
    public var neoichVersion: String
    /// The case identifier (input file name without extension, or the cohort's case id).
    public var caseID: String
    public var input: InputDescription
    /// All ICH and all PHE voxels together.
    public var total: TotalMeasurement
    /// Every ICH lesion (26-connected component), largest first.
    public var lesions: [LesionReport]
    /// The id of the largest lesion, whose classification is the case's; `nil` when no ICH was found.
    public var primaryLesionID: Int?
    /// The primary lesion's classification; `nil` when no ICH was found.
    public var classification: LesionClassification?
    public var models: ModelIdentifiers
    /// Seconds per stage, in order.
    public var timings: [StageTiming]
    /// Output files, relative to the report's folder.
    public var files: OutputFiles
    /// The models' provenance and intended use, in plain words.
    public var notice: String
    /// Why the result may not be trustworthy (`HeadCTPlausibility` findings, an unusable sform or qform), in
    /// plain words; empty when nothing was found. `nil` in reports written before the field existed.
    public var warnings: [String]?

    /// The scan as read.
    public struct InputDescription: Sendable, Codable, Equatable {
        /// The path given.
        public var file: String
        /// "nifti" or "dicom".
        public var format: String
        /// (z, y, x).
        public var shape: [Int]
        /// (z, y, x).
        public var spacingMM: [Double]
        /// Voxel (i, j, k) → world mm, 4×4 row major (the transform in force).
        public var affine: [[Double]]
        /// The voxel axes of the scan as stored, e.g. "RAS" (nibabel's `aff2axcodes`).
        public var orientation: String
        /// The orientation the segmentation network saw the scan in (its plans' training orientation).
        public var segmentationOrientation: String?
        /// The orientation the lesions were measured, cropped and classified in (the classifier's training
        /// orientation); the overlay images show axial slices of this grid.
        public var classificationOrientation: String?
        /// Smallest and largest HU.
        public var minimumHU: Double
        public var maximumHU: Double
        /// Size, modification time and SHA-256 of the input as read (absent for scans given in memory): a
        /// cohort rerun predicts again when they change.
        public var digest: FileDigest?
    }

    /// Whole-scan ICH and PHE.
    public struct TotalMeasurement: Sendable, Codable, Equatable {
        public var ich: RegionStatistics
        public var phe: RegionStatistics
        /// ABC/2 of all ICH voxels as one object.
        public var ichABCOver2: ABCOver2?
        /// Total PHE / total ICH; `nil` without ICH.
        public var pheToICHRatio: Double?
        /// PHE connected to no ICH, mL.
        public var unassignedPHEVolumeML: Double
    }

    /// The model folders used.
    public struct ModelIdentifiers: Sendable, Codable, Equatable {
        /// Segmentation: "datasetName (folder)".
        public var segmentation: String
        /// Classifier: the model card's name.
        public var classifier: String
        /// The classifier card's notice (training data, intended use).
        public var classifierNotice: String
        /// SHA-256 of the segmentation model folder's files (absent for models given in memory).
        public var segmentationSHA256: String?
        /// SHA-256 of the classifier folder's files.
        public var classifierSHA256: String?
    }

    /// File names written next to the report.
    public struct OutputFiles: Sendable, Codable, Equatable {
        /// Label map (0 background, 1 ICH, 2 PHE) on the input's grid (its geometry and storage order).
        public var labels: String
        /// Axial montage of the lesion slices with ICH (green) and PHE (red).
        public var overlayMontage: String
        /// The primary lesion's ABC/2 slice with overlays; `nil` without ICH.
        public var primarySlice: String?
        /// DICOM objects written next to the report (`predict --dicom`: Segmentation, measurement report,
        /// secondary capture); `nil` when none were.
        public var dicom: [String]?
    }

    /// A copy with timings and the input path removed, for comparing two runs on the same data.
    public var comparable: PredictionReport {
        var copy = self
        copy.timings = []
        copy.input.file = ""
        copy.input.digest = nil
        return copy
    }

    /// Reads a report, refusing other schema versions.
    ///
    /// - Throws: `PipelineError.invalidReport` naming the file.
    public static func read(_ url: URL) throws -> PredictionReport {
        do {
            let data = try Data(contentsOf: url)
            struct Versioned: Decodable { var schemaVersion: Int }
            let version = try JSONDecoder().decode(Versioned.self, from: data).schemaVersion
            guard version == currentSchemaVersion else {
                throw PipelineError.invalidReport(file: url.path, detail: "schema version \(version); this NeoICH reads \(currentSchemaVersion)")
            }
            return try JSONDecoder().decode(PredictionReport.self, from: data)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.invalidReport(file: url.path, detail: "\(error)")
        }
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        try JSONFile.data(self, nonFinite: .lowercaseStrings)
    }
}

/// One ICH lesion with its assigned PHE.
public struct LesionReport: Sendable, Codable, Equatable {
    /// The ICH component id (`ConnectedComponents` numbering).
    public var id: Int
    /// Whether this is the largest lesion.
    public var isPrimary: Bool
    public var ich: RegionStatistics
    public var phe: RegionStatistics
    public var abcOver2: ABCOver2?
    public var pheToICHRatio: Double?
    public var centroidWorldMM: WorldPointMM
    public var location: LesionLocation
    /// First and last slice of the scan (z indices as stored) holding the lesion's ICH.
    public var sliceRange: [Int]
    /// `nil` for lesions below the crop's minimum ICH volume.
    public var classification: LesionClassification?
}

/// The classifier's verdict on one lesion.
public struct LesionClassification: Sendable, Codable, Equatable {
    /// P(neoplastic), 0…1.
    public var probability: Double
    /// The model card's decision threshold.
    public var threshold: Double
    /// "neoplastic" when probability ≥ threshold, else "non-neoplastic".
    public var decision: String
    public var certainty: CertaintyStatement

    /// Whether the decision is neoplastic (probability ≥ threshold).
    public var isNeoplastic: Bool { probability >= threshold }

    public init(probability: Double, threshold: Double) {
        self.probability = probability
        self.threshold = threshold
        decision = probability >= threshold ? "neoplastic" : "non-neoplastic"
        certainty = CertaintyStatement(probability: probability, threshold: threshold)
    }
}
