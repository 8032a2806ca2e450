import Foundation

/// The one way NeoICH writes JSON files: pretty-printed, keys sorted (stable diffs), non-finite numbers by an
/// explicit policy, and atomically (`AtomicFile`), so a reader never sees half a card, plan or report.
public enum JSONFile {
    /// What a NaN or an infinity becomes.
    public enum NonFinitePolicy: Sendable {
        /// Refused: the write fails naming the file (the default; Codable types spell "undefined" as `nil`).
        case refuse
        /// Written as the strings Python's `json` reads back as numbers ("NaN", "Infinity", "-Infinity").
        case pythonStrings
        /// Written as the strings "nan", "inf", "-inf".
        case lowercaseStrings
    }

    /// The encoded bytes of `value`.
    public static func data<T: Encodable>(_ value: T, nonFinite: NonFinitePolicy = .refuse, escapingSlashes: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = escapingSlashes ? [.prettyPrinted, .sortedKeys] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        switch nonFinite {
        case .refuse: break
        case .pythonStrings:
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        case .lowercaseStrings:
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        }
        return try encoder.encode(value)
    }

    /// Writes `value` to `url` atomically.
    ///
    /// - Throws: `JSONFileError` naming the file when the value does not encode or the file cannot be written.
    public static func write<T: Encodable>(_ value: T, to url: URL, nonFinite: NonFinitePolicy = .refuse) throws {
        let encoded: Data
        do { encoded = try data(value, nonFinite: nonFinite) } catch {
            throw JSONFileError(file: url.path, detail: "cannot encode: \(error)")
        }
        do { try AtomicFile.write(encoded, to: url) } catch {
            throw JSONFileError(file: url.path, detail: "cannot write: \(error)")
        }
    }

    /// Reads a file whose top-level `version` must equal `expectedVersion` before the rest is decoded.
    ///
    /// - Throws: `JSONFileError` naming the file: missing, not JSON, no version, another version, or a field that
    ///   does not decode.
    public static func readVersioned<T: Decodable>(_ type: T.Type, from url: URL, expectedVersion: Int) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw JSONFileError(file: url.path, detail: "no such file or not readable", kind: .missing)
        }
        let header: VersionOnly
        do { header = try JSONDecoder().decode(VersionOnly.self, from: data) } catch {
            throw JSONFileError(file: url.path, detail: "not JSON: \(error)", kind: .malformed)
        }
        guard let version = header.version else {
            throw JSONFileError(file: url.path, detail: "no \"version\" field", kind: .unversioned)
        }
        guard version == expectedVersion else {
            throw JSONFileError(file: url.path, detail: "version \(version), this NeoICH reads version \(expectedVersion)",
                                kind: .otherVersion(found: version))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw JSONFileError(file: url.path, detail: "\(error)", kind: .malformed)
        }
    }
}

/// The `version` field alone, read before the rest of a versioned file.
private struct VersionOnly: Decodable { var version: Int? }

/// A JSON file that cannot be written or read, naming it.
public struct JSONFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case missing, malformed, unversioned, otherVersion(found: Int), write
    }

    public var file: String
    public var detail: String
    public var kind: Kind

    public init(file: String, detail: String, kind: Kind = .write) {
        self.file = file
        self.detail = detail
        self.kind = kind
    }

    public var description: String { "\(file): \(detail)" }
}
