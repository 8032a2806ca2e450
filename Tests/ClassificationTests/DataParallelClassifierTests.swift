import Foundation
@testable import Classification
import NN
import Testing
import TestSupport
import Torch

@Suite("Data-parallel classifier training")
struct DataParallelClassifierTests {
    static func configuration() -> ClassifierTrainingConfiguration {
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 2
        configuration.batchSize = 4
        configuration.learningRate = 1e-3
        configuration.augmentation = .none
        // Batch norm on running statistics: the batch's mean then is that of its parts (no synchronised BN).
        configuration.updateBatchNormStatistics = false
        configuration.seed = 9
        return configuration
    }

    @Test("two processes with 2 crops each take the Adam steps of one process with the combined batch of 4")
    func twoRanksEqualOneWithTheCombinedBatch() throws {
        let training = try ToyCrops.samples(12, seed: 4)
        let directory = try TemporaryDirectory("neoich-ddp-cls")
        let single = try ClassifierModel(card: ToyCrops.card(), seed: 5)
        let reference = ClassifierTrainer(model: single, configuration: Self.configuration(), outputDirectory: directory.file("single"))
        reference.progressStyle = .silent
        try reference.train(training: training, validation: [])

        let port = testPort()
        let ranks = try onRanks(2) { rank -> [(String, [Double])] in
            // Rank 1 starts from other weights: rank 0's are broadcast to it.
            let model = try ClassifierModel(card: ToyCrops.card(), seed: rank == 0 ? 5 : 77)
            let trainer = ClassifierTrainer(model: model, configuration: Self.configuration(), outputDirectory: directory.file("pair"))
            trainer.progressStyle = .silent
            trainer.dataParallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 120)
            try trainer.train(training: training, validation: [])
            return try model.network.stateDict().map { ($0.name, try $0.tensor.scalars(as: Double.self)) }
        }.map { try $0.get() }
        var largest = 0.0
        for (k, (name, values)) in single.network.stateDict().enumerated() {
            let expected = try values.scalars(as: Double.self)
            #expect(ranks[0][k].0 == name && ranks[1][k].1 == ranks[0][k].1, "\(name): the replicas differ")
            for (a, b) in zip(ranks[0][k].1, expected) { largest = max(largest, abs(a - b)) }
        }
        print("classifier: largest weight difference 2 ranks vs 1 after 6 Adam steps \(largest)")
        #expect(largest <= 1e-5)
        // Rank 0 alone wrote the checkpoint and the model.
        #expect(FileManager.default.fileExists(atPath: directory.file("pair/checkpoint_latest.safetensors").path))
    }

    @Test func aBatchThatDoesNotSplitEvenlyIsRefused() throws {
        let training = try ToyCrops.samples(12, seed: 4)
        let directory = try TemporaryDirectory("neoich-ddp-cls-odd")
        let port = testPort()
        let odd = { () -> ClassifierTrainingConfiguration in
            var configuration = Self.configuration()
            configuration.batchSize = 3
            return configuration
        }()
        let results = onRanks(2) { rank in
            let trainer = ClassifierTrainer(model: try ClassifierModel(card: ToyCrops.card(), seed: 5), configuration: odd,
                                            outputDirectory: directory.url)
            trainer.progressStyle = .silent
            trainer.dataParallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30)
            try trainer.train(training: training, validation: [])
        }
        for result in results {
            #expect(throws: DistributedError.batchNotDivisible(batch: 3, worldSize: 2)) { try result.get() }
        }
    }
}
