import Foundation
import Imaging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reader's private folder for uploads and results: created by `mkdtemp` (mode 0700, an unpredictable
/// name `neoich-reader-XXXXXX`), with the owning process id in `owner.pid` so that a later reader can tell a
/// crashed reader's folder from a running one's and remove it.
enum WorkFolder {
    static let prefix = "neoich-reader-"
    static let ownerFileName = "owner.pid"

    /// Creates a fresh private folder under `parent` and records this process as its owner.
    ///
    /// - Throws: `ReaderError` 500 when the folder cannot be created.
    static func create(in parent: URL = FileManager.default.temporaryDirectory) throws(ReaderError) -> URL {
        let folder: URL
        do { folder = try PrivateFolder.make(prefix: prefix, in: parent) } catch {
            throw ReaderError(.internalServerError, "cannot create a private work folder: \(error)")
        }
        let owner = folder.appendingPathComponent(ownerFileName)
        guard FileManager.default.createFile(atPath: owner.path, contents: Data("\(getpid())\n".utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            try? FileManager.default.removeItem(at: folder)
            throw ReaderError(.internalServerError, "cannot write \(owner.path)")
        }
        return folder
    }

    /// Removes this user's `neoich-reader-*` folders under `parent` whose owning process is gone: the pid in
    /// `owner.pid`, or for folders of older readers (no owner file) the pid their name ends with. Folders of
    /// running processes, of other users, and without a recognisable owner are left alone.
    ///
    /// - Returns: the folders removed.
    @discardableResult
    static func sweepStale(in parent: URL = FileManager.default.temporaryDirectory) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var removed: [URL] = []
        for name in names where name.hasPrefix(prefix) {
            let folder = parent.appendingPathComponent(name, isDirectory: true)
            var info = stat()
            guard lstat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else { continue }
            let recorded = (try? String(contentsOf: folder.appendingPathComponent(ownerFileName), encoding: .utf8))
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? String(name.dropFirst(prefix.count))
            guard let pid = pid_t(recorded), pid > 0, pid != getpid(), !isRunning(pid) else { continue }
            if (try? FileManager.default.removeItem(at: folder)) != nil { removed.append(folder) }
        }
        return removed
    }

    /// Whether a process with this id exists (`kill(pid, 0)`; EPERM: it exists but belongs to someone else).
    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
