import Plots
import Stats

/// One case of a cohort study as `CohortStudy` consumes it: its label and covariates (from `cohort.csv`),
/// the classifier's probability, the lesion volumes and, per attribution method, the region importance and
/// faithfulness (from the case's `explanation.json`). Plain values only, so that `Stats` stays independent
/// of the modules that write those files.
public struct StudyCase: Sendable, Equatable {
    /// One attribution method's numbers for this case.
    public struct MethodScores: Sendable, Equatable {
        /// Method name, e.g. "GradCAMPlusPlus".
        public var method: String
        /// Mean normalised importance in the ICH (NaN when the crop has no ICH voxel).
        public var ich: Double
        /// In the PHE (NaN without PHE voxels).
        public var phe: Double
        /// In the background.
        public var background: Double
        /// AIX360 faithfulness; nil when not computed, NaN when undefined.
        public var faithfulness: Double?

        /// One method's scores.
        public init(method: String, ich: Double, phe: Double, background: Double, faithfulness: Double?) {
            self.method = method
            self.ich = ich
            self.phe = phe
            self.background = background
            self.faithfulness = faithfulness
        }
    }

    /// Case identifier.
    public var caseID: String
    /// True for a neoplastic bleed (the reference label).
    public var neoplastic: Bool
    /// Etiology subtype (metastasis, CAA, …); may be empty.
    public var subtype: String
    /// Centre; may be empty.
    public var centre: String
    /// Split ("train", "test", …); may be empty.
    public var split: String
    /// Further cohort.csv columns by name, values as written.
    public var covariates: [String: String]
    /// The classifier's P(neoplastic); nil when unknown.
    public var probability: Double?
    /// ICH volume; nil when unknown.
    public var ichVolumeML: Double?
    /// PHE volume; nil when unknown.
    public var pheVolumeML: Double?
    /// Per method, in display order; empty when the case was not explained.
    public var methods: [MethodScores]
    /// The faithfulness features: "crop" (every voxel) or "lesion"; nil when not computed.
    public var faithfulnessSet: String?
    /// "exact, N of N" or "estimate, n of N" (lesion voxels evaluated of those that need a forward); nil when unknown.
    public var faithfulnessLabel: String?

    /// A case; every field but the identifier and label is optional.
    public init(caseID: String, neoplastic: Bool, subtype: String = "", centre: String = "", split: String = "",
                covariates: [String: String] = [:], probability: Double? = nil, ichVolumeML: Double? = nil,
                pheVolumeML: Double? = nil, methods: [MethodScores] = [], faithfulnessSet: String? = nil,
                faithfulnessLabel: String? = nil) {
        self.caseID = caseID
        self.neoplastic = neoplastic
        self.subtype = subtype
        self.centre = centre
        self.split = split
        self.covariates = covariates
        self.probability = probability
        self.ichVolumeML = ichVolumeML
        self.pheVolumeML = pheVolumeML
        self.methods = methods
        self.faithfulnessSet = faithfulnessSet
        self.faithfulnessLabel = faithfulnessLabel
    }
}
