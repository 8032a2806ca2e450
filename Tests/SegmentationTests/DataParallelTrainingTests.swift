import Foundation
import Imaging
import NN
import Segmentation
import TestSupport
import Testing
import Torch
#if canImport(Glibc)
import Glibc
#endif

@Suite("Data-parallel training")
struct DataParallelTrainingTests {
    static let plans = SyntheticLesions.tinyPlans(patch: [8, 16, 16], features: [2, 4])

    static func cases() throws -> [PreprocessedCase] {
        try (0..<3).map { seed in
            let (image, labels) = try SyntheticLesions.makeCase(seed: UInt64(seed), shape: VolumeShape(z: 12, y: 24, x: 24))
            return try PreprocessedCase(id: "c\(seed)", image: image, labels: labels, plans: plans)
        }
    }

    /// Trains `iterations` steps of a global batch of 4 as rank `rank` of `worldSize` and returns the weights.
    static func train(rank: Int, worldSize: Int, port: Int, optimizer: TrainingConfiguration.OptimizerKind,
                      cases: [PreprocessedCase]) throws -> [(name: String, values: [Float])] {
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.iterationsPerEpoch = 3
        configuration.validationIterations = 1
        configuration.batchSize = 4
        configuration.augmentation = .none
        configuration.optimizer = optimizer
        configuration.learningRate = optimizer == .adam ? 1e-3 : 0.01
        let trainer = try SegmentationTrainer(plans: plans, configuration: configuration, training: cases, progressStyle: .silent)
        trainer.dataParallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: worldSize, masterPort: port),
                                                timeoutSeconds: 120)
        try trainer.train()
        return try trainer.network.stateDict().map { ($0.name, try $0.tensor.scalars(as: Float.self)) }
    }

    @Test("two processes with 2 samples each take the steps of one process with the combined batch of 4",
          arguments: [TrainingConfiguration.OptimizerKind.sgd, .adam])
    func twoRanksEqualOneWithTheCombinedBatch(optimizer: TrainingConfiguration.OptimizerKind) throws {
        let cases = try Self.cases()
        let initial = try PlainConvUNet(UNetArchitecture(Self.plans), generator: Generator(seed: TrainingConfiguration().seed))
            .stateDict().map { try $0.tensor.scalars(as: Float.self) }
        let singlePort = testPort(), pairPort = testPort()
        let single = try onRanks(1) { _ in try Self.train(rank: 0, worldSize: 1, port: singlePort, optimizer: optimizer, cases: cases) }[0].get()
        let pair = try onRanks(2) { rank in try Self.train(rank: rank, worldSize: 2, port: pairPort, optimizer: optimizer, cases: cases) }
            .map { try $0.get() }
        var largest = 0.0, moved = 0.0
        for (k, reference) in single.enumerated() {
            #expect(pair[0][k].name == reference.name)
            #expect(pair[0][k].values == pair[1][k].values, "\(reference.name): the ranks' replicas differ")
            // A convolution's bias in front of instance norm has gradient 0 (the norm subtracts the channel mean);
            // what backward returns for it is rounding noise, which Adam divides by its own size into full steps
            // of lr in either direction. SGD's steps (noise · lr) show the biases agree too.
            if optimizer == .adam && reference.name.hasSuffix(".conv.bias") && reference.name.contains(".convs.") { continue }
            let difference = zip(pair[0][k].values, reference.values).map { Double(abs($0 - $1)) }.max() ?? 0
            largest = max(largest, difference)
            for (a, b) in zip(reference.values, initial[k]) { moved = max(moved, Double(abs(a - b))) }
        }
        print("\(optimizer): largest weight difference 2 ranks vs 1 after 3 steps \(largest); largest step \(moved)")
        #expect(largest <= 1e-5)
        #expect(moved > 1e-3, "training moved no weight")
    }

    // MARK: - Processes

    /// A dataset folder with plans.json for `neoich train-seg`.
    static func writeDataset(to root: URL) throws {
        var dataset = try NNUNetDataset.create(at: root, description: .neoICH(numTraining: 3))
        for seed in 0..<3 {
            let (image, labels) = try SyntheticLesions.makeCase(seed: UInt64(seed), shape: VolumeShape(z: 12, y: 24, x: 24))
            try dataset.write(case: "case\(seed)", image: image, labels: labels)
        }
        try dataset.writeMetadata()
        try plans.write(to: root.appendingPathComponent("plans.json"))
    }

    static func start(_ executable: URL, _ arguments: [String], environment: [String: String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    static func wait(for process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return !process.isRunning
    }

    @Test("a killed rank ends the run with an error within the timeout; the run resumes from the last checkpoint")
    func killedRankStopsTheOthersAndTheRunResumes() throws {
        let neoich = ChildProcess.built("neoich")
        guard FileManager.default.isExecutableFile(atPath: neoich.path) else {
            Issue.record("\(neoich.path) is not built")
            return
        }
        let directory = try TemporaryDirectory("neoich-ddp")
        let dataset = directory.file("Dataset900_Tiny"), out = directory.file("run")
        try Self.writeDataset(to: dataset)
        let timeout = 15.0
        let arguments = ["train-seg", dataset.path, "-o", out.path, "--epochs", "30", "--iterations", "4", "--validation-iterations", "1",
                         "--validation-every", "0", "--checkpoint-every", "4", "--no-augmentation", "--batch-size", "2",
                         "--distributed-timeout", "\(Int(timeout))"]
        let port = testPort()
        let ranks = try (0..<2).map { rank in
            try Self.start(neoich, arguments, environment: ["RANK": "\(rank)", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                                                            "MASTER_PORT": "\(port)", "NEOICH_THREADS": "1"],
                           log: directory.file("rank\(rank).log"))
        }
        defer { for rank in ranks where rank.isRunning { rank.terminate() } }
        let checkpoint = out.appendingPathComponent("checkpoint_latest.safetensors")
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline && ranks.allSatisfy(\.isRunning) {
            usleep(50_000)
        }
        let early = (try? String(contentsOf: directory.file("rank0.log"), encoding: .utf8)) ?? ""
        try #require(FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint: \(early)")
        try #require(ranks[0].isRunning, "rank 0 finished before it could be interrupted; give it more epochs")
        kill(ranks[1].processIdentifier, SIGKILL)
        let killed = Date()
        #expect(Self.wait(for: ranks[0], seconds: timeout + 30), "rank 0 still runs after its peer was killed")
        let stopped = Date().timeIntervalSince(killed)
        let log = try String(contentsOf: directory.file("rank0.log"), encoding: .utf8)
        #expect(ranks[0].terminationStatus != 0)
        #expect(stopped < timeout + 10, "rank 0 stopped \(stopped) s after the kill (timeout \(timeout) s)")
        if !log.contains("rank 0 of 2 failed") { print(log) }
        #expect(log.contains("rank 0 of 2 failed"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint_final.safetensors").path))

        // Resume with `neoich launch`: both ranks continue from the checkpoint rank 0 wrote.
        let launch = try Self.start(neoich, ["launch", "--nproc", "2", "--master-port", "\(testPort())", "--"] + arguments + ["--resume"],
                                    environment: ["NEOICH_THREADS": "1"], log: directory.file("resume.log"))
        defer { if launch.isRunning { launch.terminate() } }
        #expect(Self.wait(for: launch, seconds: 600))
        let resumed = try String(contentsOf: directory.file("resume.log"), encoding: .utf8)
        if launch.terminationStatus != 0 { print(resumed) }
        #expect(launch.terminationStatus == 0)
        #expect(resumed.contains("resuming from iteration"), "\(resumed.suffix(800))")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint_final.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
    }
}
