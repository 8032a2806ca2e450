import Foundation
import Imaging

/// Reads the CT to predict on: a NIfTI file, or a DICOM folder or .zip (through dcm2niix).
public enum CTSource {
    /// The scan in HU and the input format ("nifti" or "dicom").
    ///
    /// - Throws: `PipelineError.unsupportedInput` for other names, `ImagingError` (naming the file) for
    ///   files that cannot be read, are not 3-D, are truncated or corrupt.
    public static func read(_ url: URL) throws -> (volume: Volume<Float>, format: String) {
        let name = url.lastPathComponent.lowercased()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ImagingError.fileNotFound(file: url.path)
        }
        if isFolder.boolValue || name.hasSuffix(".zip") {
            return (try DICOMImporter.importCT(from: url).volume, "dicom")
        }
        guard name.hasSuffix(".nii") || name.hasSuffix(".nii.gz") else { throw PipelineError.unsupportedInput(file: url.path) }
        return (try NIfTIFile.read(url, as: Float.self), "nifti")
    }

    /// The case id of a scan: its file name without `.nii.gz`, `.nii`, `.zip` and nnU-Net's `_0000`.
    public static func caseID(of url: URL) -> String {
        var name = url.lastPathComponent
        for suffix in [".nii.gz", ".nii", ".zip"] where name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        if name.hasSuffix("_0000") { name = String(name.dropLast(5)) }
        return name
    }
}
