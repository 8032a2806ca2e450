import Foundation

/// Runs an installed command-line program (dcm2niix, unzip) and captures its output.
struct ExternalTool: Sendable {
    /// Program name, for messages.
    var name: String
    /// Absolute path of the executable.
    var path: String

    /// The program found at `path`, or on `PATH` when `path` is `nil`.
    ///
    /// - Throws: `ImagingError.externalToolMissing`.
    static func locate(_ name: String, path: String? = nil) throws -> ExternalTool {
        let candidates = path.map { [$0] } ?? ((ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"])
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ImagingError.externalToolMissing(tool: name)
        }
        return ExternalTool(name: name, path: found)
    }

    /// The outcome of one run.
    struct Outcome: Sendable {
        /// The exit status, or the signal number when `signaled`.
        var status: Int32
        /// Whether a signal ended the program (its own fault, a resource limit, or `watch`).
        var signaled: Bool = false
        var standardOutput: String
        var standardError: String
    }

    /// Runs the program with `arguments` and waits for it.
    ///
    /// - Parameter watch: when given, called about every 20 ms while the program runs; returning `false`
    ///   kills it (SIGKILL), e.g. when its output passes a quota.
    /// - Throws: `ImagingError.externalToolFailed` when it cannot be started.
    func run(_ arguments: [String], file: String, watch: (() -> Bool)? = nil) throws -> Outcome {
        // Output goes to temporary files rather than pipes: no pipe can fill up and block the program.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-\(name)-\(UUID().uuidString)")
        let outputURL = scratch.appendingPathExtension("out"), errorURL = scratch.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        do {
            let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
            defer {
                try? output.close()
                try? error.close()
            }
            process.standardOutput = output
            process.standardError = error
            try process.run()
            if let watch {
                while process.isRunning {
                    if !watch() {
                        kill(process.processIdentifier, SIGKILL)
                        break
                    }
                    usleep(20_000)
                }
            }
            process.waitUntilExit()
        } catch {
            throw ImagingError.externalToolFailed(tool: name, file: file, status: -1, message: "\(error)")
        }
        return Outcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                       standardOutput: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
                       standardError: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
    }
}
