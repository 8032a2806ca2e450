import Foundation
import Imaging
import Segmentation
import Torch

/// One tiny U-Net trained once on synthetic lesions and shared by the prediction tests.
final class TrainedTinyModel: @unchecked Sendable {
    // @unchecked: the network is only read (inference) after training.
    let plans: SegmentationPlans
    let network: any SegmentationNetwork
    let history: [EpochRecord]
    let trainingSeconds: Double

    static let shared: Result<TrainedTinyModel, any Error> = Result { try TrainedTinyModel() }

    static var configuration: TrainingConfiguration {
        var c = TrainingConfiguration()
        c.epochs = 12
        c.iterationsPerEpoch = 20
        c.validationIterations = 2
        c.seed = 7
        // Augmentation is tested on its own; here it would only slow down learning in 150 iterations.
        c.augmentation = .none
        return c
    }

    private init() throws {
        let plans = SyntheticLesions.tinyPlans(features: [8, 16, 32])
        self.plans = plans
        // Heads of the default size in a wider field of view, so that all-air patches are seen too; one
        // case without a lesion.
        let training = try (0..<5).map { seed in
            let (image, labels) = try SyntheticLesions.makeCase(seed: UInt64(seed), shape: VolumeShape(z: 32, y: 96, x: 96),
                                                                lesion: seed != 4, headRadiusVoxels: [14.4, 25.6, 25.6])
            return try PreprocessedCase(id: "train\(seed)", image: image, labels: labels, plans: plans)
        }
        let start = Date()
        let trainer = try SegmentationTrainer(plans: plans, configuration: Self.configuration, training: training, progressStyle: .silent)
        history = try trainer.train()
        trainingSeconds = Date().timeIntervalSince(start)
        network = trainer.network
    }
}
