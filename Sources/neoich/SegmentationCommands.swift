import ArgumentParser
import Foundation
import Imaging
import Output
import Pipeline
import Segmentation

/// `neoich plan DATASET`: fingerprint → plans.json (nnU-Net v2 rules).
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fingerprint an nnU-Net-layout dataset and write dataset_fingerprint.json and plans.json.")

    @Argument(help: "The DatasetNNN_Name folder (imagesTr, labelsTr, dataset.json).")
    var dataset: String

    @Option(name: .shortAndLong, help: "Output folder (default: the dataset folder).")
    var output: String?

    @Flag(help: "Plan a smaller network for CPU training (widths 8…128, patch ≤ 16·128·128).")
    var cpuBudget = false

    @Option(help: "Override the target spacing, z,y,x in mm (nnU-Net's overwrite_target_spacing).")
    var spacing: String?

    func validate() throws {
        if let spacing, parseSpacing(spacing) == nil { throw ValidationError("--spacing must be three positive numbers z,y,x") }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let root = URL(fileURLWithPath: dataset)
        let opened = try NNUNetDataset.open(root)
        let fingerprint = try DatasetFingerprint.extract(from: opened, progress: ProgressReporter(total: opened.cases.count, label: "fingerprint"))
        let plans = try ExperimentPlanner.plan(fingerprint, configuration: PlannerConfiguration(
            targetSpacingOverride: spacing.flatMap(parseSpacing), budget: cpuBudget ? .cpu : nil))
        let folder = URL(fileURLWithPath: output ?? dataset)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try fingerprint.write(to: folder.appendingPathComponent("dataset_fingerprint.json"))
        try plans.write(to: folder.appendingPathComponent("plans.json"))
        print("plans: patch \(plans.patchSize.map(String.init).joined(separator: "×")), \(plans.topology.stageCount) stages, "
              + "widths \(plans.featuresPerStage), batch \(plans.batchSize), spacing \(plans.targetSpacingMM) mm, "
              + "\(String(format: "%.1f", Double(plans.parameterCount) / 1e6)) M parameters → \(folder.path)/plans.json")
    }
}

