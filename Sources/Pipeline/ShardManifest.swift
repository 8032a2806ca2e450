import Foundation
import NN

/// `neoich-shard.json`: what a `--shard i/n` run writes next to its results, so that `neoich merge` can prove the
/// shards it is given form one complete partition of one cohort, without overlap.
public struct ShardManifest: Codable, Sendable, Equatable {
    public static let fileName = "neoich-shard.json"
    public static let currentFormat = 1

    public var format: Int
    /// The step that wrote the folder (`predict`, `explain`, …); shards of different steps never merge.
    public var step: String
    public var shard: Int
    public var count: Int
    /// `CohortShard.partitionRule` of the run.
    public var partition: String
    /// Every case id of the cohort, sorted: the shards of one merge must have seen the same cohort.
    public var cohortCases: [String]
    /// The ids of this shard, sorted.
    public var cases: [String]

    public init(step: String, shard: CohortShard, cohortCases: [String]) {
        let sorted = Array(Set(cohortCases)).sorted()
        format = Self.currentFormat
        self.step = step
        self.shard = shard.index
        count = shard.count
        partition = CohortShard.partitionRule
        self.cohortCases = sorted
        cases = sorted.filter(shard.contains)
    }

    /// The manifest of a folder, `nil` when it has none.
    ///
    /// - Throws: `ShardError.invalidManifest` for a file that cannot be read or decoded.
    public static func read(folder: URL) throws -> ShardManifest? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let manifest: ShardManifest
        do {
            manifest = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: url))
        } catch {
            throw ShardError.invalidManifest(file: url.path, detail: "\(error)")
        }
        guard manifest.format == currentFormat else {
            throw ShardError.invalidManifest(file: url.path, detail: "format \(manifest.format), this neoich reads \(currentFormat)")
        }
        guard let shard = try? CohortShard(index: manifest.shard, count: manifest.count) else {
            throw ShardError.invalidManifest(file: url.path, detail: "shard \(manifest.shard)/\(manifest.count) is not a shard")
        }
        guard manifest.partition == CohortShard.partitionRule else {
            throw ShardError.invalidManifest(file: url.path, detail: "partition \"\(manifest.partition)\", expected \"\(CohortShard.partitionRule)\"")
        }
        guard manifest.cases == manifest.cohortCases.filter(shard.contains) else {
            throw ShardError.invalidManifest(file: url.path, detail: "its cases are not shard \(shard) of its cohort")
        }
        return manifest
    }

    /// Writes the manifest atomically.
    public func write(folder: URL) throws {
        let url = folder.appendingPathComponent(Self.fileName)
        do { try JSONFile.write(self, to: url) } catch {
            throw PipelineError.writeFailed(file: url.path, detail: "\(error)")
        }
    }

    /// Marks `folder` as holding `shard` of a run of `step` (or an unsharded run, `shard == nil`) before any
    /// result is written: a folder holds one shard of one step, so a resumed shard continues its own results
    /// and never mixes in another's. The cohort may have grown since the last run; the manifest follows it.
    ///
    /// - Throws: `ShardError.folderHoldsOtherRun` when the folder holds another shard or step.
    public static func claim(folder: URL, step: String, shard: CohortShard?, cohortCases: [String]) throws {
        let existing = try read(folder: folder)
        guard let shard else {
            if let existing {
                throw ShardError.folderHoldsOtherRun(
                    folder: folder.path, detail: "holds shard \(existing.shard)/\(existing.count) of a sharded \(existing.step) run "
                        + "(\(fileName)); join the shards with `neoich merge`, or write this unsharded run to another folder")
            }
            return
        }
        if let existing, existing.step != step || existing.shard != shard.index || existing.count != shard.count {
            throw ShardError.folderHoldsOtherRun(
                folder: folder.path, detail: "holds shard \(existing.shard)/\(existing.count) of a \(existing.step) run, "
                    + "not shard \(shard) of \(step); give each shard its own output folder")
        }
        let manifest = ShardManifest(step: step, shard: shard, cohortCases: cohortCases)
        if manifest != existing { try manifest.write(folder: folder) }
    }
}
