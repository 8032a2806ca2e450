import Foundation
import PACS
import Testing
import TestSupport

/// The watcher's state file: round trip, a fresh start when it is missing, and clear refusals of a file
/// that is corrupt, from a newer NeoICH, or for another server.
struct WatchStateTests {
    static let server = "http://127.0.0.1:8042"

    @Test func savesAndReadsBack() throws {
        let directory = try TemporaryDirectory("neoich-watch-state")
        let file = directory.file("state.json")
        var state = try WatchState.load(file, server: Self.server)
        #expect(state == WatchState(server: Self.server))
        state.lastChange = 42
        var job = WatchJob(level: "study", status: .failed, change: 40)
        job.attempts = 3
        job.message = "gave up"
        job.uploads = [WatchUpload(file: "seg.dcm", sopInstanceUID: "1.2.3", sopClassUID: "1.2.840.10008.5.1.4.1.1.66.4", orthancID: nil)]
        state.jobs["abc"] = job
        try state.save(file)
        #expect(try WatchState.load(file, server: Self.server) == state)
        #expect(state.failedJobs.map(\.id) == ["abc"])
        // Nothing but the state itself is left in the folder (the temporary file was renamed over it).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["state.json"])
    }

    @Test func compactionForgetsOnlyTheOldestSkippedJobsWithoutCTSeries() throws {
        var state = WatchState(server: Self.server)
        func job(_ status: WatchJob.Status, _ change: Int, series: [String] = []) -> WatchJob {
            var job = WatchJob(level: "study", status: status, change: change)
            job.series = series
            return job
        }
        for n in 0..<6 { state.jobs["mr-\(n)"] = job(.skipped, 10 + n) }             // no CT series
        state.jobs["scout"] = job(.skipped, 1, series: ["localizer"])               // looked at a CT series: kept
        state.jobs["done"] = job(.done, 2, series: ["ct"])
        state.jobs["done.2"] = job(.done, 3, series: ["ct-later"])
        state.jobs["failed"] = job(.failed, 4)
        state.jobs["working"] = job(.processing, 5)
        let before = state
        #expect(state.compact(keepingSkipped: 10) == 0 && state == before)
        #expect(state.compact(keepingSkipped: 2) == 4)
        #expect(Set(state.jobs.keys) == ["mr-4", "mr-5", "scout", "done", "done.2", "failed", "working"])
        #expect(state.compact(keepingSkipped: 0) == 2)
        #expect(Set(state.jobs.keys) == ["scout", "done", "done.2", "failed", "working"])
        #expect(WatchState.resource(ofJob: "done.2") == "done" && WatchState.resource(ofJob: "done") == "done")
    }

    @Test func refusesAnotherServersState() throws {
        let directory = try TemporaryDirectory("neoich-watch-state")
        let file = directory.file("state.json")
        try WatchState(server: "http://pacs.example:8042").save(file)
        #expect {
            try WatchState.load(file, server: Self.server)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("belongs to http://pacs.example:8042")
        }
    }

    @Test func refusesACorruptOrNewerState() throws {
        let directory = try TemporaryDirectory("neoich-watch-state")
        let file = directory.file("state.json")
        try Data("{\"version\": 1, \"server\": ".utf8).write(to: file)
        #expect {
            try WatchState.load(file, server: Self.server)
        } throws: { error in
            "\(error)".hasPrefix(file.path) && "\(error)".contains("not a readable NeoICH watch state")
        }
        try Data("{\"version\": 99, \"server\": \"\(Self.server)\", \"lastChange\": 1, \"jobs\": {}}".utf8).write(to: file)
        #expect {
            try WatchState.load(file, server: Self.server)
        } throws: { error in
            "\(error)".contains("state version 99")
        }
    }
}

/// One watcher per state file: a second lock is refused while the first is held, and granted after.
@Test func aStateFileIsLockedByOneWatcher() throws {
    let directory = try TemporaryDirectory("neoich-watch-lock")
    let state = directory.file("state.json")
    var first: WatchStateLock? = try WatchStateLock(for: state)
    #expect {
        _ = try WatchStateLock(for: state)
    } throws: { "\($0)".contains("another `neoich watch` is using this state file") && "\($0)".hasPrefix(state.path) }
    #expect(first != nil)
    first = nil
    #expect(throws: Never.self) { _ = try WatchStateLock(for: state) }
}