/// `neoich train-seg`: trains a PlainConvUNet on a dataset with its plans.
struct TrainSeg: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-seg",
        abstract: "Train the ICH/PHE segmentation U-Net (nnU-Net v2 recipe) and write a model folder.")

    @Argument(help: "The DatasetNNN_Name folder.") var dataset: String
    @Option(help: "plans.json (default: DATASET/plans.json).") var plans: String?
    @Option(name: .shortAndLong, help: "Output folder for checkpoints and the model.") var output: String
    @Option(help: "Epochs (nnU-Net: 1000).") var epochs = 1000
    @Option(help: "Iterations per epoch (nnU-Net: 250).") var iterations = 250
    @Option(help: "Validation batches per epoch (nnU-Net: 50).") var validationIterations = 50
    @Option(help: "Every k-th case is held out for validation (0: validate on the training cases).") var validationEvery = 5
    @Option(help: "Write checkpoint_latest every N iterations.") var checkpointEvery = 250
    @Option(help: "Random seed.") var seed: UInt64 = 12345
    @Option(help: "Fraction of each batch forced to contain foreground (nnU-Net: 0.33).") var foregroundOversampling = 0.33
    @Flag(help: "Train without data augmentation.") var noAugmentation = false
    @Option(help: "Optimizer: sgd (nnU-Net: Nesterov, momentum 0.99) or adam.") var optimizer: TrainingConfiguration.OptimizerKind = .sgd
    @Option(help: "Initial learning rate (default: 0.01 for SGD, 0.001 for Adam), poly decay.") var learningRate: Double?
    @Flag(help: "Continue from OUTPUT/checkpoint_latest.safetensors.") var resume = false
    @Option(help: "Global batch size (default: the plans'); split over the processes of a data-parallel run.") var batchSize: Int?
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var device: DeviceOptions

    func validate() throws {
        guard epochs >= 1, iterations >= 1, checkpointEvery >= 1, validationEvery >= 0 else {
            throw ValidationError("epochs, iterations and --checkpoint-every must be ≥ 1")
        }
        guard (0...1).contains(foregroundOversampling) else { throw ValidationError("--foreground-oversampling must be in 0…1") }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let device = try self.device.resolve()
        let root = URL(fileURLWithPath: dataset)
        let opened = try NNUNetDataset.open(root)
        let plan = try SegmentationPlans.read(URL(fileURLWithPath: plans ?? root.appendingPathComponent("plans.json").path))
        let held = validationEvery > 0 ? opened.cases.enumerated().filter { ($0.offset + 1) % validationEvery == 0 }.map(\.element) : []
        let trainingIDs = opened.cases.filter { !held.contains($0) }
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.iterationsPerEpoch = iterations
        configuration.validationIterations = validationIterations
        configuration.checkpointEvery = checkpointEvery
        configuration.seed = seed
        configuration.foregroundOversampling = foregroundOversampling
        configuration.batchSize = batchSize
        if noAugmentation { configuration.augmentation = .none }
        configuration.optimizer = optimizer
        configuration.learningRate = learningRate ?? (optimizer == .adam ? 1e-3 : 0.01)
        let folder = URL(fileURLWithPath: output)
        let trainer = try SegmentationTrainer(
            plans: plan, configuration: configuration, training: PreprocessedCase.load(opened, cases: trainingIDs, plans: plan),
            validation: PreprocessedCase.load(opened, cases: held, plans: plan), outputFolder: folder, device: device)
        trainer.dataParallel = try distributed.join()
        if distributed.syncBatchNorm, let parallel = trainer.dataParallel, parallel.synchronizeBatchNorm(in: trainer.network) == 0 {
            FileHandle.standardError.write(Data("note: --sync-batch-norm changes nothing here: the network has no batch norm (nnU-Net normalises per instance)\n".utf8))
        }
        try trainer.train(resume: resume)
        guard trainer.dataParallel?.isMain ?? true else { return }
        try SegmentationModel(plans: plan, network: trainer.network).write(to: folder)
        print("model written to \(folder.path) (plans.json, model.safetensors)")
    }
}

