import ArgumentParser
import Foundation
import Pipeline

/// `neoich merge -o OUT SHARD…`: the shards of a `--shard i/n` run joined into what one run writes.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the output folders of the shards of one cohort run (predict --cohort --shard, the study's steps).",
        discussion: """
            Every shard folder holds neoich-shard.json; all n shards of one split of one cohort must be given, each \
            once, or nothing is written. Case folders are copied into OUT and predictions.csv is joined in the \
            cohort's order, byte for byte what one unsharded run writes. Folders of folders (a study output with \
            predictions/ and explanations/) merge each sharded sub-folder.
            """)

    @Option(name: .shortAndLong, help: "Merged output folder.")
    var output: String

    @Argument(help: "The shards' output folders.")
    var shards: [String]

    func run() throws {
        let summary = try ShardMerge.merge(shards.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: output))
        for (folder, step) in summary.folders.sorted(by: { $0.key < $1.key }) {
            print("merged \(step) shards → \(URL(fileURLWithPath: output).appendingPathComponent(folder).path)")
        }
        print("\(shards.count) shard folders, \(summary.entries) entries")
    }
}

/// `neoich shard i/n`: the case ids of a shard, for scripts that run a step case by case.
struct Shard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the case ids (read one per line from standard input) that belong to shard i/n.",
        discussion: """
            The partition is the one of `predict --cohort --shard`: FNV-1a 64 of the id modulo n, so a case keeps its \
            shard when the cohort grows. With --manifest DIR, DIR is marked as that shard's output of --step \
            (neoich-shard.json) for `neoich merge`; a DIR holding another shard is refused.
            """)

    @Argument(help: "i/n, 0 ≤ i < n.")
    var shard: String

    @Option(help: "Output folder of the shard to mark with neoich-shard.json.")
    var manifest: String?

    @Option(help: "The step named in the manifest (e.g. explain).")
    var step = "explain"

    func run() throws {
        let part: CohortShard
        do { part = try CohortShard(parsing: shard) } catch { throw ValidationError("\(error)") }
        var ids: [String] = []
        while let line = readLine() {
            let id = line.trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
        }
        if let manifest {
            let folder = URL(fileURLWithPath: manifest)
            try OutputFolder.prepare(folder)
            try ShardManifest.claim(folder: folder, step: step, shard: part, cohortCases: ids)
        }
        for id in ids where part.contains(id) { print(id) }
    }
}
