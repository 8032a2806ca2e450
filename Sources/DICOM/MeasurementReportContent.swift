/// What NeoICH's DICOM measurement report says: volumes and densities of the whole ICH and PHE and of each
/// lesion, the classification and the models that produced them.
public struct MeasurementReportContent: Sendable, Equatable {
    /// Volume (mL) and density (HU) of a region.
    public struct Region: Sendable, Equatable {
        public var volumeML: Double
        public var meanHU: Double?
        public var medianHU: Double?

        public init(volumeML: Double, meanHU: Double?, medianHU: Double?) {
            (self.volumeML, self.meanHU, self.medianHU) = (volumeML, meanHU, medianHU)
        }
    }

    /// The classifier's output for a lesion.
    public struct Classification: Sendable, Equatable {
        /// P(neoplastic), 0…1.
        public var probability: Double
        public var threshold: Double
        /// "neoplastic" or "non-neoplastic".
        public var decision: String
        /// The certainty wording shown to users.
        public var wording: String

        public init(probability: Double, threshold: Double, decision: String, wording: String) {
            (self.probability, self.threshold, self.decision, self.wording) = (probability, threshold, decision, wording)
        }
    }

    /// One ICH lesion with the edema assigned to it.
    public struct Lesion: Sendable, Equatable {
        public var id: Int
        public var ich: Region
        public var phe: Region
        /// ABC/2 estimate of the hematoma volume, mL.
        public var abcOver2ML: Double?
        public var pheToICHRatio: Double?
        public var classification: Classification?

        public init(id: Int, ich: Region, phe: Region, abcOver2ML: Double?, pheToICHRatio: Double?,
                    classification: Classification?) {
            (self.id, self.ich, self.phe, self.abcOver2ML, self.pheToICHRatio, self.classification) =
                (id, ich, phe, abcOver2ML, pheToICHRatio, classification)
        }
    }

    public var ich: Region
    public var phe: Region
    public var ichABCOver2ML: Double?
    public var pheToICHRatio: Double?
    public var lesions: [Lesion]
    /// The primary lesion's classification (the case's verdict), if any.
    public var classification: Classification?
    /// Model identifiers (name and version), one per model.
    public var models: [String]
    /// The research-use notice.
    public var notice: String

    public init(ich: Region, phe: Region, ichABCOver2ML: Double?, pheToICHRatio: Double?, lesions: [Lesion],
                classification: Classification?, models: [String], notice: String) {
        (self.ich, self.phe, self.ichABCOver2ML, self.pheToICHRatio, self.lesions) = (ich, phe, ichABCOver2ML, pheToICHRatio, lesions)
        (self.classification, self.models, self.notice) = (classification, models, notice)
    }
}
