import Foundation

/// Safe extraction of a .zip of DICOM files with Info-ZIP's `unzip` (Debian package `unzip`).
///
/// The entry names are listed first (`unzip -Z1`) and checked: an absolute path, a drive letter, a `..`
/// component or a symbolic link rejects the whole archive before anything is extracted (`unzip` alone
/// would only strip such parts with a warning).
enum ZipArchive {
    /// Extracts `archive` into `folder` after checking every entry.
    ///
    /// - Throws: `ImagingError.unsafeArchiveEntry` naming the first bad entry, `.invalidArchive` when the
    ///   file is not a readable zip, `.externalToolMissing` without `unzip`.
    static func extract(_ archive: URL, into folder: URL) throws {
        let unzip = try ExternalTool.locate("unzip")
        let file = archive.path
        let names = try unzip.run(["-Z1", file], file: file)
        guard names.status == 0 else {
            throw ImagingError.invalidArchive(file: file, detail: firstLine(names.standardError + names.standardOutput))
        }
        let entries = names.standardOutput.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        for entry in entries where !isSafe(entry) {
            throw ImagingError.unsafeArchiveEntry(file: file, entry: entry)
        }
        // Long listing: permission strings starting with "l" are symbolic links.
        let long = try unzip.run(["-Z", file], file: file)
        for line in long.standardOutput.split(separator: "\n") where line.hasPrefix("l") {
            throw ImagingError.unsafeArchiveEntry(file: file, entry: String(line.split(separator: " ").last ?? ""))
        }
        let result = try unzip.run(["-qq", "-o", file, "-d", folder.path], file: file)
        guard result.status == 0 || result.status == 1 else {  // 1 = warnings only
            throw ImagingError.invalidArchive(file: file, detail: firstLine(result.standardError + result.standardOutput))
        }
    }

    /// Whether an entry name stays inside the extraction folder.
    static func isSafe(_ entry: String) -> Bool {
        if entry.hasPrefix("/") || entry.hasPrefix("\\") { return false }
        if entry.count >= 2, entry.dropFirst().first == ":" { return false }
        let components = entry.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return !components.contains("..")
    }

    private static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? "unzip failed"
    }
}
