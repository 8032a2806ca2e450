import Foundation
import Imaging
import NN
import Output
import Stats
import TrainingAugmentation

/// Trains a `ClassifierModel` with the recipe of `ClassifierTrainingConfiguration`, keeping the latest and the
/// best (validation AUC) checkpoints in `outputDirectory` so that an interrupted run resumes where it stopped.
public final class ClassifierTrainer {
    public let model: ClassifierModel
    public let configuration: ClassifierTrainingConfiguration
    public let outputDirectory: URL
    public var progressStyle: ProgressReporter.Style?
    /// Data-parallel training over a process group: this process trains its part of every global batch
    /// (`batchSize` is the global batch), gradients are averaged over the ranks, batch-norm buffers follow
    /// rank 0's, and rank 0 alone validates and writes checkpoints. Set before `train`.
    public var dataParallel: DataParallel?
    /// Set when the network's batch norms are synchronised (`DataParallel.synchronizeBatchNorm`): their buffers
    /// then agree on every rank and are not broadcast from rank 0.
    public var synchronizedBatchNorm = false

    /// What a checkpoint stores besides tensors.
    public struct State: Codable, Sendable {
        public var epochsDone: Int
        public var iterations: Int
        public var bestAUC: Double?
        public var history: [EpochRecord]
        public var configuration: ClassifierTrainingConfiguration
    }

    public init(model: ClassifierModel, configuration: ClassifierTrainingConfiguration, outputDirectory: URL) {
        self.model = model
        self.configuration = configuration
        self.outputDirectory = outputDirectory
    }

    var latestURL: URL { outputDirectory.appendingPathComponent("checkpoint_latest.safetensors") }
    var bestDirectory: URL { outputDirectory.appendingPathComponent("best") }

    /// Runs (or, with `resume`, continues) training.
    ///
    /// - Returns: the per-epoch history.
    /// - Throws: `ClassificationError.invalidArgument` for an empty or single-class training set; I/O errors of
    ///   checkpoints; `TorchError` from the engine.
    @discardableResult
    public func train(training: [ClassificationSample], validation: [ClassificationSample], resume: Bool = false) throws -> [EpochRecord] {
        guard !training.isEmpty else { throw ClassificationError.invalidArgument("no training cases") }
        let positives = training.filter(\.positive).count
        guard positives > 0, positives < training.count else {
            throw ClassificationError.invalidArgument("training cases must include both classes (\(positives) of \(training.count) neoplastic)")
        }
        let c = configuration
        guard c.batchSize > 0, c.epochs > 0, (c.microBatchSize ?? 1) > 0 else {
            throw ClassificationError.invalidArgument("epochs, batch size and micro-batch size must be positive")
        }
        let optimizer = Adam(model.network.trainableParameters, learningRate: c.learningRate, weightDecay: c.weightDecay)
        var state = State(epochsDone: 0, iterations: 0, bestAUC: nil, history: [], configuration: c)
        if resume, FileManager.default.fileExists(atPath: latestURL.path) {
            let checkpoint = try Checkpoint<State>.read(latestURL)
            try checkpoint.restore(into: model.network, optimizer: optimizer)
            state = checkpoint.metadata
        }
        if let dataParallel {
            // Every rank continues from the same checkpoint (the output folder is shared) with rank 0's weights.
            try dataParallel.agree(on: [Int64(state.epochsDone), Int64(state.iterations)],
                                   what: "epoch and iteration to continue from (every rank must read the same checkpoint_latest.safetensors)")
            try dataParallel.synchronizeModule(model.network)
            _ = try dataParallel.partRange(count: c.batchSize)
        }
        let isMain = dataParallel?.isMain ?? true
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let batchesPerEpoch = max(1, training.count / c.batchSize)
        let totalIterations = min(c.epochs * batchesPerEpoch, c.maximumIterations ?? .max)
        let progress = ProgressReporter(total: totalIterations, label: "train-cls", style: isMain ? progressStyle : .silent)
        progress.advance(state.iterations)
        let generator = try Generator(seed: c.seed)
        while state.epochsDone < c.epochs && state.iterations < totalIterations {
            let epoch = state.epochsDone
            let start = Date()
            // The order of an epoch depends only on (seed, epoch), so a resumed run draws what the original would have.
            var rng = Self.epochRandom(seed: c.seed, epoch: epoch)
            // A rank augments its part of each batch with its own draws (rank 0's are those of one process).
            let rankSeed = UInt64(dataParallel?.rank ?? 0) &* 0x9E37_79B9_7F4A_7C15
            try generator.reseed(c.seed &+ UInt64(epoch) &+ rankSeed)
            var augmentationRandom = SplitMix64(seed: (c.seed &+ 0xA5A5 &+ UInt64(epoch)) ^ rankSeed)
            let batches = Self.batches(training, size: c.batchSize, balanced: c.balancedSampling, using: &rng)
            var lossSum = 0.0, lossCount = 0
            for batch in batches where state.iterations < totalIterations {
                var loss = try step(dataParallel?.part(of: batch) ?? batch, optimizer: optimizer, generator: generator,
                                    random: &augmentationRandom)
                if let dataParallel { loss = try dataParallel.sum([loss])[0] / Double(dataParallel.worldSize) }
                lossSum += loss
                lossCount += 1
                state.iterations += 1
                progress.advance(detail: String(format: "epoch %d loss %.4f", epoch + 1, loss))
            }
            var record = EpochRecord(epoch: epoch + 1, trainingLoss: lossSum / Double(max(lossCount, 1)), validationAUC: nil,
                                     validationLoss: nil, seconds: 0)
            if !validation.isEmpty && isMain {
                let (auc, loss) = try validate(validation)
                record.validationAUC = auc
                record.validationLoss = loss
                if let auc, auc > (state.bestAUC ?? -1) {
                    state.bestAUC = auc
                    model.card.metrics["validation AUC"] = auc
                    try model.save(to: bestDirectory)
                }
            }
            record.seconds = Date().timeIntervalSince(start)
            state.history.append(record)
            state.epochsDone += 1
            if isMain { try Checkpoint(module: model.network, optimizer: optimizer, metadata: state).write(to: latestURL) }
            progress.update(detail: String(format: "epoch %d loss %.4f val AUC %@", epoch + 1, record.trainingLoss,
                                           record.validationAUC.map { String(format: "%.3f", $0) } ?? "–"))
        }
        progress.finish()
        if validation.isEmpty && isMain { try model.save(to: bestDirectory) }
        return state.history
    }

