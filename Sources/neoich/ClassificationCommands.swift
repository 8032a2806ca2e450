import ArgumentParser
import Classification
import Foundation
import Imaging
import NN
import Output
import Stats

/// Options shared by the classification commands for reading a dataset's crops.
struct CropOptions: ParsableArguments {
    @Option(help: "nnU-Net-layout dataset folder with cohort.csv.")
    var dataset: String

    @Option(help: "Folder of {case}.nii.gz label maps to crop with instead of labelsTr (e.g. predicted masks, end to end).")
    var masks: String?

    @Option(help: "Folder for cached crops (default: <dataset>/.neoich-crops).")
    var cache: String?

    var datasetURL: URL { URL(fileURLWithPath: dataset) }
    var cacheURL: URL { URL(fileURLWithPath: cache ?? datasetURL.appendingPathComponent(".neoich-crops").path) }

    /// Every case's sample (crops come from the cache after the first run).
    func samples(cropSize: VolumeShape, normalization: CropNormalization,
                 orientation: String = Reorientation.defaultModelOrientation) throws -> [ClassificationSample] {
        try ClassificationDatasetLoader.load(dataset: datasetURL, masks: masks.map { URL(fileURLWithPath: $0) },
                                             cropSize: cropSize, normalization: normalization, cache: cacheURL,
                                             orientation: orientation)
    }

    /// The samples of the given cohort splits (all when `splits` is empty) and centres.
    ///
    /// With predicted masks, cases in which the segmentation found no lesion are left out and named on standard
    /// error, as 001_… did with its two external cases without a segmented region.
    func samples(splits: [String], centres: [String], cropSize: VolumeShape, normalization: CropNormalization,
                 orientation: String = Reorientation.defaultModelOrientation) throws -> [ClassificationSample] {
        let all = try samples(cropSize: cropSize, normalization: normalization, orientation: orientation)
        let selected = Self.select(all, splits: splits, centres: centres)
        if selected.isEmpty {
            let has = { (values: [String]) in Set(values).sorted().joined(separator: ", ") }
            throw ClassificationError.dataset("\(dataset)/cohort.csv", "no case in split(s) [\(splits.joined(separator: ", "))] and centre(s) "
                + "[\(centres.joined(separator: ", "))]; its cohort.csv has splits [\(has(all.map(\.split)))] and centres [\(has(all.map(\.centre)))]")
        }
        guard let masks else { return selected }
        let empty = selected.filter { !$0.hasLesion }
        if !empty.isEmpty {
            FileHandle.standardError.write(Data(("\(dataset): \(empty.count) case(s) without a lesion in \(masks) left out: "
                + empty.map(\.caseID).joined(separator: ", ") + "\n").utf8))
        }
        return selected.filter(\.hasLesion)
    }

    static func select(_ samples: [ClassificationSample], splits: [String], centres: [String]) -> [ClassificationSample] {
        samples.filter { (splits.isEmpty || splits.contains($0.split)) && (centres.isEmpty || centres.contains($0.centre)) }
    }
}

