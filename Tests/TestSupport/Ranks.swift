import Foundation

private final class RankResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var results: [Result<T, any Error>?]
    init(_ count: Int) { results = Array(repeating: nil, count: count) }
}

/// Runs `body(rank)` on `worldSize` threads at once (each rank with its own process group, as separate
/// processes would) and returns each rank's result or error.
public func onRanks<T>(_ worldSize: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
    let box = RankResults<T>(worldSize), done = DispatchSemaphore(value: 0)
    for rank in 0..<worldSize {
        let thread = Thread {
            let result = Result { try body(rank) }
            box.lock.lock()
            box.results[rank] = result
            box.lock.unlock()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    for _ in 0..<worldSize { done.wait() }
    return box.results.map { $0 ?? .failure(CancellationError()) }
}

/// A TCP port for rank 0's store, different from run to run so that tests running at once do not meet.
public func testPort() -> Int { 20000 + Int.random(in: 0..<20000) }
