import Foundation
import Testing
import TestSupport
@testable import NN

@Suite("Checkpoints")
struct CheckpointTests {
    struct Progress: Codable, Equatable { var epoch: Int; var iteration: Int; var bestDice: Double }

    @Test func interruptedTrainingResumesToTheSameWeights() throws {
        let dir = try TemporaryDirectory()
        let data = try Tensor.randn([4, 1, 4, 8, 8], generator: Generator(seed: 5))
        let labels = try Tensor([Int64(0), 1, 1, 0])
        func train(_ net: SmallNet, _ optimizer: Adam, steps: Int) throws {
            for _ in 0..<steps {
                try optimizer.zeroGrad()
                try net.forward(data, mode: .training).nllLoss(target: labels).backward()
                try optimizer.step()
            }
        }
        let straight = try SmallNet(generator: Generator(seed: 1))
        try train(straight, Adam(straight.parameters, learningRate: 1e-2), steps: 5)

        let interrupted = try SmallNet(generator: Generator(seed: 1))
        let optimizer = Adam(interrupted.parameters, learningRate: 1e-2)
        try train(interrupted, optimizer, steps: 3)
        let url = dir.file("latest.safetensors")
        try Checkpoint(module: interrupted, optimizer: optimizer, metadata: Progress(epoch: 0, iteration: 3, bestDice: 0.5)).write(to: url)

        let resumed = try SmallNet(generator: Generator(seed: 99))
        let resumedOptimizer = Adam(resumed.parameters, learningRate: 1e-2)
        let checkpoint = try Checkpoint<Progress>.read(url)
        #expect(checkpoint.metadata == Progress(epoch: 0, iteration: 3, bestDice: 0.5))
        try checkpoint.restore(into: resumed, optimizer: resumedOptimizer)
        try train(resumed, resumedOptimizer, steps: 2)
        for ((name, a), (_, b)) in zip(straight.stateDict(), resumed.stateDict()) {
            expectClose(try a.scalars(as: Double.self), try b.scalars(as: Double.self), absolute: 1e-6, relative: 1e-5, name)
        }
    }

    @Test func aTruncatedCheckpointIsRejectedAndTheOldOneSurvivesAFailedWrite() throws {
        let dir = try TemporaryDirectory()
        let net = try SmallNet(generator: Generator(seed: 1))
        let url = dir.file("latest.safetensors")
        try Checkpoint(module: net, optimizer: nil, metadata: Progress(epoch: 1, iteration: 10, bestDice: 0)).write(to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: dir.file("truncated.safetensors"))
        #expect(throws: SafeTensorsError.self) { try Checkpoint<Progress>.read(dir.file("truncated.safetensors")) }
        // A write into a directory that cannot be created fails without touching the existing file.
        #expect(throws: (any Error).self) {
            try AtomicFile.write(Data([1, 2, 3]), to: URL(fileURLWithPath: "/proc/neoich/x.safetensors"))
        }
        #expect(try Checkpoint<Progress>.read(url).metadata.iteration == 10)
    }
}
