import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a state file (`flock` on FILE.lock), held while a watcher runs: two watchers on one
/// state would handle the same changes twice and overwrite each other's progress.
public final class WatchStateLock {
    private let descriptor: Int32
    public let file: URL

    /// Takes the lock, or fails at once when another process holds it.
    ///
    /// - Throws: `PACSError.state` naming the state file.
    public init(for stateFile: URL) throws {
        file = stateFile.appendingPathExtension("lock")
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw PACSError.state(file: stateFile.path, detail: "cannot create the lock file \(file.path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw PACSError.state(file: stateFile.path, detail: "another `neoich watch` is using this state file (\(file.lastPathComponent) is locked)")
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
