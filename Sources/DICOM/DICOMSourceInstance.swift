/// One image of the source series: its identity and where its plane is.
public struct DICOMSourceInstance: Sendable, Equatable, Codable {
    /// The file it was read from, named inside the input ("FOLDER/IM0002.dcm", "study.zip/IM0002.dcm"); for messages.
    public var file: String
    public var sopInstanceUID: String
    public var sopClassUID: String
    /// InstanceNumber, when present.
    public var instanceNumber: Int?
    /// ImagePositionPatient: the centre of the first transmitted pixel, LPS mm.
    public var positionLPS: [Double]
    /// ImageOrientationPatient: row then column direction cosines, LPS.
    public var orientation: [Double]
}
