import Dispatch
import Foundation

/// Runs model work one piece at a time on its own serial queue, off Swift's cooperative threads, so
/// the networks are never used from two threads at once and the server stays responsive while a CT runs.
final class ModelWorker: Sendable {
    private let queue = DispatchQueue(label: "neoich.reader.models", qos: .userInitiated)
    private let started = LockedCount()

    /// Runs `body` after every earlier piece of work has finished; a piece whose task is cancelled before its
    /// turn comes is skipped (CancellationError). A piece already running is not interrupted.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let cancelled = LockedCount()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    guard cancelled.value == 0 else { return continuation.resume(throwing: CancellationError()) }
                    self.started.increment()
                    continuation.resume(with: Result { try body() })
                }
            }
        } onCancel: {
            cancelled.increment()
        }
    }

    /// Pieces of work that have started (skipped ones not counted).
    var startedCount: Int { started.value }
}

/// A counter shared between threads.
final class LockedCount: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Runs blocking file work (reading an upload) on a global queue.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try body() }) }
    }
}
