import Foundation

/// Builders of networks by name, shared by every thread: the built-in ones plus those registered at run time.
public final class ArchitectureRegistry<Builder>: @unchecked Sendable {
    private let lock = NSLock()
    private var builders: [String: Builder]

    public init(_ builtIn: [String: Builder]) { builders = builtIn }

    /// Adds (or replaces) the builder of `name`.
    public func register(_ name: String, _ builder: Builder) {
        lock.withLock { builders[name] = builder }
    }

    public subscript(name: String) -> Builder? { lock.withLock { builders[name] } }

    /// The registered names, sorted.
    public var names: [String] { lock.withLock { builders.keys.sorted() } }
}
