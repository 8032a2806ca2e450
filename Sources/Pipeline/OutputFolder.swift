import Foundation

/// Output folders are checked before any computation, so that a minutes-long prediction never ends in
/// "cannot write".
public enum OutputFolder {
    /// Creates `folder` if needed and proves it writable by creating and removing a file in it.
    ///
    /// - Throws: `PipelineError.writeFailed` naming the folder.
    public static func prepare(_ folder: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw PipelineError.writeFailed(file: folder.path, detail: "a file of that name exists; the output must be a folder")
        }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw PipelineError.writeFailed(file: folder.path, detail: "cannot create the folder: \(error.localizedDescription)")
        }
        let probe = folder.appendingPathComponent(".neoich-write-test-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw PipelineError.writeFailed(file: folder.path, detail: "the folder is not writable")
        }
        try? FileManager.default.removeItem(at: probe)
    }
}
