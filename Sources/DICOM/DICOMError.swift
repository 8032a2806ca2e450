/// What can go wrong reading a DICOM series' headers or writing DICOM objects.
///
/// Each case names the file (or the operation) and the problem; `description` is the message shown to users.
public enum DICOMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DCMTK refused an operation; its own message.
    case toolkit(operation: String, message: String)
    /// An instance of the series lacks an attribute NeoICH needs (e.g. ImagePositionPatient).
    case missingAttribute(file: String, attribute: String)
    /// An attribute's value cannot be used (wrong count, not a number, not unit vectors).
    case invalidAttribute(file: String, attribute: String, value: String)
    /// No file of the folder belongs to the converted series.
    case seriesNotFound(file: String, series: String)
    /// The instances of the series disagree (size, orientation, study, frame of reference) or repeat a position.
    case mixedSeries(file: String, detail: String)
    /// The slices are not stacked along the normal of their planes (gantry tilt, sheared or curved stacks).
    case gantryTilt(file: String, detail: String)
    /// The instances do not lie on the converted volume's slices, or a label map is not on the series' grid.
    case geometryMismatch(file: String, detail: String)
    /// A multi-frame (enhanced) image, whose slices' positions live in per-frame functional groups: results can
    /// only reference single-frame CT Image Storage series.
    case multiFrame(file: String, detail: String)

    public var description: String {
        switch self {
        case .toolkit(let operation, let message): "DCMTK \(operation): \(message)"
        case .missingAttribute(let file, let attribute): "\(file): DICOM attribute \(attribute) is missing"
        case .invalidAttribute(let file, let attribute, let value): "\(file): DICOM attribute \(attribute) has an unusable value \"\(value)\""
        case .seriesNotFound(let file, let series): "\(file): no DICOM file of series \(series) found"
        case .mixedSeries(let file, let detail): "\(file): not one consistent series: \(detail)"
        case .gantryTilt(let file, let detail): "\(file): slices are not stacked along their normal (gantry tilt?): \(detail)"
        case .geometryMismatch(let file, let detail): "\(file): \(detail)"
        case .multiFrame(let file, let detail):
            "\(file): \(detail); DICOM results need a single-frame CT series (one image per slice: export the series as "
                + "classic CT images, or run without --dicom to get NIfTI results)"
        }
    }
}
