/// Where a data-parallel rank finds the others, read from torchrun's environment variables (`RANK`,
/// `WORLD_SIZE`, `MASTER_ADDR`, `MASTER_PORT`), which `neoich launch`, Slurm scripts and Kubernetes set.
public struct DistributedEnvironment: Sendable, Equatable {
    public var rank: Int
    public var worldSize: Int
    public var masterAddress: String
    public var masterPort: Int

    public init(rank: Int, worldSize: Int, masterAddress: String = "127.0.0.1", masterPort: Int = 29500) {
        self.rank = rank
        self.worldSize = worldSize
        self.masterAddress = masterAddress
        self.masterPort = masterPort
    }

    /// The rank's place, `nil` when `WORLD_SIZE` is unset (a single process). `MASTER_ADDR` defaults to
    /// 127.0.0.1 and `MASTER_PORT` to 29500, as in torchrun.
    ///
    /// - Throws: `DistributedError.invalidEnvironment` naming the variable.
    public static func from(_ environment: [String: String]) throws -> DistributedEnvironment? {
        guard let worldText = environment["WORLD_SIZE"] else { return nil }
        guard let world = Int(worldText), world >= 1 else {
            throw DistributedError.invalidEnvironment("WORLD_SIZE=\(worldText): expected a positive integer")
        }
        let rankText = environment["RANK"] ?? ""
        guard let rank = Int(rankText), rank >= 0, rank < world else {
            throw DistributedError.invalidEnvironment("RANK=\(rankText): expected 0 … \(world - 1) with WORLD_SIZE=\(world)")
        }
        let portText = environment["MASTER_PORT"] ?? "29500"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw DistributedError.invalidEnvironment("MASTER_PORT=\(portText): expected a TCP port")
        }
        return DistributedEnvironment(rank: rank, worldSize: world, masterAddress: environment["MASTER_ADDR"] ?? "127.0.0.1",
                                      masterPort: port)
    }
}

/// Why data-parallel training cannot start or continue.
public enum DistributedError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidEnvironment(String)
    /// The global batch cannot be split evenly over the ranks.
    case batchNotDivisible(batch: Int, worldSize: Int)
    /// The ranks disagree about something they must share (resumed iteration, parameter count…).
    case ranksDisagree(String)

    public var description: String {
        switch self {
        case .invalidEnvironment(let detail): "distributed environment: \(detail)"
        case .batchNotDivisible(let batch, let world):
            "the batch size \(batch) is the global batch and must be a multiple of the \(world) processes"
        case .ranksDisagree(let detail): "the ranks disagree: \(detail)"
        }
    }
}
