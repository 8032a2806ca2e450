import CDCMTK

/// A coded concept (code value, coding scheme designator, code meaning).
public struct CodedConcept: Sendable, Equatable, Codable {
    public var value: String
    public var scheme: String
    public var meaning: String

    public init(_ value: String, _ scheme: String, _ meaning: String) {
        (self.value, self.scheme, self.meaning) = (value, scheme, meaning)
    }
}

/// One segment of NeoICH's segmentations: the label it comes from, its name, SNOMED CT category and type
/// (DICOM CID 7150 / 7151, as dcmqi's and highdicom's examples code them) and display colour.
public struct SegmentDefinition: Sendable, Equatable {
    /// The label map value of the segment.
    public var label: UInt8
    public var name: String
    public var category: CodedConcept
    public var type: CodedConcept
    /// Recommended display colour, RGB 0–255 (stored as CIELab).
    public var rgb: [UInt8]

    /// Label 1: intracerebral hemorrhage.
    public static let ich = SegmentDefinition(
        label: 1, name: "ICH", category: CodedConcept("49755003", "SCT", "Morphologically abnormal structure"),
        type: CodedConcept("50960005", "SCT", "Hemorrhage"), rgb: [220, 40, 40])
    /// Label 2: perihematomal edema.
    public static let phe = SegmentDefinition(
        label: 2, name: "PHE", category: CodedConcept("49755003", "SCT", "Morphologically abnormal structure"),
        type: CodedConcept("79654002", "SCT", "Edema"), rgb: [250, 200, 40])

    /// NeoICH's segments, in Segment Number order.
    public static let neoICH = [ich, phe]
}
