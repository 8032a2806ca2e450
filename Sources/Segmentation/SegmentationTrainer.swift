import Foundation
import NN
import Output
import Stats
import TrainingAugmentation

/// nnU-Net v2's training loop for the plans' network, by default a `PlainConvUNet` (`nnUNetTrainer`): SGD Nesterov with poly learning
/// rate, CE + Dice with deep supervision, gradient clipping, foreground oversampling, augmentation,
/// validation pseudo Dice each epoch, checkpoints (latest every N iterations, best by moving-average Dice,
/// final) that `train(resume: true)` continues from exactly.
public final class SegmentationTrainer {
    public let plans: SegmentationPlans
    public let configuration: TrainingConfiguration
    public let network: any SegmentationNetwork
    let optimizer: any Optimizer
    let training: [PreprocessedCase]
    let validation: [PreprocessedCase]
    let outputFolder: URL?
    let progressStyle: ProgressReporter.Style?
    let loss: DeepSupervisionLoss
    var state: TrainingState
    /// Data-parallel training over a process group: this process trains its part of every global batch
    /// (`batchSize` is the global batch), gradients are averaged over the ranks, and rank 0 alone validates and
    /// writes checkpoints. Set before `train`.
    public var dataParallel: DataParallel?
    /// Where the network and every batch live (the CPU, or a GPU of a CUDA libtorch).
    public let device: Device

