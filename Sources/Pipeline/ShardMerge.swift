import Foundation
import NN

/// `neoich merge`: joins the output folders of the shards of one run into what one unsharded run writes.
///
/// The shards must be all `n` shards of one partition of one cohort, each once (their manifests say so); every
/// entry of a shard folder (a case folder, a `<case>.json`) is copied into the output, and an entry found in two
/// shards is refused as an overlap. `predictions.csv` is joined row by row in the cohort's order, so the
/// merged table is byte for byte the one a single run writes from the same reports. A folder of folders (a study
/// output with `predictions/` and `explanations/`) merges each sub-folder that every shard has as a shard.
public enum ShardMerge {
    /// What was merged.
    public struct Summary: Sendable, Equatable {
        /// Merged folders relative to the output (`""` for the output itself) → their step.
        public var folders: [String: String] = [:]
        public var cases = 0
        public var entries = 0
    }

    /// - Parameters:
    ///   - shards: the shards' output folders, in any order.
    ///   - output: the merged folder (created; entries of the same name are replaced).
    /// - Throws: `ShardError` for missing, duplicated, overlapping or inconsistent shards, naming them.
    public static func merge(_ shards: [URL], into output: URL) throws -> Summary {
        guard !shards.isEmpty else { throw ShardError.cannotMerge("no shard folders given") }
        let outputPath = output.standardizedFileURL.resolvingSymlinksInPath().path
        for shard in shards where shard.standardizedFileURL.resolvingSymlinksInPath().path == outputPath {
            throw ShardError.cannotMerge("the output \(output.path) is one of the shards; merge into another folder")
        }
        for shard in shards {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: shard.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ShardError.cannotMerge("\(shard.path): no such folder")
            }
        }
        var summary = Summary()
        let manifests = try shards.map { try ShardManifest.read(folder: $0) }
        if manifests.allSatisfy({ $0 != nil }) {
            try mergeFolder(shards, manifests: manifests.compactMap { $0 }, into: output, name: "", summary: &summary)
            return summary
        }
        if let index = manifests.firstIndex(where: { $0 != nil }) {
            let without = zip(shards, manifests).filter { $0.1 == nil }.map(\.0.path)
            throw ShardError.cannotMerge("\(shards[index].path) is a shard folder but \(without.joined(separator: ", ")) "
                                         + "has no \(ShardManifest.fileName)")
        }
        // A study folder: merge the sub-folders that are shards in every shard folder.
        let names = try subfolders(of: shards[0])
        for name in names {
            let folders = shards.map { $0.appendingPathComponent(name) }
            let found = try folders.map { try ShardManifest.read(folder: $0) }
            guard found.contains(where: { $0 != nil }) else { continue }
            guard found.allSatisfy({ $0 != nil }) else {
                let without = zip(folders, found).filter { $0.1 == nil }.map(\.0.path)
                throw ShardError.cannotMerge("\(name)/ is a shard folder in some shards but not in \(without.joined(separator: ", "))")
            }
            try mergeFolder(folders, manifests: found.compactMap { $0 }, into: output.appendingPathComponent(name), name: name,
                            summary: &summary)
        }
        guard !summary.folders.isEmpty else {
            throw ShardError.cannotMerge("none of \(shards.map(\.path).joined(separator: ", ")) holds \(ShardManifest.fileName) "
                                         + "(the output of a --shard run) or a sub-folder with one")
        }
        return summary
    }

    // MARK: - One folder

    private static func mergeFolder(_ folders: [URL], manifests: [ShardManifest], into output: URL, name: String,
                                    summary: inout Summary) throws {
        let label = name.isEmpty ? "" : "\(name)/: "
        let first = manifests[0]
        for (folder, manifest) in zip(folders, manifests).dropFirst() {
            if manifest.step != first.step {
                throw ShardError.cannotMerge("\(label)\(folders[0].path) holds a \(first.step) shard, \(folder.path) a \(manifest.step) shard")
            }
            if manifest.count != first.count {
                throw ShardError.cannotMerge("\(label)\(folders[0].path) is shard \(first.shard)/\(first.count), \(folder.path) is "
                                             + "shard \(manifest.shard)/\(manifest.count): shards of different splits overlap")
            }
            if manifest.cohortCases != first.cohortCases {
                let a = Set(first.cohortCases), b = Set(manifest.cohortCases)
                let onlyFirst = a.subtracting(b).sorted().prefix(5), onlyOther = b.subtracting(a).sorted().prefix(5)
                throw ShardError.cannotMerge("\(label)\(folders[0].path) (\(a.count) cases) and \(folder.path) (\(b.count) cases) ran on "
                                             + "different cohorts (only in the first: \(onlyFirst.joined(separator: ", ")); only in the "
                                             + "second: \(onlyOther.joined(separator: ", "))); run the stale shards again on the current cohort")
            }
        }
        var byIndex: [Int: URL] = [:]
        for (folder, manifest) in zip(folders, manifests) {
            if let other = byIndex[manifest.shard] {
                throw ShardError.cannotMerge("\(label)shard \(manifest.shard)/\(manifest.count) given twice (\(other.path) and "
                                             + "\(folder.path)): overlapping shards")
            }
            byIndex[manifest.shard] = folder
        }
        let missing = (0..<first.count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw ShardError.cannotMerge("\(label)shard(s) \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing; "
                                         + "give the output folders of all \(first.count) shards")
        }

        // Entries: every name once over all shards.
        var owner: [String: URL] = [:]
        for folder in folders {
            for entry in try entries(of: folder) {
                if let other = owner[entry] {
                    throw ShardError.cannotMerge("\(label)\(entry) is in both \(other.path) and \(folder.path): overlapping shards")
                }
                owner[entry] = folder
            }
        }
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.writeFailed(file: output.path, detail: "\(error)")
        }
        if let existing = try ShardManifest.read(folder: output) {
            throw ShardError.folderHoldsOtherRun(folder: output.path, detail: "holds shard \(existing.shard)/\(existing.count) itself; "
                                                 + "merge into a new folder")
        }
        let table = try mergedTable(folders, manifests: manifests, label: label)
        for (entry, folder) in owner.sorted(by: { $0.key < $1.key }) {
            try copyReplacing(folder.appendingPathComponent(entry), to: output.appendingPathComponent(entry))
        }
        if let table {
            let url = output.appendingPathComponent(CohortPrediction.tableFileName)
            do { try AtomicFile.write(Data(table.utf8), to: url) } catch {
                throw PipelineError.writeFailed(file: url.path, detail: "\(error)")
            }
        }
        summary.folders[name] = first.step
        summary.cases += first.cohortCases.count
        summary.entries += owner.count
    }

    /// The shards' `predictions.csv` joined in the cohort's order; `nil` when no shard has one.
    private static func mergedTable(_ folders: [URL], manifests: [ShardManifest], label: String) throws -> String? {
        let urls = folders.map { $0.appendingPathComponent(CohortPrediction.tableFileName) }
        let present = urls.map { FileManager.default.fileExists(atPath: $0.path) }
        guard present.contains(true) else { return nil }
        if let missing = zip(urls, present).first(where: { !$0.1 }) {
            throw ShardError.cannotMerge("\(label)\(missing.0.path) is missing (the shard has not finished); run that shard again")
        }
        var header: String?
        var rows: [(id: String, record: String)] = []
        for (url, manifest) in zip(urls, manifests) {
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw ShardError.cannotMerge("\(url.path): cannot read: \(error.localizedDescription)")
            }
            let records = csvRecords(text)
            guard let head = records.first else { throw ShardError.cannotMerge("\(url.path): empty table") }
            if let header, header != head {
                throw ShardError.cannotMerge("\(url.path): its header differs from the other shards' (another neoich version?)")
            }
            header = head
            let body = records.dropFirst()
            guard body.count == manifest.cases.count else {
                throw ShardError.cannotMerge("\(url.path): \(body.count) rows for the \(manifest.cases.count) cases of shard "
                                             + "\(manifest.shard)/\(manifest.count); run that shard again")
            }
            for (id, record) in zip(manifest.cases, body) {
                guard record.hasPrefix(PredictionTableRow.quoted(id) + ",") else {
                    throw ShardError.cannotMerge("\(url.path): expected the row of case \(id), found \(record.prefix(40))…")
                }
                rows.append((id, record))
            }
        }
        guard let header else { return nil }
        return ([header] + rows.sorted { $0.id < $1.id }.map(\.record)).joined(separator: "\n") + "\n"
    }

    /// Splits CSV text into records at line feeds outside quotes (RFC 4180), without the final line feed.
    static func csvRecords(_ text: String) -> [String] {
        var records: [String] = [], current = "", quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == "\n" && !quoted {
                records.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { records.append(current) }
        return records
    }

    /// The names a shard folder contributes: all but the manifest, the table and hidden files.
    private static func entries(of folder: URL) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw ShardError.cannotMerge("\(folder.path): cannot list: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") && $0 != ShardManifest.fileName && $0 != CohortPrediction.tableFileName }.sorted()
    }

    private static func subfolders(of folder: URL) throws -> [String] {
        try entries(of: folder).filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder) && isFolder.boolValue
        }
    }

    /// Copies under a temporary name, then swaps it in, so that an interrupted merge leaves either the old or
    /// the new entry under the final name.
    private static func copyReplacing(_ source: URL, to target: URL) throws {
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).merge-\(UUID().uuidString)")
        do {
            try FileManager.default.copyItem(at: source, to: temporary)
            if FileManager.default.fileExists(atPath: target.path) {
                _ = try FileManager.default.replaceItemAt(target, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: target)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw PipelineError.writeFailed(file: target.path, detail: "copying \(source.path): \(error.localizedDescription)")
        }
    }
}
