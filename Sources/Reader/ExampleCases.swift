import Foundation

/// The example cases offered on the page: the scans (.nii, .nii.gz, .zip) directly inside a folder.
struct ExampleCases: Sendable {
    /// One example.
    struct Entry: Codable, Sendable, Equatable {
        var name: String
        var sizeBytes: Int
    }

    var folder: URL

    /// The examples, by name; empty when the folder does not exist.
    func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { name in
            let lower = name.lowercased()
            return !name.hasPrefix(".") && (lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") || lower.hasSuffix(".zip"))
        }.sorted().map { name in
            let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            return Entry(name: name, sizeBytes: size)
        }
    }

    /// The file of a listed example; names not in the list (including any path) are refused.
    func file(named name: String) throws(ReaderError) -> URL {
        guard list().contains(where: { $0.name == name }) else { throw ReaderError.notFound("example \(name)") }
        return folder.appendingPathComponent(name)
    }
}
