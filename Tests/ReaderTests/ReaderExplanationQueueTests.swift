import Dispatch
import Explain
import Foundation
import Pipeline
@testable import Reader
import Testing
import TestSupport

/// The job queue's explanations: shared, bounded, cancelled with their case. The model worker is held by a
/// blocking piece of work so that requests pile up deterministically behind it.
@Suite struct ReaderExplanationQueueTests {
    /// A clock the test moves forward.
    final class TestClock: @unchecked Sendable {
        // @unchecked: guarded by `lock`.
        private let lock = NSLock()
        private var offset: Double = 0
        func advance(_ seconds: Double) { lock.withLock { offset += seconds } }
        var now: Date { lock.withLock { Date().addingTimeInterval(offset) } }
    }

    struct Setup {
        let fixture: ReaderFixture
        let queue: JobQueue
        let worker: ModelWorker
        let clock: TestClock
        let id: String
    }

    /// A queue with one finished case.
    static func setUp(maximumPendingExplanations: Int = 4) async throws -> Setup {
        let fixture = try ReaderFixture()
        let worker = ModelWorker(), clock = TestClock()
        let work = fixture.directory.file("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let queue = JobQueue(predictor: CasePredictor(models: fixture.models, segmentation: .init(mirroring: false)), worker: worker,
                             workFolder: work, capacity: 2, retentionSeconds: 60, faithfulnessVoxels: 64,
                             maximumPendingExplanations: maximumPendingExplanations, now: { clock.now })
        let (image, format, _) = try await UploadReceiver.read(fixture.ct, name: "case_a.nii.gz")
        let id = try await queue.submit(name: "case_a.nii.gz", image: image, format: format).id
        let deadline = Date().addingTimeInterval(120)
        while try await queue.status(id).state != .done {
            #expect(try await queue.status(id).state != .failed)
            guard Date() < deadline else { throw ReaderTestError.timeout(id) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Setup(fixture: fixture, queue: queue, worker: worker, clock: clock, id: id)
    }

    /// Holds the worker until the returned gate is signalled; returns once the blocking work has started.
    static func holdWorker(_ worker: ModelWorker) async throws -> (gate: DispatchSemaphore, task: Task<Void, any Error>) {
        let gate = DispatchSemaphore(value: 0), started = worker.startedCount
        let task = Task { try await worker.run { gate.wait() } }
        while worker.startedCount == started { try await Task.sleep(for: .milliseconds(5)) }
        return (gate, task)
    }

    static func waitFor(_ condition: @Sendable () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(120)
        while await !condition() {
            guard Date() < deadline else { throw ReaderTestError.timeout("condition") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func concurrentDuplicatesShareOneComputation() async throws {
        let setup = try await Self.setUp()
        let (queue, id) = (setup.queue, setup.id)
        let (gate, blocker) = try await Self.holdWorker(setup.worker)
        let before = setup.worker.startedCount
        let results = try await withThrowingTaskGroup(of: ViewerExplanation.self) { group in
            for _ in 0..<8 { group.addTask { try await queue.explain(id, method: .saliency, faithfulness: true) } }
            try await Self.waitFor { await queue.pendingExplanations == 1 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(await queue.pendingExplanations == 1)
            gate.signal()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await blocker.value
        #expect(results.count == 8)
        #expect(setup.worker.startedCount - before == 1)
        #expect(Set(results.map(\.seconds)).count == 1)
        // A duplicate of a finished request is served from its result.
        let again = try await queue.explain(id, method: .saliency, faithfulness: false)
        #expect(again.seconds == results[0].seconds)
        #expect(setup.worker.startedCount - before == 1)
        #expect(await queue.pendingExplanations == 0)
    }

    /// Faithfulness requests for two methods at once share the case's deletion pass.
    @Test func concurrentFaithfulnessRequestsShareTheDeletionPass() async throws {
        let setup = try await Self.setUp()
        let (queue, id) = (setup.queue, setup.id)
        let (gate, blocker) = try await Self.holdWorker(setup.worker)
        let first = Task { try await queue.explain(id, method: .saliency, faithfulness: true) }
        try await Self.waitFor { await queue.pendingExplanations == 1 }
        let second = Task { try await queue.explain(id, method: .gradCAM, faithfulness: true) }
        try await Self.waitFor { await queue.pendingExplanations == 2 }
        gate.signal()
        try await blocker.value
        let (a, b) = try await (first.value, second.value)
        #expect(a.deletionSeconds != nil)
        #expect(b.deletionSeconds == nil)
        #expect(a.faithfulness != nil && b.faithfulness != nil)
        // The reader scores every crop voxel, from 64 sampled lesion voxels when the lesion is larger.
        let expected = a.lesionVoxels > 64 ? "estimate, 64 of \(a.lesionVoxels)" : "exact, \(a.lesionVoxels) of \(a.lesionVoxels)"
        #expect(a.faithfulnessLabel == expected && b.faithfulnessLabel == expected)
    }

    @Test func outstandingExplanationsAreBounded() async throws {
        let setup = try await Self.setUp(maximumPendingExplanations: 2)
        let (queue, id) = (setup.queue, setup.id)
        let (gate, blocker) = try await Self.holdWorker(setup.worker)
        let first = Task { try await queue.explain(id, method: .saliency, faithfulness: false) }
        let second = Task { try await queue.explain(id, method: .gradCAM, faithfulness: false) }
        try await Self.waitFor { await queue.pendingExplanations == 2 }
        do {
            _ = try await queue.explain(id, method: .inputXGradient, faithfulness: false)
            Issue.record("a third computation was accepted")
        } catch let error as ReaderError {
            #expect(error.status == .serviceUnavailable)
            #expect(error.message.contains("computing 2 explanations; try again"))
            #expect(error.headers[.retryAfter] == "60")
        }
        // A duplicate joins the computation in flight instead of being refused.
        let duplicate = Task { try await queue.explain(id, method: .saliency, faithfulness: false) }
        gate.signal()
        try await blocker.value
        #expect(try await duplicate.value.seconds == first.value.seconds)
        _ = try await second.value
        #expect(try await queue.explain(id, method: .inputXGradient, faithfulness: false).method == .inputXGradient)
    }

    @Test func expiryCancelsTheCasesExplanations() async throws {
        let setup = try await Self.setUp()
        let (queue, id) = (setup.queue, setup.id)
        let (gate, blocker) = try await Self.holdWorker(setup.worker)
        let before = setup.worker.startedCount
        let waiting = Task { try await queue.explain(id, method: .gradCAM, faithfulness: true) }
        try await Self.waitFor { await queue.pendingExplanations == 1 }
        setup.clock.advance(120)
        await queue.sweep()
        #expect(await queue.pendingExplanations == 0)
        gate.signal()
        try await blocker.value
        do {
            _ = try await waiting.value
            Issue.record("the expired case's explanation was answered")
        } catch let error as ReaderError {
            #expect(error.status == .notFound)
        }
        // The computation never ran on the worker.
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.worker.startedCount == before)
        #expect(!FileManager.default.fileExists(atPath: setup.fixture.directory.file("work").appendingPathComponent(id).path))
    }
}
