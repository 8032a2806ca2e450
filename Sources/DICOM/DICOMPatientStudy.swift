/// The patient and study module attributes of a series, as stored (DICOM value formats: names with "^",
/// dates YYYYMMDD, times HHMMSS.FFFFFF), carried into every object NeoICH derives from the series.
public struct DICOMPatientStudy: Sendable, Equatable, Codable {
    public var patientName = ""
    public var patientID = ""
    public var patientBirthDate = ""
    public var patientSex = ""
    public var studyInstanceUID = ""
    public var studyDate = ""
    public var studyTime = ""
    public var accessionNumber = ""
    public var referringPhysicianName = ""
    public var studyID = ""
    /// SpecificCharacterSet of the source ("" = the default repertoire).
    public var specificCharacterSet = ""

    public init() {}

    /// DICOM attribute names and the properties they fill.
    static var attributes: [(name: String, keyPath: WritableKeyPath<DICOMPatientStudy, String>)] { [
        ("PatientName", \.patientName), ("PatientID", \.patientID), ("PatientBirthDate", \.patientBirthDate),
        ("PatientSex", \.patientSex), ("StudyInstanceUID", \.studyInstanceUID), ("StudyDate", \.studyDate),
        ("StudyTime", \.studyTime), ("AccessionNumber", \.accessionNumber),
        ("ReferringPhysicianName", \.referringPhysicianName), ("StudyID", \.studyID),
        ("SpecificCharacterSet", \.specificCharacterSet),
    ] }

    /// The attributes of `dataset` (absent ones stay "").
    init(_ dataset: DICOMDataset) throws {
        for attribute in Self.attributes { self[keyPath: attribute.keyPath] = try dataset.string(attribute.name) ?? "" }
    }
}
