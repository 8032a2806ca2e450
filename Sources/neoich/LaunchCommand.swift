import ArgumentParser
import Foundation
import NN
import Torch
#if canImport(Glibc)
import Glibc
#endif

/// The data-parallel options of `train-seg` and `train-cls`; the rank's place comes from torchrun's variables.
struct DistributedOptions: ParsableArguments {
    @Option(name: .customLong("distributed-timeout"),
            help: "Seconds a rank waits for the others (to meet, in a collective) before it stops with an error. Must exceed rank 0's validation and checkpoint time.")
    var distributedTimeout = 600.0
    @Flag(name: .customLong("sync-batch-norm"),
          help: "With several ranks: batch norm takes its training statistics from the whole global batch (torch.nn.SyncBatchNorm) instead of each rank's part, with buffers from rank 0 (PyTorch DDP's default).")
    var syncBatchNorm = false

    /// Joins the other ranks when `WORLD_SIZE` is set (by `neoich launch`, torchrun-style launchers, Slurm or
    /// Kubernetes scripts); `nil` for a single process.
    func join() throws -> DataParallel? {
        guard distributedTimeout > 0 else { throw ValidationError("--distributed-timeout must be positive") }
        guard let environment = try DistributedEnvironment.from(ProcessInfo.processInfo.environment) else { return nil }
        let parallel = try DataParallel(environment, timeoutSeconds: distributedTimeout)
        FileHandle.standardError.write(Data(("rank \(environment.rank) of \(environment.worldSize) joined "
                                             + "\(environment.masterAddress):\(environment.masterPort) (gloo)\n").utf8))
        return parallel
    }
}

/// `neoich launch --nproc N -- train-seg …`: N ranks of a data-parallel run on this machine.
struct Launch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a training command as N data-parallel processes on this machine (torchrun-style).",
        discussion: """
            Starts N copies of `neoich COMMAND …` with RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1 and \
            MASTER_PORT set, and NEOICH_THREADS = cores / N unless already set. When one rank fails, the others \
            are stopped and launch exits with that rank's status. On several machines, start one process per rank \
            with those variables yourself (docs/cluster.md).
            """)

    @Option(help: "Number of processes.") var nproc: Int
    @Option(name: .customLong("master-port"), help: "TCP port of rank 0's store.") var masterPort = 29500
    @Argument(parsing: .captureForPassthrough, help: "The neoich command and its options (after --).") var command: [String]

    func validate() throws {
        guard nproc >= 1 else { throw ValidationError("--nproc must be ≥ 1") }
        guard (1...65535).contains(masterPort) else { throw ValidationError("--master-port must be a TCP port") }
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard let first = arguments.first, ["train-seg", "train-cls"].contains(first) else {
            throw ValidationError("give the training command after --, e.g. neoich launch --nproc 2 -- train-seg DATASET -o OUT")
        }
    }

    func run() throws {
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var base = ProcessInfo.processInfo.environment
        if base["NEOICH_THREADS"] == nil { base["NEOICH_THREADS"] = "\(max(1, Runtime.availableCores / nproc))" }
        var children: [Process] = []
        for rank in 0..<nproc {
            let child = Process()
            child.executableURL = executable
            child.arguments = arguments
            var environment = base
            environment["RANK"] = "\(rank)"
            environment["LOCAL_RANK"] = "\(rank)"
            environment["WORLD_SIZE"] = "\(nproc)"
            environment["MASTER_ADDR"] = "127.0.0.1"
            environment["MASTER_PORT"] = "\(masterPort)"
            child.environment = environment
            do { try child.run() } catch {
                children.forEach { $0.terminate() }
                throw ValidationError("cannot start rank \(rank): \(error.localizedDescription)")
            }
            children.append(child)
        }
        // Like torchrun: the first rank that fails stops the others.
        var failed: (rank: Int, status: Int32)?
        while children.contains(where: \.isRunning) {
            if failed == nil, let rank = children.firstIndex(where: { !$0.isRunning && $0.terminationStatus != 0 }) {
                failed = (rank, children[rank].terminationStatus)
                for child in children where child.isRunning { child.terminate() }
            }
            usleep(100_000)
        }
        if failed == nil, let rank = children.firstIndex(where: { $0.terminationStatus != 0 }) {
            failed = (rank, children[rank].terminationStatus)
        }
        if let failed {
            FileHandle.standardError.write(Data("launch: rank \(failed.rank) of \(nproc) failed (status \(failed.status)); the other ranks were stopped\n".utf8))
            throw ExitCode(failed.status == 0 ? 1 : failed.status)
        }
    }
}
