/// An nnU-Net v2 `dataset.json` (raw dataset description), with NeoICH's channel and labels.
///
/// ```json
/// {"channel_names": {"0": "CT"}, "labels": {"background": 0, "ICH": 1, "PHE": 2},
///  "numTraining": 291, "file_ending": ".nii.gz", "name": "NeoICH"}
/// ```
public struct NNUNetDatasetDescription: Sendable, Codable, Equatable {
    /// Input channels by index; "CT" makes nnU-Net use its CT normalisation.
    public var channelNames: [String: String]
    /// Label names to values; background must be 0.
    public var labels: [String: Int]
    /// The number of training cases (images in imagesTr).
    public var numTraining: Int
    /// File ending of every image and label (".nii.gz").
    public var fileEnding: String
    /// Optional dataset name.
    public var name: String?
    /// Optional free text.
    public var description: String?

    enum CodingKeys: String, CodingKey {
        case channelNames = "channel_names"
        case labels
        case numTraining
        case fileEnding = "file_ending"
        case name
        case description
    }

    /// NeoICH's description: one CT channel, labels background 0 / ICH 1 / PHE 2, `.nii.gz`.
    public static func neoICH(numTraining: Int, name: String? = nil) -> NNUNetDatasetDescription {
        NNUNetDatasetDescription(channelNames: ["0": "CT"], labels: Self.neoICHLabels, numTraining: numTraining,
                                 fileEnding: ".nii.gz", name: name, description: nil)
    }

    /// `{"background": 0, "ICH": 1, "PHE": 2}`.
    public static let neoICHLabels = Dictionary(uniqueKeysWithValues: LesionLabel.allCases.map { ($0.name, Int($0.rawValue)) })

    public init(channelNames: [String: String], labels: [String: Int], numTraining: Int, fileEnding: String,
                name: String? = nil, description: String? = nil) {
        self.channelNames = channelNames
        self.labels = labels
        self.numTraining = numTraining
        self.fileEnding = fileEnding
        self.name = name
        self.description = description
    }
}