/// `neoich segment CT -o MASK` and `neoich segment --cohort DIR -o OUT`: ICH/PHE label maps on the scans' grids.
struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment ICH (1) and PHE (2) on a head CT (NIfTI), or on every CT of a folder.",
        discussion: """
            --cohort DIR: every scan of DIR (or of its imagesTs/ and imagesTr/), in case order, into OUT/CASE.nii.gz; \
            masks already there are kept, so an interrupted run resumes.
            """)

    @Argument(help: "CT as .nii or .nii.gz (HU); omit with --cohort.") var ct: String?
    @Option(help: "A folder of scans (or an nnU-Net dataset) to segment one after the other.") var cohort: String?
    @Option(help: "With --cohort: only the first N cases.") var first: Int?
    @Option(name: .shortAndLong, help: "Output mask (.nii.gz); with --cohort, the output folder.") var output: String
    @Option(help: """
        Model folder (plans.json + model.safetensors), or an nnU-Net v2 results folder (dataset.json, plans.json, \
        fold_*/); default $NEOICH_MODELS/segmentation or Models/segmentation.
        """)
    var model: String?
    @OptionGroup var nnUNet: NNUNetFoldOptions
    @Flag(inversion: .prefixedNo, help: "Average the 8 mirrored predictions per tile (nnU-Net default).") var mirroring = true
    @Flag(help: "Run every tile, also those entirely in air.") var allTiles = false
    @Option(help: "Keep every component, or only the largest ICH (with its PHE).") var postProcessing: PostProcessing = .keepAll
    @OptionGroup var inference: InferenceDeviceOptions

    func validate() throws {
        guard (ct == nil) != (cohort == nil) else { throw ValidationError("give either a CT or --cohort DIR") }
        if let first, first < 1 { throw ValidationError("--first must be ≥ 1") }
        if first != nil, cohort == nil { throw ValidationError("--first needs --cohort") }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let (device, precision) = try inference.resolve()
        let folder = model.map { URL(fileURLWithPath: $0) } ?? ModelLocations.resolve().segmentation
        let loaded = try SegmentationModel.read(folder, selection: nnUNet.selection)
        var configuration = PredictionConfiguration(mirroring: mirroring, skipAirTiles: !allTiles, device: device, precision: precision)
        configuration.postProcessing = postProcessing
        if let nnUNet = loaded.nnUNet {
            print("\(folder.path): nnU-Net \(nnUNet.plans.configuration), folds \(nnUNet.folds.joined(separator: ",")), "
                  + "checkpoint_\(nnUNet.checkpoint.rawValue), mirroring axes \(mirroring ? nnUNet.mirroringAxes.map { "\($0)" } ?? "none" : "off")")
        }
        guard let cohort else {
            guard let ct else { return }
            try segment(ct, to: URL(fileURLWithPath: output), model: loaded, configuration: configuration)
            return
        }
        let out = URL(fileURLWithPath: output)
        let cases = Array(try CohortPrediction.cases(in: URL(fileURLWithPath: cohort)).prefix(first ?? Int.max))
        var done = 0, skipped = 0
        for (index, item) in cases.enumerated() {
            let destination = out.appendingPathComponent("\(item.id).nii.gz")
            if FileManager.default.fileExists(atPath: destination.path) {
                skipped += 1
                continue
            }
            FileHandle.standardError.write(Data("[\(index + 1)/\(cases.count)] \(item.id)\n".utf8))
            try segment(item.url.path, to: destination, model: loaded, configuration: configuration)
            done += 1
        }
        print("\(done) segmented, \(skipped) already done → \(out.path)")
    }

    /// Segments one CT into `destination`, warning about implausible scans on stderr.
    func segment(_ ct: String, to destination: URL, model loaded: SegmentationModel,
                 configuration: PredictionConfiguration) throws {
        let image: Volume<Float> = try NIfTIFile.read(URL(fileURLWithPath: ct))
        var warnings = try HeadCTPlausibility(image).warnings(file: ct)
        if let fallback = image.geometry.affineFallback { warnings.insert(fallback, at: 0) }
        for warning in warnings { FileHandle.standardError.write(Data("\(ct): warning: \(warning)\n".utf8)) }
        let (labels, tiles) = try loaded.segment(image, id: ct, configuration: configuration) { done, total in
            if done == total || done % 10 == 0 { FileHandle.standardError.write(Data("\r\(ct): tile \(done)/\(total)\(done == total ? "\n" : "")".utf8)) }
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try NIfTIFile.write(labels, to: destination)
        print("\(destination.path): \(tiles.run) tiles run, \(tiles.skipped) skipped (air)")
    }
}

/// `neoich evaluate-seg PRED_DIR REF_DIR`: Dice and volume agreement.
struct EvaluateSeg: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate-seg",
        abstract: "Dice per class and case, summary, and ICH/PHE volume agreement; writes summary.json and cases.csv.")

    @Argument(help: "Folder of predicted masks.") var predictions: String
    @Argument(help: "Folder of reference masks (same file names).") var references: String
    @Option(name: .shortAndLong, help: "Output folder (default: PRED_DIR).") var output: String?

    func run() throws {
        let evaluation = try SegmentationEvaluation.evaluate(predictions: URL(fileURLWithPath: predictions),
                                                             references: URL(fileURLWithPath: references))
        try evaluation.write(to: URL(fileURLWithPath: output ?? predictions))
        for summary in evaluation.dice {
            print("\(summary.label): median Dice \(summary.median.map { String(format: "%.3f", $0) } ?? "NaN"), "
                  + "mean \(summary.mean.map { String(format: "%.3f", $0) } ?? "NaN") over \(summary.cases) cases")
        }
    }
}

/// "z,y,x" → [z, y, x] when all three are positive numbers.
func parseSpacing(_ text: String) -> [Double]? {
    let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    return values.count == 3 && values.allSatisfy({ $0 > 0 && $0.isFinite }) ? values : nil
}
