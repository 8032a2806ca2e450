import Imaging
import TrainingAugmentation

/// The classifier's training recipe. Defaults are 001_…'s (§2.7): Adam, lr 0.000296, NLL loss on
/// log-softmax, batch 64, 182 epochs, batchgenerators-style augmentation.
public struct ClassifierTrainingConfiguration: Codable, Sendable, Equatable {
    /// 001_…: 182.
    public var epochs = 182
    /// 001_…: 64. Memory permitting; see `microBatchSize`.
    public var batchSize = 64
    /// Gradients are accumulated over micro-batches of this size to reach `batchSize` on small machines
    /// (batch-norm statistics are then per micro-batch). nil: the whole batch at once.
    public var microBatchSize: Int?
    /// 001_…: 0.000296 (Adam).
    public var learningRate = 0.000296
    /// Adam's L2 weight decay (001_… does not report any: 0).
    public var weightDecay = 0.0
    /// Draw each batch with equal numbers of both classes (NeoICH option; off in 001_…).
    public var balancedSampling = false
    /// Augmentation of training crops: batchgenerators' defaults as nnU-Net uses them (001_…: batchgenerators);
    /// `Augmentation.none` turns it off.
    public var augmentation = Augmentation()
    public var seed: UInt64 = 0
    /// Batch-norm layers use batch statistics and update their running averages (on while training the whole
    /// network; off when only the last layer is fine-tuned, so the frozen backbone really stays frozen).
    public var updateBatchNormStatistics = true
    /// Stop after this many iterations in total (nil: run all epochs); used by tests and quick trials.
    public var maximumIterations: Int?

    public init() {}
}

/// One epoch's record.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainingLoss: Double
    public var validationAUC: Double?
    public var validationLoss: Double?
    public var seconds: Double
}