    /// - Parameters:
    ///   - validation: cases for the per-epoch pseudo Dice; the training cases are used when empty.
    ///   - outputFolder: where checkpoints go (`checkpoint_latest|best|final.safetensors`); nil keeps none.
    ///   - progressStyle: nil picks a bar on a terminal, lines otherwise.
    ///   - device: where the network trains; batches are sampled and augmented on the CPU and moved there.
    /// - Throws: `SegmentationError.emptyDataset` without training cases, `.invalidConfiguration` for a
    ///   patch the network cannot take.
    public init(plans: SegmentationPlans, configuration: TrainingConfiguration, training: [PreprocessedCase],
                validation: [PreprocessedCase] = [], outputFolder: URL? = nil,
                progressStyle: ProgressReporter.Style? = nil, device: Device = .cpu) throws {
        guard !training.isEmpty, training.allSatisfy({ $0.labels != nil }) else {
            throw SegmentationError.emptyDataset(file: plans.datasetName, detail: "no labelled training case")
        }
        let patch = configuration.patchSize ?? plans.patchSize
        guard patch.count == 3, zip(patch, plans.topology.divisor).allSatisfy({ $0 > 0 && $0 % $1 == 0 }) else {
            throw SegmentationError.invalidConfiguration(detail: "patch \(patch) must be positive multiples of \(plans.topology.divisor)")
        }
        guard configuration.epochs >= 1, configuration.iterationsPerEpoch >= 1, (configuration.batchSize ?? plans.batchSize) >= 1 else {
            throw SegmentationError.invalidConfiguration(detail: "epochs, iterations per epoch and batch size must be ≥ 1")
        }
        self.plans = plans
        self.configuration = configuration
        let network = try SegmentationNetworks.make(plans, generator: Generator(seed: configuration.seed))
        network.upsampling = configuration.upsampling
        try network.move(to: device)
        self.device = device
        self.network = network
        switch configuration.optimizer {
        case .sgd:
            optimizer = SGD(network.parameters, learningRate: configuration.learningRate, momentum: configuration.momentum,
                            weightDecay: configuration.weightDecay, nesterov: true)
        case .adam:
            optimizer = Adam(network.parameters, learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        }
        self.training = training
        self.validation = validation.isEmpty ? training : validation
        self.outputFolder = outputFolder
        self.progressStyle = progressStyle
        loss = DeepSupervisionLoss(outputs: plans.topology.stageCount - 1, batchDice: plans.batchDice)
        state = TrainingState(iteration: 0, randomState: configuration.seed &+ 1, bestMovingAverageDice: nil, history: [],
                              epochLossSum: 0, plans: plans, configuration: configuration)
    }

    /// The epochs completed so far.
    public var history: [EpochRecord] { state.history }

    /// Trains to the configured number of epochs.
    ///
    /// - Parameter resume: continue from `checkpoint_latest.safetensors` in the output folder when present.
    /// - Returns: the per-epoch records.
    @discardableResult
    public func train(resume: Bool = false) throws -> [EpochRecord] {
        if resume, let latest = outputFolder?.appendingPathComponent("checkpoint_latest.safetensors"),
           FileManager.default.fileExists(atPath: latest.path) {
            try restore(from: latest)
            var quiet = false
            if case .silent? = progressStyle { quiet = true }
            if !quiet && dataParallel?.isMain ?? true {
                FileHandle.standardError.write(Data("resuming from iteration \(state.iteration) (\(latest.path))\n".utf8))
            }
        }
        if let outputFolder { try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true) }
        let c = configuration
        let total = c.epochs * c.iterationsPerEpoch
        let batchSize = c.batchSize ?? plans.batchSize
        var part: Range<Int>?
        if let dataParallel {
            // Every rank continues from the same checkpoint (the output folder is shared) with rank 0's weights.
            try dataParallel.agree(on: [Int64(state.iteration), Int64(bitPattern: state.randomState)],
                                   what: "iteration and sampler state to continue from (every rank must read the same checkpoint_latest.safetensors)")
            try dataParallel.synchronizeModule(network)
            part = try dataParallel.partRange(count: batchSize)
        }
        let isMain = dataParallel?.isMain ?? true
        let sampler = PatchSampler(cases: training, patchSize: c.patchSize ?? plans.patchSize, foregroundFraction: c.foregroundOversampling)
        let progress = ProgressReporter(total: total - state.iteration, label: "train-seg", style: isMain ? progressStyle : .silent)
        var random = SplitMix64(seed: state.randomState)
        var epochStart = Date()
        while state.iteration < total {
            let epoch = state.iteration / c.iterationsPerEpoch
            optimizer.learningRate = LearningRateSchedule.poly(exponent: c.polyExponent)
                .learningRate(initial: c.learningRate, step: epoch, total: c.epochs)
            let generatorSeed = random.next()
            var (images, labels) = try sampler.batch(size: batchSize, random: &random, part: part)
            if let dataParallel {
                // Each rank augments its own part with its own draws; the shared stream stays rank-independent.
                let rankSeed = generatorSeed ^ (UInt64(dataParallel.rank + 1) &* 0x9E37_79B9_7F4A_7C15)
                var rankRandom = SplitMix64(seed: rankSeed)
                (images, labels) = try c.augmentation.apply(images: images, labels: labels, anisotropic: plans.isAnisotropicPatch,
                                                             random: &rankRandom, generator: try Generator(seed: rankSeed))
                try dataParallel.broadcastBuffers(network)
            } else {
                (images, labels) = try c.augmentation.apply(images: images, labels: labels, anisotropic: plans.isAnisotropicPatch,
                                                             random: &random, generator: try Generator(seed: generatorSeed))
            }
            (images, labels) = (try images.to(device: device), try labels.to(device: device))
            try optimizer.zeroGrad()
            let value = try loss(outputs: network.forward(images, mode: .training, deepSupervision: true), target: labels)
            try value.backward()
            var lossValue = try value.item()
            if let dataParallel {
                try dataParallel.averageGradients(network.parameters)
                lossValue = try dataParallel.sum([lossValue])[0] / Double(dataParallel.worldSize)
            }
            try clipGradientNorm(network.parameters, maxNorm: c.gradientClipNorm)
            try optimizer.step()
            state.iteration += 1
            state.epochLossSum += lossValue
            state.randomState = random.state
            progress.advance(detail: String(format: "epoch %d loss %.4f lr %.5f", epoch, lossValue, optimizer.learningRate))
            if state.iteration % c.iterationsPerEpoch == 0 && isMain {
                try finishEpoch(epoch, seconds: Date().timeIntervalSince(epochStart))
                epochStart = Date()
                progress.update(detail: String(format: "epoch %d val Dice %@ EMA %.3f", epoch,
                                               state.history.last?.validationDice.map { String(format: "%.3f", $0) }.joined(separator: "/") ?? "",
                                               state.history.last?.movingAverageDice ?? 0))
            }
            if state.iteration % c.iterationsPerEpoch == 0 && !isMain { state.epochLossSum = 0 }
            if isMain && (state.iteration % Swift.max(c.checkpointEvery, 1) == 0 || state.iteration == total) {
                try save("checkpoint_latest")
            }
        }
        progress.finish()
        if isMain { try save("checkpoint_final") }
        return state.history
    }

