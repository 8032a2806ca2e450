import Foundation
import Imaging
import NN
import Output
import Stats

// MARK: - The trained part: which stages, their inputs, their training

extension FineTuning {
    /// The frozen activation the trained part starts from: nil for the last layer alone (its input is the pooled
    /// last-stage activation, `ClassifierEvaluator.lastLayerInputs`), else the boundary before the first trained
    /// stage ("layer3" for `stages` 1 in a four-stage network, …, "stem" for all stages).
    ///
    /// - Throws: `ClassificationError.invalidArgument` unless 0 ≤ `stages` ≤ the network's stage count.
    static func startBoundary(_ model: ClassifierModel, stages: Int) throws -> String? {
        let count = model.network.trainableStages.count
        guard (0...count).contains(stages) else {
            throw ClassificationError.invalidArgument("fine-tuning can train 0…\(count) residual stages with the last layer, not \(stages)")
        }
        return stages == 0 ? nil : model.network.boundaryNames[1 + count - stages]
    }

    /// Each sample's input to the trained part (rows in sample order), in batches without gradients, on the
    /// network's device.
    static func partInputs(_ model: ClassifierModel, _ samples: [ClassificationSample], stages: Int, batchSize: Int = 4) throws -> Tensor {
        guard let boundary = try startBoundary(model, stages: stages) else { return try ClassifierEvaluator.lastLayerInputs(model, samples) }
        return try ClassifierEvaluator.batched(samples, batchSize: batchSize) {
            try model.network.forward($0.to(device: model.network.device), from: "input", through: boundary, mode: .inference)
        }
    }

    /// Logits from the trained part's inputs (inference-mode batch norm).
    static func partLogits(_ model: ClassifierModel, _ inputs: Tensor, stages: Int) throws -> Tensor {
        guard let boundary = try startBoundary(model, stages: stages) else { return try model.network.lastLayer.forward(inputs, mode: .inference) }
        return try model.network.forward(inputs, from: boundary, through: "logits", mode: .inference)
    }

    /// The trained part's parameters: the last `stages` residual stages and the last layer.
    static func partParameters(_ model: ClassifierModel, stages: Int) -> [Tensor] {
        model.network.trainableStages.suffix(stages).flatMap { $0.parameters } + model.network.lastLayer.parameters
    }

    /// The training recipe of fine-tuning: `configuration`'s epochs, learning rate, batch size and seed, no
    /// augmentation.
    static func trainingConfiguration(_ configuration: Configuration, cases: Int) -> ClassifierTrainingConfiguration {
        var training = ClassifierTrainingConfiguration()
        training.epochs = configuration.epochs
        training.batchSize = max(1, min(configuration.batchSize, cases))
        training.learningRate = configuration.learningRate
        training.augmentation = .none
        training.updateBatchNormStatistics = configuration.adaptBatchNorm
        training.seed = configuration.seed
        return training
    }

    /// Fine-tuning through the whole network (every step a forward pass of the frozen network): needed when the
    /// batch-norm statistics adapt.
    static func trainThroughNetwork(_ model: ClassifierModel, on tuning: [ClassificationSample], configuration: Configuration,
                                    progress: ProgressReporter.Style?) throws {
        _ = try startBoundary(model, stages: configuration.stages)
        try model.network.freeze()
        for part in model.network.trainableStages.suffix(configuration.stages) { try part.unfreeze() }
        try model.network.lastLayer.unfreeze()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = ClassifierTrainer(model: model, configuration: trainingConfiguration(configuration, cases: tuning.count),
                                        outputDirectory: directory)
        trainer.progressStyle = progress
        try trainer.train(training: tuning, validation: [])
        try model.network.unfreeze()
    }

    /// Trains the part (`configuration.stages`) on precomputed inputs (`inputs` row i belongs to `tuning[i]`,
    /// from `partInputs`), with the batches, Adam and loss of `ClassifierTrainer` (001_…: NLL on log-softmax).
    static func trainPart(_ model: ClassifierModel, inputs: Tensor, on tuning: [ClassificationSample],
                          configuration: Configuration) throws {
        guard inputs.shape.first == tuning.count else {
            throw ClassificationError.invalidArgument("inputs of \(inputs.shape.first ?? 0) cases for \(tuning.count) fine-tuning cases")
        }
        let positives = tuning.filter(\.positive).count
        guard positives > 0, positives < tuning.count else {
            throw ClassificationError.invalidArgument("fine-tuning cases must include both classes (\(positives) of \(tuning.count) neoplastic)")
        }
        let c = trainingConfiguration(configuration, cases: tuning.count)
        let optimizer = Adam(partParameters(model, stages: configuration.stages), learningRate: c.learningRate, weightDecay: c.weightDecay)
        let row = Dictionary(tuning.enumerated().map { ($1.caseID, Int64($0)) }, uniquingKeysWith: { first, _ in first })
        let positiveClass = Int64(model.card.positiveClass)
        for epoch in 0..<c.epochs {
            var rng = ClassifierTrainer.epochRandom(seed: c.seed, epoch: epoch)
            for batch in ClassifierTrainer.batches(tuning, size: c.batchSize, balanced: c.balancedSampling, using: &rng) {
                try optimizer.zeroGrad()
                let x = try inputs.indexSelect(0, Tensor(batch.map { row[$0.caseID]! }).to(device: inputs.device))
                let targets = try Tensor(batch.map { $0.positive ? positiveClass : 1 - positiveClass }).to(device: inputs.device)
                let loss = try partLogits(model, x, stages: configuration.stages).logSoftmax(dim: 1)
                    .nllLoss(target: targets, reduction: .sum).dividing(Double(batch.count))
                try loss.backward()
                try optimizer.step()
            }
        }
    }

    /// P(positive) from the trained part's inputs, in batches without gradients.
    static func partScores(_ model: ClassifierModel, inputs: Tensor, stages: Int, batchSize: Int = 16) throws -> [Double] {
        var scores: [Double] = []
        let n = inputs.shape[0]
        for start in stride(from: 0, to: n, by: batchSize) {
            scores += try GradMode.withoutGrad {
                try partLogits(model, inputs.narrow(0, start: start, length: min(batchSize, n - start)), stages: stages)
                    .softmax(dim: 1).select(1, model.card.positiveClass).scalars(as: Double.self)
            }
        }
        return scores
    }
}
