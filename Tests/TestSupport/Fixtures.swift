import Foundation

/// Reference fixtures: JSON files produced by the scripts in `scripts/fixtures/` and committed with them.
public enum Fixture {
    public enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self { case .missing(let name): "fixture \(name) is missing; regenerate it with `make fixtures`" }
        }
    }

    /// The URL of a fixture bundled with a test target (`resources: [.copy("Fixtures")]`).
    public static func url(_ name: String, in bundle: Bundle) throws -> URL {
        let base = bundle.resourceURL ?? bundle.bundleURL
        for candidate in [base.appendingPathComponent("Fixtures/\(name)"), base.appendingPathComponent(name)] {
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw LoadError.missing(name)
    }

    /// Decodes a JSON fixture bundled with a test target.
    public static func json<T: Decodable>(_ type: T.Type, _ name: String, in bundle: Bundle) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name, in: bundle)))
    }
}

/// A scratch directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public init(_ prefix: String = "neoich-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(at: url) }
}
