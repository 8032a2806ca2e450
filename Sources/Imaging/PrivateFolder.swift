import Foundation

/// A fresh folder only this user can read (mode 0700, from `mkdtemp`, unpredictable name) for scratch work on
/// patient data: uploads, extracted archives, converter output.
public enum PrivateFolder {
    /// Creates `<parent>/<prefix>XXXXXX`.
    ///
    /// - Parameters:
    ///   - prefix: the start of the name, e.g. `neoich-dicom-`.
    ///   - parent: defaults to the system temporary folder.
    /// - Throws: `ImagingError.writeFailed` naming the parent when it cannot be created.
    public static func make(prefix: String, in parent: URL = FileManager.default.temporaryDirectory) throws -> URL {
        var template = Array(parent.appendingPathComponent("\(prefix)XXXXXX").path.utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard created != nil else {
            throw ImagingError.writeFailed(file: parent.path, detail: "cannot create a private folder: \(String(cString: strerror(errno)))")
        }
        return URL(fileURLWithPath: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, isDirectory: true)
    }
}
