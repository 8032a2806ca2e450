import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program as a child process and reports what it cost: exit status, wall time and its peak resident
/// memory (`wait4`'s `ru_maxrss` for that one process, not for the children of the test run as a whole).
/// Foundation's `Process` reaps its children itself, so the child is started with `posix_spawn` here.
///
/// On Linux the child's high-water mark starts from the spawning process's resident size (`posix_spawn`
/// runs the child in the parent's memory until `exec`, and the kernel keeps that mark), so the figure is
/// max(test process at spawn, child's own peak): an upper bound that catches any child that grows past the
/// test process. Compare children spawned from the same test, as `HostileInputCommandTests` does.
public struct ChildProcess {
    public struct Outcome: Sendable {
        /// The exit status, or 128 + signal when a signal ended it (a crash: 128 + SIGTRAP, SIGSEGV…).
        public var status: Int32
        public var seconds: Double
        /// Peak resident set size in MiB.
        public var peakResidentMiB: Double
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable` with `arguments` (and `environment` added to this process's), standard input from
    /// /dev/null.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let scratch = try TemporaryDirectory("neoich-child")
        let out = scratch.file("stdout"), err = scratch.file("stderr")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let signal = status & 0x7F
        let exit = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return Outcome(status: exit, seconds: seconds, peakResidentMiB: Double(usage.ru_maxrss) / 1024,
                       standardOutput: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       standardError: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// A program built next to the running test bundle (`.build/debug/NAME`).
    public static func built(_ name: String, file: String = #filePath) -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)")
    }
}
