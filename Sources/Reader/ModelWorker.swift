import Dispatch

/// Runs model work one piece at a time on its own serial queue, off Swift's cooperative threads, so
/// the networks are never used from two threads at once and the server stays responsive while a CT runs.
final class ModelWorker: Sendable {
    private let queue = DispatchQueue(label: "neoich.reader.models", qos: .userInitiated)

    /// Runs `body` after every earlier piece of work has finished.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Runs blocking file work (reading an upload) on a global queue.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try body() }) }
    }
}