/// `neoich train-cls`: the 3-D ResNet classifier with 001_…'s recipe.
struct TrainCls: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-cls",
        abstract: "Train the neoplastic-vs-non-neoplastic classifier (3-D ResNet) on lesion crops.",
        discussion: """
            Defaults are 001_…'s recipe: ResNet-34, Adam lr 0.000296, NLL loss, batch 64, 182 epochs. Crops come \
            from the ground-truth label maps unless --masks is given. The decision threshold is chosen on the \
            validation split (sensitivity × specificity) and stored in the model card. Checkpoints are written \
            every epoch; --resume continues an interrupted run.
            """
    )

    @OptionGroup var crops: CropOptions
    @Option(help: "Output folder (model in <out>/best, checkpoints in <out>).") var out: String
    @Option(help: "cohort.csv split(s) to train on.") var trainSplit: [String] = ["train"]
    @Option(help: "cohort.csv split(s) to validate on.") var validationSplit: [String] = ["val"]
    @Option(help: "Centre(s) to use (default: all).") var centre: [String] = []
    @Option(help: "ResNet depth: 18, 34 or 50.") var depth = 34
    @Option(help: "Width of the first stage (MONAI: 64).") var width = 64
    @Option(help: "Stem stride in y and x (z stays 1).") var stemStride = 2
    @Option(help: "Epochs.") var epochs = 182
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Micro-batch size for gradient accumulation.") var microBatch: Int?
    @Option(help: "Learning rate (Adam).") var lr = 0.000296
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Class-balanced batches.") var balanced = false
    @Flag(help: "Train without augmentation.") var noAugmentation = false
    @Flag(help: "Continue from <out>/checkpoint_latest.safetensors.") var resume = false
    @Option(help: "Model name for the card.") var name = "neoich-classifier"
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var device: DeviceOptions
    @Flag(help: "Grid search with cross-validation on the training split instead of training (see --grid-*).") var search = false
    @Option(help: "Learning rates of the search grid.") var gridLr: [Double] = [0.000296, 0.001]
    @Option(help: "Batch sizes of the search grid.") var gridBatch: [Int] = [8, 16]
    @Option(help: "Widths of the search grid.") var gridWidth: [Int] = [8, 16]
    @Option(help: "Cross-validation folds of the search.") var folds = 3

    func run() throws {
        try NeoICH.prepareEngine()
        let device = try self.device.resolve()
        let architecture: ResNet3DConfiguration
        switch depth {
        case 18: architecture = .resnet18(width: width)
        case 34: architecture = .resnet34(width: width)
        case 50: architecture = .resnet50(width: width)
        default: throw ValidationError("--depth must be 18, 34 or 50")
        }
        var card = ClassifierModelCard(name: name, architecture: architecture)
        card.architecture.stemStride = [1, stemStride, stemStride]
        let all = try crops.samples(cropSize: card.cropSize, normalization: card.normalization)
        let training = CropOptions.select(all, splits: trainSplit, centres: centre)
        let validation = CropOptions.select(all, splits: validationSplit, centres: centre)
        print("training on \(training.count) cases (\(training.filter(\.positive).count) neoplastic), validating on \(validation.count)")
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batch
        configuration.microBatchSize = microBatch
        configuration.learningRate = lr
        configuration.seed = seed
        configuration.balancedSampling = balanced
        if noAugmentation { configuration.augmentation = .none }
        card.training = .init(dataset: crops.dataset, cases: training.count, epochs: epochs, batchSize: batch, learningRate: lr,
                              seed: seed, command: CommandLine.arguments.joined(separator: " "))
        let output = URL(fileURLWithPath: out)
        if search {
            var grid = HyperparameterSearch.Grid()
            grid.learningRates = gridLr
            grid.batchSizes = gridBatch
            grid.widths = gridWidth
            grid.folds = folds
            let points = try HyperparameterSearch.run(samples: training, base: card, training: configuration, grid: grid, device: device)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try JSONFile.write(points, to: output.appendingPathComponent("search.json"))
            print("lr          batch  width  mean AUC  folds")
            for p in points {
                print(String(format: "%-10g  %5d  %5d  %.3f     ", p.learningRate, p.batchSize, p.width, p.meanAUC)
                    + p.foldAUCs.map { String(format: "%.3f", $0) }.joined(separator: " "))
            }
            return
        }
        let model = try ClassifierModel(card: card, seed: seed)
        try model.move(to: device)
        let trainer = ClassifierTrainer(model: model, configuration: configuration, outputDirectory: output)
        trainer.dataParallel = try distributed.join()
        if distributed.syncBatchNorm, let parallel = trainer.dataParallel {
            trainer.synchronizedBatchNorm = parallel.synchronizeBatchNorm(in: model.network) > 0
        }
        try trainer.train(training: training, validation: validation, resume: resume)
        guard trainer.dataParallel?.isMain ?? true else { return }
        let best = try ClassifierModel.load(from: output.appendingPathComponent("best"))
        try best.move(to: device)
        if !validation.isEmpty {
            let report = try ClassifierEvaluator.evaluate(best, validation, name: "validation")
            best.card.threshold = report.threshold
            best.card.metrics["validation AUC"] = report.auc.value
            try best.save(to: output.appendingPathComponent("best"))
            try ClassifierEvaluator.write(report, to: output.appendingPathComponent("validation"))
            print(ClassifierEvaluator.table([report]))
        }
        print("model written to \(output.appendingPathComponent("best").path)")
    }
}

