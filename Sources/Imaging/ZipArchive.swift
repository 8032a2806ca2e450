import Foundation

/// How much a .zip may hold and expand to.
public struct ArchiveLimits: Sendable, Equatable {
    /// Entries (files and folders): a thin-slice CT series is ≈ 600 files, a whole study a few thousand.
    public var maximumEntries: Int = 20_000
    /// Bytes after extraction, in all: 1 GiB (a 512×512×640 series is ≈ 340 MB).
    public var maximumExtractedBytes: Int = 1 << 30
    /// Extracted bytes per archive byte. DICOM deflates ≈ 2–5 : 1; a zip bomb deflates ≈ 1000 : 1.
    public var maximumExpansionRatio: Int = 50

    public init() {}

    /// The extraction budget for an archive of `archiveBytes`.
    public func budget(archiveBytes: Int) -> Int {
        let (scaled, overflow) = max(archiveBytes, 1 << 20).multipliedReportingOverflow(by: maximumExpansionRatio)
        return overflow ? maximumExtractedBytes : min(maximumExtractedBytes, scaled)
    }
}

/// Safe extraction of a .zip of DICOM files with Info-ZIP's `unzip` (Debian package `unzip`).
///
/// Before anything is extracted the archive is listed (`unzip -Z1`, `-Z`, `-Zt`) and checked: an absolute
/// path, a drive letter, a `..` component or a symbolic link rejects the whole archive (`unzip` alone would
/// only strip such parts with a warning), and so do more entries or more declared bytes than `ArchiveLimits`
/// allow. Declared sizes can lie, so extraction itself runs under a quota: each file is capped by
/// `RLIMIT_FSIZE` (util-linux `prlimit`) and the folder is watched while `unzip` runs, which is killed as
/// soon as the folder passes the budget. A refused or failed extraction leaves the folder empty.
public enum ZipArchive {
    /// Extracts `archive` into `folder` after checking every entry.
    ///
    /// - Throws: `ImagingError.unsafeArchiveEntry` naming the first bad entry, `.invalidArchive` when the
    ///   file is not a readable zip or passes the limits, `.externalToolMissing` without `unzip`.
    public static func extract(_ archive: URL, into folder: URL, limits: ArchiveLimits = ArchiveLimits()) throws {
        let unzip = try ExternalTool.locate("unzip")
        let file = archive.path
        let names = try unzip.run(["-Z1", file], file: file)
        guard names.status == 0 else {
            throw ImagingError.invalidArchive(file: file, detail: explain(status: names.status))
        }
        let entries = names.standardOutput.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard entries.count <= limits.maximumEntries else {
            throw ImagingError.invalidArchive(
                file: file, detail: "\(entries.count) entries; at most \(limits.maximumEntries) are accepted")
        }
        for entry in entries where !isSafe(entry) {
            throw ImagingError.unsafeArchiveEntry(file: file, entry: entry)
        }
        // Long listing: permission strings starting with "l" are symbolic links.
        let long = try unzip.run(["-Z", file], file: file)
        for line in long.standardOutput.split(separator: "\n") where line.hasPrefix("l") {
            throw ImagingError.unsafeArchiveEntry(file: file, entry: String(line.split(separator: " ").last ?? ""))
        }
        let archiveBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let budget = limits.budget(archiveBytes: archiveBytes)
        let totals = try unzip.run(["-Zt", file], file: file)
        if let declared = declaredBytes(totals.standardOutput), declared > budget {
            throw ImagingError.invalidArchive(
                file: file, detail: "it would expand to \(declared) bytes; at most \(budget) are extracted "
                    + "(\(limits.maximumExpansionRatio)× the archive, \(limits.maximumExtractedBytes) bytes in all)")
        }
        let capped = try ExternalTool.locate("prlimit")
        var exceeded = false
        let result = try capped.run(
            ["--fsize=\(budget + 1)", unzip.path, "-qq", "-o", file, "-d", folder.path], file: file,
            watch: {
                exceeded = exceeded || folderBytes(folder) > budget
                return !exceeded
            })
        exceeded = exceeded || folderBytes(folder) > budget
        if exceeded || result.signaled || (result.status != 0 && result.status != 1) {  // 1 = warnings only
            removeContents(of: folder)
            if exceeded || (result.signaled && result.status == SIGXFSZ) || (!result.signaled && result.status == 50) {
                throw ImagingError.invalidArchive(
                    file: file, detail: "it expands to more than \(budget) bytes (a zip bomb or lying sizes); extraction stopped")
            }
            throw ImagingError.invalidArchive(
                file: file, detail: result.signaled ? "unzip was ended by signal \(result.status)" : explain(status: result.status))
        }
    }

    /// Whether an entry name stays inside the extraction folder.
    static func isSafe(_ entry: String) -> Bool {
        if entry.hasPrefix("/") || entry.hasPrefix("\\") { return false }
        if entry.count >= 2, entry.dropFirst().first == ":" { return false }
        let components = entry.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return !components.contains("..")
    }

    /// The uncompressed total of `unzip -Zt` ("N files, U bytes uncompressed, C bytes compressed: …").
    static func declaredBytes(_ summary: String) -> Int? {
        let words = summary.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," })
        guard let index = words.firstIndex(of: "uncompressed"), index >= 2 else { return nil }
        return Int(words[index - 2])
    }

    /// Info-ZIP's exit codes in words (unzip(1), "DIAGNOSTICS").
    static func explain(status: Int32) -> String {
        switch status {
        case 2, 3: "the zip structure is damaged (a truncated or corrupt archive)"
        case 4, 5, 6, 7: "unzip ran out of memory"
        case 9: "not a zip archive, or a truncated one (no central directory)"
        case 11: "the archive holds no files"
        case 50: "the disk is full"
        case 51: "the archive ends unexpectedly (truncated)"
        case 81: "an entry uses an unsupported compression method or is encrypted"
        case 82: "the archive is encrypted; NeoICH reads unencrypted archives only"
        default: "unzip failed with status \(status)"
        }
    }

    /// Bytes of the regular files under `folder`.
    static func folderBytes(_ folder: URL) -> Int {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey]) else {
            return 0
        }
        var total = 0
        for case let url as URL in walker {
            total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }

    private static func removeContents(of folder: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
