import Foundation

/// What identifies the contents of an input or model file (or folder) on disk: size, modification time and
/// SHA-256, so that a rerun can tell a replaced input or model from an unchanged one.
///
/// The digest comes from coreutils' `sha256sum` (Debian essential; SHA-NI accelerated, so a 30 MB scan
/// costs milliseconds). A folder's digest is the SHA-256 of its `sha256sum` listing (relative paths, sorted),
/// so that renaming, adding or changing any file changes it.
public struct FileDigest: Sendable, Codable, Equatable {
    /// Bytes (all regular files for a folder).
    public var sizeBytes: Int
    /// Seconds since 1970 of the last modification (the newest file for a folder).
    public var modifiedAt: Double
    /// Lower-case hex SHA-256.
    public var sha256: String

    public init(sizeBytes: Int, modifiedAt: Double, sha256: String) {
        self.sizeBytes = sizeBytes
        self.modifiedAt = modifiedAt
        self.sha256 = sha256
    }

    /// Size and modification time only (no reading): equal stamps mean unchanged, as make and rsync assume.
    public static func stamp(of url: URL) throws -> (sizeBytes: Int, modifiedAt: Double) {
        stamp(of: try regularFiles(url))
    }

    private static func stamp(of files: [(url: URL, relative: String)]) -> (sizeBytes: Int, modifiedAt: Double) {
        var size = 0, modified = 0.0
        for file in files {
            let values = try? file.url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
            size += values?.fileSize ?? 0
            modified = max(modified, values?.contentModificationDate?.timeIntervalSince1970 ?? 0)
        }
        return (size, modified)
    }

    /// Size, time and SHA-256 of a file or folder.
    ///
    /// - Throws: `ImagingError.fileNotFound`, `.externalToolMissing`, `.externalToolFailed`.
    public static func of(_ url: URL) throws -> FileDigest {
        let files = try regularFiles(url)
        let (size, modified) = stamp(of: files)
        let tool = try ExternalTool.locate("sha256sum")
        var listing = ""
        // One run per 256 files keeps the argument list short.
        for start in stride(from: 0, to: files.count, by: 256) {
            let part = files[start..<min(files.count, start + 256)]
            let run = try tool.run(["--"] + part.map(\.url.path), file: url.path)
            guard run.status == 0 else {
                throw ImagingError.externalToolFailed(tool: "sha256sum", file: url.path, status: run.status,
                                                      message: run.standardError.split(separator: "\n").first.map(String.init) ?? "")
            }
            let hashes = run.standardOutput.split(separator: "\n").map { $0.prefix(64) }
            for (file, hash) in zip(part, hashes) { listing += "\(hash)  \(file.relative)\n" }
        }
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        if !isFolder.boolValue, let only = listing.split(separator: " ").first {
            return FileDigest(sizeBytes: size, modifiedAt: modified, sha256: String(only))
        }
        let scratch = try PrivateFolder.make(prefix: "neoich-digest-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let list = scratch.appendingPathComponent("listing")
        try Data(listing.utf8).write(to: list, options: .atomic)
        let run = try tool.run([list.path], file: url.path)
        return FileDigest(sizeBytes: size, modifiedAt: modified, sha256: String(run.standardOutput.prefix(64)))
    }

    /// The regular files of a file (itself) or a folder (recursively, sorted by relative path).
    private static func regularFiles(_ url: URL) throws -> [(url: URL, relative: String)] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ImagingError.fileNotFound(file: url.path)
        }
        guard isFolder.boolValue else { return [(url, url.lastPathComponent)] }
        let root = url.standardizedFileURL.path
        var files: [(url: URL, relative: String)] = []
        let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = walker?.nextObject() as? URL {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = file.standardizedFileURL.path
            files.append((file, path.hasPrefix(root) ? String(path.dropFirst(root.count + 1)) : file.lastPathComponent))
        }
        return files.sorted { $0.relative < $1.relative }
    }
}
