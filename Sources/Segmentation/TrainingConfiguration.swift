import Foundation
import Imaging
import Stats
import TrainingAugmentation

/// How `SegmentationTrainer` trains; defaults are nnU-Net v2's `nnUNetTrainer` unless noted.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// nnU-Net v2: 1000 epochs of 250 iterations.
    public var epochs = 1000
    public var iterationsPerEpoch = 250
    /// nnU-Net v2: 50 validation batches per epoch (pseudo Dice on patches).
    public var validationIterations = 50
    /// The optimizer: nnU-Net's SGD, or Adam (NeoICH option for short CPU schedules, where SGD from scratch
    /// has not yet left the all-background solution after a few hundred iterations).
    public enum OptimizerKind: String, Codable, Sendable, Equatable, CaseIterable { case sgd, adam }
    public var optimizer = OptimizerKind.sgd
    /// SGD with Nesterov momentum: lr 0.01, momentum 0.99, weight decay 3e-5 (Adam uses lr and weight decay).
    public var learningRate = 0.01
    public var momentum = 0.99
    public var weightDecay = 3e-5
    /// Poly decay per epoch, exponent 0.9.
    public var polyExponent = 0.9
    /// Gradient norm clip 12.
    public var gradientClipNorm = 12.0
    /// Share of each batch forced to contain foreground: 0.33.
    public var foregroundOversampling = 0.33
    public var augmentation = Augmentation()
    /// Batch size; `nil` takes the plans' value.
    public var batchSize: Int?
    /// Patch size; `nil` takes the plans' value (must then be divisible by the network's strides).
    public var patchSize: [Int]?
    /// Write `checkpoint_latest` every this many iterations (NeoICH; nnU-Net saves every 50 epochs).
    public var checkpointEvery = 250
    /// Seeds weights, sampling and augmentation.
    public var seed: UInt64 = 12345
    /// Decoder upsampling kernel choice (same values either way).
    public var upsampling = UpsamplingMethod.libtorch

    public init() {}

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        iterationsPerEpoch = try c.decodeIfPresent(Int.self, forKey: .iterationsPerEpoch) ?? iterationsPerEpoch
        validationIterations = try c.decodeIfPresent(Int.self, forKey: .validationIterations) ?? validationIterations
        optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? optimizer
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? momentum
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? weightDecay
        polyExponent = try c.decodeIfPresent(Double.self, forKey: .polyExponent) ?? polyExponent
        gradientClipNorm = try c.decodeIfPresent(Double.self, forKey: .gradientClipNorm) ?? gradientClipNorm
        foregroundOversampling = try c.decodeIfPresent(Double.self, forKey: .foregroundOversampling) ?? foregroundOversampling
        augmentation = try c.decodeIfPresent(Augmentation.self, forKey: .augmentation) ?? augmentation
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize)
        patchSize = try c.decodeIfPresent([Int].self, forKey: .patchSize)
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? checkpointEvery
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        upsampling = try c.decodeIfPresent(UpsamplingMethod.self, forKey: .upsampling) ?? upsampling
    }
}

/// One epoch's record, kept in checkpoints and the training summary.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var meanLoss: Double
    public var learningRate: Double
    /// Pseudo Dice per foreground class on validation patches (global TP/FP/FN, nnU-Net's online evaluation).
    public var validationDice: [Double]
    /// nnU-Net's exponential moving average of the mean pseudo Dice (0.9 · old + 0.1 · new).
    public var movingAverageDice: Double
    public var seconds: Double
}

/// What a checkpoint carries besides weights and optimizer state: enough to resume exactly.
public struct TrainingState: Codable, Sendable, Equatable {
    /// Iterations completed.
    public var iteration: Int
    /// The random state after `iteration` iterations.
    public var randomState: UInt64
    public var bestMovingAverageDice: Double?
    public var history: [EpochRecord]
    /// Running loss sum of the current epoch.
    public var epochLossSum: Double
    public var plans: SegmentationPlans
    public var configuration: TrainingConfiguration
}