    private func finishEpoch(_ epoch: Int, seconds: Double) throws {
        let dice = try validationDice()
        let finite = dice.filter { !$0.isNaN }
        let mean = finite.isEmpty ? 0 : finite.reduce(0, +) / Double(finite.count)
        let ema = state.history.last.map { 0.9 * $0.movingAverageDice + 0.1 * mean } ?? mean
        state.history.append(EpochRecord(epoch: epoch, meanLoss: state.epochLossSum / Double(configuration.iterationsPerEpoch),
                                         learningRate: optimizer.learningRate, validationDice: dice, movingAverageDice: ema,
                                         seconds: seconds))
        state.epochLossSum = 0
        if ema > (state.bestMovingAverageDice ?? -.infinity) {
            state.bestMovingAverageDice = ema
            try save("checkpoint_best")
        }
    }

    /// Pseudo Dice per foreground class over fixed validation patches (same patches every epoch).
    func validationDice() throws -> [Double] {
        let classes = plans.classCount
        var tp = [Double](repeating: 0, count: classes), fp = tp, fn = tp
        var random = SplitMix64(seed: configuration.seed &+ 2)
        let sampler = PatchSampler(cases: validation, patchSize: configuration.patchSize ?? plans.patchSize,
                                   foregroundFraction: configuration.foregroundOversampling)
        try GradMode.withoutGrad {
            for _ in 0..<Swift.max(configuration.validationIterations, 1) {
                let (images, labels) = try sampler.batch(size: configuration.batchSize ?? plans.batchSize, random: &random)
                let predicted = try network.logits(images.to(device: device)).argmax(dim: 1).to(device: .cpu)
                for c in 1..<classes {
                    let p = try predicted.eq(Double(c)), r = try labels.eq(Double(c))
                    let both = try p.logicalAnd(r).to(.float32).sum().item()
                    tp[c] += both
                    fp[c] += try p.to(.float32).sum().item() - both
                    fn[c] += try r.to(.float32).sum().item() - both
                }
            }
        }
        return (1..<classes).map { c in DiceScore.dice(truePositives: tp[c], falsePositives: fp[c], falseNegatives: fn[c]) }
    }

    /// Label patches of `count` training batches as the trainer samples them (for inspection and tests).
    public static func sampleBatches(cases: [PreprocessedCase], patchSize: [Int], batchSize: Int, count: Int,
                                     seed: UInt64, foregroundOversampling: Double = 0.33) throws -> [Tensor] {
        var random = SplitMix64(seed: seed)
        let sampler = PatchSampler(cases: cases, patchSize: patchSize, foregroundFraction: foregroundOversampling)
        return try (0..<count).map { _ in try sampler.batch(size: batchSize, random: &random).labels }
    }

    private func save(_ name: String) throws {
        guard let outputFolder else { return }
        try Checkpoint(module: network, optimizer: optimizer, metadata: state)
            .write(to: outputFolder.appendingPathComponent("\(name).safetensors"))
    }

    /// Restores weights, optimizer and progress from a checkpoint written by this trainer.
    ///
    /// - Throws: `SegmentationError.modelMismatch` when the checkpoint was made with other plans.
    public func restore(from url: URL) throws {
        let checkpoint = try Checkpoint<TrainingState>.read(url)
        guard checkpoint.metadata.plans == plans else {
            throw SegmentationError.modelMismatch(file: url.path, detail: "checkpoint was trained with other plans")
        }
        try checkpoint.restore(into: network, optimizer: optimizer)
        state = checkpoint.metadata
        state.configuration = configuration
    }
}
