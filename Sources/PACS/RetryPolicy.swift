import Foundation

/// How often and how patiently a request is repeated when the server is unreachable or overloaded:
/// exponential back-off, `initialDelaySeconds` × 2ⁿ, capped at `maximumDelaySeconds`.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included.
    public var attempts = 5
    public var initialDelaySeconds = 1.0
    public var maximumDelaySeconds = 60.0

    public init(attempts: Int = 5, initialDelaySeconds: Double = 1, maximumDelaySeconds: Double = 60) {
        self.attempts = max(1, attempts)
        self.initialDelaySeconds = max(0, initialDelaySeconds)
        self.maximumDelaySeconds = max(self.initialDelaySeconds, maximumDelaySeconds)
    }

    /// The pause after failed try `n` (1-based).
    public func delay(afterAttempt n: Int) -> Double {
        min(maximumDelaySeconds, initialDelaySeconds * pow(2, Double(max(0, n - 1))))
    }

    /// Runs `body` until it succeeds, throws an error that is not transient, or the tries are used up.
    ///
    /// - Parameter report: told of each failed try that will be repeated, with the pause before the next.
    /// - Throws: the last error (an exhausted `.unreachable` reports how many tries were made).
    func run<T>(_ body: () throws -> T, report: (PACSError, _ attempt: Int, _ delaySeconds: Double) -> Void) throws -> T {
        var attempt = 1
        while true {
            do { return try body() } catch let error as PACSError where error.isTransient {
                guard attempt < attempts else {
                    if case .unreachable(let url, let detail, _) = error {
                        throw PACSError.unreachable(url: url, detail: detail, attempts: attempt)
                    }
                    throw error
                }
                let pause = delay(afterAttempt: attempt)
                report(error, attempt, pause)
                Thread.sleep(forTimeInterval: pause)
                attempt += 1
            }
        }
    }
}
