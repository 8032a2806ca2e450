import Foundation
import NN

/// What `neoich watch` has done, kept in a JSON file between runs: the last change of Orthanc's log it
/// handled, and one job per study (or series) it saw, with its outcome. Written atomically after every step,
/// so a watcher that is killed resumes where it was: a finished job is never done again, an interrupted one
/// is cleaned up and redone.
public struct WatchState: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version = currentVersion
    /// The server the state belongs to (sequence numbers mean nothing on another one).
    public var server: String
    /// The sequence number of the last change handled; the next run asks for the changes after it.
    public var lastChange = 0
    /// Jobs by Orthanc identifier of their study or series.
    public var jobs: [String: WatchJob] = [:]

    public init(server: String) {
        self.server = server
    }

    /// Reads `file`, or starts afresh when it does not exist.
    ///
    /// - Throws: `PACSError.state` naming the file when it is unreadable, not a NeoICH watch state, written
    ///   by a newer NeoICH, or written for another server.
    public static func load(_ file: URL, server: String) throws -> WatchState {
        guard FileManager.default.fileExists(atPath: file.path) else { return WatchState(server: server) }
        let state: WatchState
        do {
            state = try JSONDecoder().decode(WatchState.self, from: try Data(contentsOf: file))
        } catch {
            throw PACSError.state(file: file.path, detail: "not a readable NeoICH watch state (\(error.localizedDescription)); "
                                  + "move it away to start afresh")
        }
        guard state.version <= currentVersion else {
            throw PACSError.state(file: file.path, detail: "written by a newer NeoICH (state version \(state.version), "
                                  + "this one reads \(currentVersion))")
        }
        guard state.server == server else {
            throw PACSError.state(file: file.path, detail: "belongs to \(state.server), not \(server); "
                                  + "use one state file per server")
        }
        return state
    }

    /// Writes the state to `file` atomically (a kill leaves the old or the new state, never half of one).
    ///
    /// - Throws: `PACSError.state` naming the file.
    public func save(_ file: URL) throws {
        do { try AtomicFile.write(try JSONFile.data(self), to: file) } catch {
            throw PACSError.state(file: file.path, detail: "cannot write the watch state (\(error.localizedDescription))")
        }
    }

    /// The Orthanc resource (study or series) a job key belongs to: the key itself, or for a later job of the
    /// same study (CT series that arrived after the study was handled) the part before the dot (`<id>.2`).
    /// Orthanc identifiers contain no dots.
    public static func resource(ofJob key: String) -> Substring {
        key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(key)
    }

    /// Forgets the oldest jobs that were skipped without a CT series beyond the newest `limit` of them, so the
    /// state of a watcher that sees many non-CT studies (or, with `--trigger series`, NeoICH's own result
    /// series) does not grow for ever. Nothing that guards against doing a study twice is forgotten: done,
    /// failed and unfinished jobs stay, and so do skipped jobs that looked at CT series (their series count as
    /// handled for the study's later jobs). A forgotten job whose study is reported stable again is looked at
    /// anew: its series are listed, and it is processed only if it has CT series by then, which no earlier job
    /// of it had.
    ///
    /// - Returns: the number of jobs forgotten.
    @discardableResult
    public mutating func compact(keepingSkipped limit: Int) -> Int {
        let forgettable = jobs.filter { $0.value.status == .skipped && $0.value.series.isEmpty }
            .sorted { ($0.value.change, $0.key) > ($1.value.change, $1.key) }
        guard forgettable.count > max(0, limit) else { return 0 }
        for (key, _) in forgettable.dropFirst(max(0, limit)) { jobs[key] = nil }
        return forgettable.count - max(0, limit)
    }

    /// The jobs that ended with an error, oldest change first.
    public var failedJobs: [(id: String, job: WatchJob)] {
        jobs.filter { $0.value.status == .failed }.sorted { $0.value.change < $1.value.change }.map { ($0.key, $0.value) }
    }
}

/// One study (or series) the watcher took on.
public struct WatchJob: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Downloading or predicting; found at start-up only when the watcher was killed meanwhile.
        case processing
        /// Sending the results; `uploads` lists what was (or may have been) sent.
        case uploading
        /// Orthanc or the network failed; tried again on the next run until `attempts` reaches the limit.
        case waitingToRetry = "waiting-to-retry"
        /// Results uploaded.
        case done
        /// Given up: the error says why. Not tried again.
        case failed
        /// Nothing to do: no CT series, or no series the DICOM import accepts (the reason says which).
        case skipped
    }

    /// "study" or "series".
    public var level: String
    public var status: Status
    /// The change that announced it.
    public var change: Int
    public var studyInstanceUID: String?
    /// The CT series handed to the pipeline (Orthanc identifiers).
    public var series: [String] = []
    /// Tries so far (a run killed in the middle counts as one).
    public var attempts = 0
    /// Why it failed, was skipped, or waits to be retried.
    public var message: String?
    /// The DICOM objects made for it, with where Orthanc stored them once known.
    public var uploads: [WatchUpload] = []
    /// The case folder with report.json and the objects.
    public var results: String?
    /// When the job last changed (ISO 8601, UTC).
    public var updated: String

    public var isFinished: Bool { [.done, .failed, .skipped].contains(status) }

    public init(level: String, status: Status, change: Int, updated: Date = Date()) {
        self.level = level
        self.status = status
        self.change = change
        self.updated = WatchJob.timestamp(updated)
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// A DICOM object made for a job: written before it is sent, so an interrupted upload can be found and removed.
public struct WatchUpload: Codable, Sendable, Equatable {
    public var file: String
    public var sopInstanceUID: String
    public var sopClassUID: String
    /// Orthanc's identifier, once it answered.
    public var orthancID: String?

    public init(file: String, sopInstanceUID: String, sopClassUID: String, orthancID: String? = nil) {
        self.file = file
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.orthancID = orthancID
    }
}
