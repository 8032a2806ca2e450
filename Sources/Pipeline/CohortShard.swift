import Foundation

/// One part of a cohort split for independent jobs (a Slurm array task, a Kubernetes Indexed Job pod).
///
/// A case belongs to shard `fnv1a64(UTF-8 of its id) mod count`: the partition depends on the id alone, so a
/// case keeps its shard when cases are added or removed, every job computes the same partition without talking
/// to the others, and a resumed shard finds its own finished cases. Indices are 0-based, as
/// `SLURM_ARRAY_TASK_ID` (with `--array=0-N`) and `JOB_COMPLETION_INDEX` count.
public struct CohortShard: Sendable, Equatable, Codable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The partition rule, recorded in shard manifests so that shards made by another rule are refused.
    public static let partitionRule = "fnv1a64(case id) mod count"

    /// - Throws: `ShardError.invalidSpecification` unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw ShardError.invalidSpecification("\(index)/\(count)", detail: "expected i/n with 0 ≤ i < n, e.g. 0/4 … 3/4")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`.
    ///
    /// - Throws: `ShardError.invalidSpecification` naming the text.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let count = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw ShardError.invalidSpecification(text, detail: "expected i/n with 0 ≤ i < n, e.g. 0/4 … 3/4")
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the case belongs to this shard.
    public func contains(_ caseID: String) -> Bool {
        Self.shardIndex(of: caseID, count: count) == index
    }

    /// The shard of a case among `count`.
    public static func shardIndex(of caseID: String, count: Int) -> Int {
        Int(fnv1a64(caseID) % UInt64(count))
    }

    /// FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211) over the UTF-8 bytes: fixed by
    /// its specification, unlike Swift's per-process seeded `Hasher`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