/// `neoich evaluate-cls`: ROC, AUC with DeLong CI, threshold, confusion matrix, bootstrap CIs.
struct EvaluateCls: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-cls",
        abstract: "Evaluate a classifier on a dataset split: report.json, predictions.csv, roc.svg, confusion.svg."
    )

    @OptionGroup var crops: CropOptions
    @Option(help: "Model folder (model.json + model.safetensors).") var model: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "cohort.csv split(s) to evaluate (default: test).") var split: [String] = ["test"]
    @Option(help: "Centre(s) (default: all).") var centre: [String] = []
    @Flag(help: "Choose the threshold on these cases instead of applying the model card's.") var chooseThreshold = false
    @Option(help: "Name of this set in the report.") var name = "test"
    @Flag(help: "Also write features.csv: each case's input to the last layer (pooled last-stage activations).") var features = false
    @OptionGroup var device: DeviceOptions

    @OptionGroup var inference: InferenceOptions

    func run() throws {
        try inference.apply()
        try NeoICH.prepareEngine()
        let device = try self.device.resolve()
        let classifier = try ClassifierModel.load(from: URL(fileURLWithPath: model))
        try classifier.move(to: device)
        let samples = try crops.samples(splits: split, centres: centre, cropSize: classifier.card.cropSize,
                                        normalization: classifier.card.normalization, orientation: classifier.card.trainingOrientation)
        let report = try ClassifierEvaluator.evaluate(classifier, samples, name: name, threshold: chooseThreshold ? nil : classifier.card.threshold)
        try ClassifierEvaluator.write(report, to: URL(fileURLWithPath: out))
        if features {
            try ClassifierEvaluator.writeFeatures(ClassifierEvaluator.features(classifier, samples),
                                                  samples: samples, to: URL(fileURLWithPath: out).appendingPathComponent("features.csv"))
        }
        print(ClassifierEvaluator.table([report]))
    }
}

