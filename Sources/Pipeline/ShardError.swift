/// Why a shard cannot run or shards cannot be merged; names the folder and what to do.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--shard` text that is not `i/n` with `0 ≤ i < n`.
    case invalidSpecification(String, detail: String)
    /// An output folder already holds another shard's (or an unsharded run's) results.
    case folderHoldsOtherRun(folder: String, detail: String)
    /// A shard folder without a readable manifest.
    case invalidManifest(file: String, detail: String)
    /// The shards given to `merge` do not form one complete, non-overlapping partition.
    case cannotMerge(String)

    public var description: String {
        switch self {
        case .invalidSpecification(let text, let detail): "--shard \(text): \(detail)"
        case .folderHoldsOtherRun(let folder, let detail): "\(folder): \(detail)"
        case .invalidManifest(let file, let detail): "\(file): invalid shard manifest: \(detail)"
        case .cannotMerge(let detail): "cannot merge: \(detail)"
        }
    }
}