    /// One optimizer step over a batch (accumulating micro-batches); returns the mean NLL.
    func step(_ batch: [ClassificationSample], optimizer: Adam, generator: Generator, random: inout SplitMix64) throws -> Double {
        try optimizer.zeroGrad()
        let micro = configuration.microBatchSize ?? batch.count
        var total = 0.0
        for start in stride(from: 0, to: batch.count, by: micro) {
            let part = Array(batch[start..<min(start + micro, batch.count)])
            var inputs = try ClassificationDatasetLoader.batch(part)
            // Crops of 5 mm slices are flat: nnU-Net's anisotropic (in-plane) rule applies.
            inputs = try configuration.augmentation.apply(images: inputs, anisotropic: true, random: &random, generator: generator)
            // Augmented on the CPU, trained where the network is (ClassifierModel.move(to:)).
            let device = model.network.device
            inputs = try inputs.to(device: device)
            let targets = try Tensor(part.map { Int64($0.positive ? model.card.positiveClass : 1 - model.card.positiveClass) })
                .to(device: device)
            // 001_…: NLL on log-softmax; summed here and divided by the whole batch so micro-batches add up.
            let mode: Mode = configuration.updateBatchNormStatistics ? .training : .inference
            if mode.isTraining, !synchronizedBatchNorm, let dataParallel { try dataParallel.broadcastBuffers(model.network) }
            let loss = try model.network.logProbabilities(inputs, mode: mode)
                .nllLoss(target: targets, reduction: .sum).dividing(Double(batch.count))
            try loss.backward()
            total += try loss.item()
        }
        try dataParallel?.averageGradients(model.network.trainableParameters)
        try optimizer.step()
        return total
    }

    /// Validation AUC (nil when one class is missing) and mean NLL.
    func validate(_ samples: [ClassificationSample]) throws -> (Double?, Double) {
        let scores = try ClassifierEvaluator.scores(model, samples)
        let labels = samples.map(\.positive)
        let loss = zip(labels, scores).map { -Foundation.log(max($0 ? $1 : 1 - $1, 1e-12)) }.reduce(0, +) / Double(samples.count)
        let auc = labels.contains(true) && labels.contains(false) ? try ROCCurve.areaUnderCurve(labels: labels, scores: scores) : nil
        return (auc, loss)
    }

    /// The generator of an epoch's batch order, which depends only on (seed, epoch).
    static func epochRandom(seed: UInt64, epoch: Int) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The batches of one epoch: a shuffled pass over all cases, or, balanced, batches half of each class
    /// drawn without replacement within the epoch (the smaller class recycles).
    static func batches<G: RandomNumberGenerator>(_ samples: [ClassificationSample], size: Int, balanced: Bool,
                                                  using rng: inout G) -> [[ClassificationSample]] {
        let count = max(1, samples.count / size)
        if !balanced {
            let order = samples.indices.shuffled(using: &rng)
            return (0..<count).map { b in order[(b * size)..<min((b + 1) * size, order.count)].map { samples[$0] } }
        }
        var positives = samples.filter(\.positive).shuffled(using: &rng)
        var negatives = samples.filter { !$0.positive }.shuffled(using: &rng)
        var p = 0, n = 0
        return (0..<count).map { _ in
            (0..<size).map { i in
                if i % 2 == 0 {
                    if p == positives.count { positives.shuffle(using: &rng); p = 0 }
                    p += 1
                    return positives[p - 1]
                } else {
                    if n == negatives.count { negatives.shuffle(using: &rng); n = 0 }
                    n += 1
                    return negatives[n - 1]
                }
            }
        }
    }
}