/// `neoich finetune`: external validation and last-layer fine-tuning, 001_… Table 2.
struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune the last layer on a few cases of another centre and report internal / external / after (Table 2)."
    )

    @Option(help: "Model folder.") var model: String
    @Option(help: "Development dataset (its test split is the internal row); not needed with --draws.") var internalDataset: String?
    @Option(help: "Predicted label maps of the internal test cases (end to end; default: ground truth).") var internalMasks: String?
    @Option(help: "External dataset (all its cases).") var externalDataset: String
    @Option(help: "Predicted label maps of the external cases (end to end, as 001_…'s external validation; default: ground truth).")
    var externalMasks: String?
    @Option(help: "Output folder (reports and the fine-tuned model).") var out: String
    @Option(help: "External cases used for fine-tuning (001_…: 12).") var cases = 12
    @Option(help: "Epochs of last-layer training.") var epochs = 30
    @Option(help: "Adam learning rate of the last layer (001_…'s training rate by default).") var learningRate = 0.000296
    @Option(help: "Seed for the choice of cases.") var seed: UInt64 = 0
    @Option(help: "Threshold of the fine-tuned model: fine-tuning-cases (chosen on them) or development (the card's, unchanged).")
    var threshold: FineTuning.ThresholdSource = .fineTuningCases
    @Flag(help: "Also re-estimate batch-norm statistics on the fine-tuning cases (weights stay frozen).") var adaptBatchNorm = false
    @Option(help: "Residual stages trained with the last layer, counted from the end (0: the last layer only, as 001_…; 1: also layer4).")
    var stages = 0
    @Option(help: ArgumentHelp("Repeat the fine-tuning on this many random choices of cases (seeds --seed, --seed+1, …) and report the paired external AUC before/after of each (draws.csv, draws.json) instead of Table 2.",
                               valueName: "n")) var draws = 1
    @Option(help: ArgumentHelp("Also measure the ceiling of last-layer fine-tuning (ceiling.json): the external cases in k stratified folds, the last layer fine-tuned on k−1 folds scores the k-th; pooled out-of-fold AUC against the unchanged model's.",
                               valueName: "k")) var ceilingFolds: Int?
    @OptionGroup var device: DeviceOptions

    func validate() throws {
        if cases < 2 { throw ValidationError("--cases must be ≥ 2 (one of each class)") }
        if draws < 1 { throw ValidationError("--draws must be ≥ 1") }
        if draws == 1 && internalDataset == nil { throw ValidationError("--internal-dataset is needed for Table 2 (only --draws N > 1 goes without it)") }
        if epochs < 1 { throw ValidationError("--epochs must be ≥ 1") }
        if stages < 0 { throw ValidationError("--stages must be ≥ 0") }
        if let ceilingFolds, ceilingFolds < 2 { throw ValidationError("--ceiling-folds must be ≥ 2") }
        if ceilingFolds != nil && adaptBatchNorm { throw ValidationError("--ceiling-folds trains on fixed inputs; it cannot be combined with --adapt-batch-norm") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be > 0") }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let device = try self.device.resolve()
        let classifier = try ClassifierModel.load(from: URL(fileURLWithPath: model))
        try classifier.move(to: device)
        let size = classifier.card.cropSize, normalization = classifier.card.normalization
        let orientation = classifier.card.trainingOrientation
        func options(_ dataset: String, _ masks: String?) throws -> CropOptions {
            try CropOptions.parse(["--dataset", dataset] + (masks.map { ["--masks", $0] } ?? []))
        }
        let external = try options(externalDataset, externalMasks).samples(splits: [], centres: [], cropSize: size, normalization: normalization,
                                                                                orientation: orientation)
        var configuration = FineTuning.Configuration()
        configuration.cases = cases
        configuration.epochs = epochs
        configuration.learningRate = learningRate
        configuration.seed = seed
        configuration.threshold = threshold
        configuration.adaptBatchNorm = adaptBatchNorm
        configuration.stages = stages
        if let ceilingFolds { try runCeiling(classifier, external: external, configuration: configuration, folds: ceilingFolds) }
        if draws > 1 { return try runDraws(external: external, configuration: configuration, device: device) }
        guard let internalDataset else { throw ValidationError("--internal-dataset is needed for Table 2") }
        let internalSet = try options(internalDataset, internalMasks).samples(splits: ["test"], centres: [], cropSize: size, normalization: normalization,
                                                                                     orientation: orientation)
        let result = try FineTuning.run(model: classifier, internalTest: internalSet, external: external, configuration: configuration)
        let output = URL(fileURLWithPath: out)
        for report in [result.internalReport, result.externalBefore, result.externalAfter] {
            try ClassifierEvaluator.write(report, to: output.appendingPathComponent(report.name.replacingOccurrences(of: " ", with: "-")))
        }
        try classifier.save(to: output.appendingPathComponent("finetuned"))
        print(ClassifierEvaluator.table([result.internalReport, result.externalBefore, result.externalAfter]))
        print("fine-tuned on: \(result.fineTuningCases.joined(separator: ", "))")
    }

    /// `--ceiling-folds`: how far re-weighting the last layer could take the external AUC with most external cases.
    func runCeiling(_ classifier: ClassifierModel, external: [ClassificationSample], configuration: FineTuning.Configuration, folds: Int) throws {
        let output = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let ceiling = try FineTuning.ceiling(model: classifier, external: external, configuration: configuration, folds: folds)
        struct Report: Encodable { var configuration: FineTuning.Configuration; var ceiling: FineTuning.Ceiling; var delta: Double }
        try writeJSON(Report(configuration: configuration, ceiling: ceiling, delta: ceiling.delta), to: output.appendingPathComponent("ceiling.json"))
        print(String(format: "ceiling of fine-tuning %@ (%d folds, %d cases, ≥ %d training cases per fold): external AUC %.3f → %.3f out of fold (Δ %+.3f); variance of the last layer's inputs along its first principal components: %@",
                     configuration.stages == 0 ? "the last layer" : "the last layer and \(configuration.stages) stage(s)",
                     ceiling.folds, ceiling.cases, ceiling.trainingCasesPerFold, ceiling.aucOriginal, ceiling.aucFineTuned, ceiling.delta,
                     ceiling.principalVariance.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
    }

    /// `--draws`: the external AUC before/after fine-tuning over many random choices of the fine-tuning cases.
    func runDraws(external: [ClassificationSample], configuration: FineTuning.Configuration, device: Device) throws {
        let output = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // The bar starts after the one-off scoring of every external case, so that its rate and ETA are the draws'.
        var bar: ProgressReporter?
        let load = {
            let loaded = try ClassifierModel.load(from: URL(fileURLWithPath: model))
            try loaded.move(to: device)
            return loaded
        }
        let results = try FineTuning.repeated(load: load, external: external,
                                              configuration: configuration, draws: draws,
                                              prepared: { bar = ProgressReporter(total: draws, label: "fine-tuning draws") }) { _, draw in
            bar?.advance(detail: String(format: "seed %llu: %.3f → %.3f", draw.seed, draw.aucBefore, draw.aucAfter))
        }
        bar?.finish()
        let summary = FineTuning.DrawSummary(results)
        var csv = "seed,held_out_cases,auc_before,auc_after,delta,fine_tuning_cases\n"
        for d in results {
            csv += String(format: "%llu,%d,%.6f,%.6f,%.6f,", d.seed, d.heldOutCases, d.aucBefore, d.aucAfter, d.delta)
                + d.fineTuningCases.joined(separator: " ") + "\n"
        }
        try AtomicFile.write(Data(csv.utf8), to: output.appendingPathComponent("draws.csv"))
        struct Report: Encodable { var configuration: FineTuning.Configuration; var summary: FineTuning.DrawSummary; var draws: [FineTuning.Draw] }
        try writeJSON(Report(configuration: configuration, summary: summary, draws: results), to: output.appendingPathComponent("draws.json"))
        print(String(format: "%d draws of %d fine-tuning cases: external AUC raised in %d; Δ mean %+.4f (SD %.4f, %+.4f … %+.4f), Wilcoxon p %@",
                     summary.draws, configuration.cases, summary.raised, summary.meanDelta, summary.sdDelta, summary.minDelta, summary.maxDelta,
                     summary.wilcoxonP.map { String(format: "%.3g", $0) } ?? "–"))
    }
}

extension FineTuning.ThresholdSource: ExpressibleByArgument {}
