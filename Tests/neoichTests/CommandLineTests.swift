import Foundation
import Imaging
import Pipeline
import Testing
import TestSupport
import Torch

/// Every subcommand as a user's shell runs it (a separate process): its help, one bad input and, where a run
/// takes seconds on tiny models and scans, one success, each with its exit status (0 done, 64 usage, 65 data).
@Suite(.serialized) struct CommandLineTests {
    let neoich = ChildProcess.built("neoich")
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory("neoich-cli")
    }

    func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(neoich, arguments, environment: ["NEOICH_THREADS": "1"])
    }

    /// Runs and requires `status`, reporting the output otherwise.
    @discardableResult
    func expectStatus(_ status: Int32, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ChildProcess.Outcome {
        let outcome = try run(arguments)
        #expect(outcome.status == status, "neoich \(arguments.joined(separator: " ")): status \(outcome.status)\n\(outcome.standardOutput)\n\(outcome.standardError)",
                sourceLocation: sourceLocation)
        return outcome
    }

    static let subcommands: [[String]] = [
        ["doctor"], ["info"], ["convert"], ["synth"], ["phantom-calibration"], ["plan"], ["train-seg"], ["segment"],
        ["evaluate-seg"], ["train-cls"], ["evaluate-cls"], ["finetune"], ["export-monai"], ["import-monai"], ["explain"],
        ["faithfulness"], ["predict"], ["serve"], ["plumbing-fixtures"], ["analyze"], ["dataset"], ["dataset", "subset"],
        ["dataset", "resplit"], ["dataset", "list"], ["card"], ["card", "notice"], ["card", "segmentation"],
        ["export-nnunet"], ["watch"], ["merge"], ["shard"], ["launch"],
    ]

    @Test(arguments: subcommands)
    func helpExitsZeroWithUsage(_ command: [String]) throws {
        let outcome = try expectStatus(0, command + ["--help"])
        #expect(outcome.standardOutput.contains("USAGE: neoich \(command.joined(separator: " "))"), "\(outcome.standardOutput)")
    }

    @Test func anUnknownOptionIsAUsageError() throws {
        let outcome = try expectStatus(64, ["segment", "--no-such-option"])
        #expect(outcome.standardError.contains("Usage: neoich segment"), "\(outcome.standardError)")
    }

    @Test func aClosedChoiceListsItsValues() throws {
        let outcome = try expectStatus(64, ["segment", "ct.nii.gz", "-o", "m.nii.gz", "--post-processing", "biggest"])
        #expect(outcome.standardError.contains("keepAll") && outcome.standardError.contains("largestICH"), "\(outcome.standardError)")
        let help = try expectStatus(0, ["explain", "--help"])
        #expect(help.standardOutput.contains("values: monai, grad-cam"), "\(help.standardOutput)")
    }

    /// A file that is not there is a data error naming it, never a usage error or a crash.
    @Test func aMissingFileIsADataErrorNamingIt() throws {
        let missing = directory.file("missing").path
        let models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        let cases: [[String]] = [
            ["info", missing + ".nii.gz"],
            ["convert", missing, directory.file("out.nii.gz").path],
            ["phantom-calibration", missing],
            ["plan", missing],
            ["train-seg", missing, "-o", directory.file("run").path],
            ["segment", missing + ".nii.gz", "-o", directory.file("m.nii.gz").path, "--model", models.segmentation.path],
            ["segment", missing + ".nii.gz", "-o", directory.file("m.nii.gz").path, "--model", missing],
            ["evaluate-seg", missing, missing],
            ["train-cls", "--dataset", missing, "--out", directory.file("cls").path],
            ["evaluate-cls", "--dataset", missing, "--model", models.classifier.path, "--out", directory.file("e").path],
            ["finetune", "--model", missing, "--external-dataset", missing, "--out", directory.file("f").path, "--draws", "2"],
            ["export-monai", missing, directory.file("x.pt").path],
            ["import-monai", missing + ".json", missing + ".pt", directory.file("imported").path],
            ["explain", "--weights", missing + ".safetensors", "--model-card", missing + ".json", "--crop", missing, "--crop-labels", missing,
             "--output", directory.file("x").path],
            ["faithfulness", "--weights", missing + ".safetensors", "--model-card", missing + ".json", "--crop", missing, "--crop-labels", missing,
             "--output", directory.file("f.json").path],
            ["predict", missing + ".nii.gz", "-o", directory.file("p").path, "--segmentation-model", models.segmentation.path,
             "--classifier-model", models.classifier.path],
            ["analyze", missing],
            ["dataset", "subset", missing, directory.file("Dataset999_Sub").path, "--first", "1"],
            ["dataset", "resplit", missing, "--to", "test"],
            ["dataset", "list", missing],
            ["card", "notice", missing, "text"],
            ["card", "segmentation", missing, "--name", "n", "--notice", "n", "--training-data", "d", "--training", "t",
             "--command", "c", "--evaluation-command", "e"],
            ["export-nnunet", "--model", missing, "-o", directory.file("Dataset901_X/nnUNetTrainer__nnUNetPlans__3d_fullres").path],
            ["merge", "-o", directory.file("merged").path, missing],
            ["watch", "--orthanc", "http://127.0.0.1:9", "--credentials", missing, "--state", directory.file("watch.json").path,
             "--once", "-o", directory.file("watch").path],
        ]
        for arguments in cases {
            let outcome = try expectStatus(65, arguments)
            #expect(outcome.standardError.contains(missing), "neoich \(arguments[0]): \(outcome.standardError)")
            #expect(!outcome.standardError.contains("Usage:"), "neoich \(arguments[0]): \(outcome.standardError)")
        }
        // The reader refuses to start without its models (an option naming them: usage).
        try expectStatus(64, ["serve", "--segmentation-model", missing, "--classifier-model", missing])
        // A synthetic cohort cannot be written over a file.
        try Data().write(to: directory.file("file"))
        #expect(try run(["synth", "--cases", "1", "--matrix", "64", "--out", directory.file("file").path]).status != 0)
    }

    /// `--device` / `NEOICH_DEVICE` / `--precision`: a bad value is a usage error (64); CUDA on a machine whose
    /// libtorch has none is a runtime failure (1) that says what is missing; `--device cpu` runs.
    @Test func deviceAndPrecisionOptions() throws {
        let root = directory.file("device")
        try expectStatus(0, ["plumbing-fixtures", root.path, "--cases", "1"])
        let model = root.appendingPathComponent("models/segmentation").path
        let ct = root.appendingPathComponent("examples/tiny_000.nii.gz").path
        let segment = ["segment", ct, "-o", directory.file("device.nii.gz").path, "--model", model, "--no-mirroring"]
        let bad = try expectStatus(64, segment + ["--device", "gpu"])
        #expect(bad.standardError.contains("--device gpu"), "\(bad.standardError)")
        let half = try expectStatus(64, segment + ["--device", "cpu", "--precision", "fp16"])
        #expect(half.standardError.contains("runs only on CUDA"), "\(half.standardError)")
        try expectStatus(64, segment + ["--precision", "fp64"])
        let badEnvironment = try ChildProcess.run(neoich, segment, environment: ["NEOICH_THREADS": "1", "NEOICH_DEVICE": "tpu"])
        #expect(badEnvironment.status == 64 && badEnvironment.standardError.contains("NEOICH_DEVICE"), "\(badEnvironment.standardError)")
        try expectStatus(0, segment + ["--device", "cpu", "--precision", "fp32"])
        // The flag wins over the environment.
        let flagWins = try ChildProcess.run(neoich, segment + ["--device", "cpu"], environment: ["NEOICH_THREADS": "1", "NEOICH_DEVICE": "cuda"])
        #expect(flagWins.status == 0, "\(flagWins.standardError)")
        guard !Runtime.hasCUDA else { return }
        for arguments in [segment + ["--device", "cuda"], ["train-seg", directory.file("none").path, "-o", directory.file("r").path, "--device", "cuda:1"]] {
            let outcome = try expectStatus(1, arguments)
            #expect(outcome.standardError.contains("CUDA is not available: libtorch built without CUDA"), "\(outcome.standardError)")
        }
        let fromEnvironment = try ChildProcess.run(neoich, segment, environment: ["NEOICH_THREADS": "1", "NEOICH_DEVICE": "cuda"])
        #expect(fromEnvironment.status == 1 && fromEnvironment.standardError.contains("libtorch built without CUDA"),
                "\(fromEnvironment.standardError)")
        // (doctor exits 1 when it finds a problem elsewhere, e.g. no dcm2niix; its JSON is printed either way.)
        let doctor = try run(["doctor", "--json"])
        #expect(doctor.standardOutput.contains("\"gpuSummary\" : \"none (libtorch built without CUDA)\"")
                || doctor.standardOutput.contains("\"gpuSummary\":\"none (libtorch built without CUDA)\""), "\(doctor.standardOutput)")
    }

    @Test func theTinyModelsSegmentPredictAndExplain() throws {
        let root = directory.file("plumbing")
        try expectStatus(0, ["plumbing-fixtures", root.path, "--cases", "2"])
        let models = root.appendingPathComponent("models"), examples = root.appendingPathComponent("examples")
        let ct = examples.appendingPathComponent("tiny_000.nii.gz").path
        let info = try expectStatus(0, ["info", ct])
        #expect(info.standardOutput.contains("8"), "\(info.standardOutput)")
        try expectStatus(0, ["segment", ct, "-o", directory.file("one.nii.gz").path, "--model", models.appendingPathComponent("segmentation").path,
                             "--no-mirroring"])
        #expect(FileManager.default.fileExists(atPath: directory.file("one.nii.gz").path))
        // The default model folder is $NEOICH_MODELS/segmentation, as for predict.
        let masks = directory.file("masks").path
        let first = try ChildProcess.run(neoich, ["segment", "--cohort", examples.path, "-o", masks, "--no-mirroring"],
                                         environment: ["NEOICH_THREADS": "1", "NEOICH_MODELS": models.path])
        #expect(first.status == 0 && first.standardOutput.contains("2 segmented, 0 already done"), "\(first.standardOutput)\(first.standardError)")
        let again = try ChildProcess.run(neoich, ["segment", "--cohort", examples.path, "-o", masks, "--no-mirroring"],
                                         environment: ["NEOICH_THREADS": "1", "NEOICH_MODELS": models.path])
        #expect(again.status == 0 && again.standardOutput.contains("0 segmented, 2 already done"), "\(again.standardOutput)")
        let evaluation = try expectStatus(0, ["evaluate-seg", masks, masks, "-o", directory.file("dice").path])
        #expect(evaluation.standardOutput.contains("over 2 cases"), "\(evaluation.standardOutput)")
        try expectStatus(0, ["predict", ct, "-o", directory.file("predicted").path, "--no-mirroring",
                             "--segmentation-model", models.appendingPathComponent("segmentation").path,
                             "--classifier-model", models.appendingPathComponent("classifier").path])
        try expectStatus(0, ["export-monai", models.appendingPathComponent("classifier").path, directory.file("c.pt").path])
        try expectStatus(0, ["import-monai", models.appendingPathComponent("classifier/model.json").path, directory.file("c.pt").path,
                             directory.file("imported").path])
        try expectStatus(0, ["card", "notice", directory.file("imported").path, "Untrained; for tests."])
        let card = try String(contentsOf: directory.file("imported/model.json"), encoding: .utf8)
        #expect(card.contains("Untrained; for tests."))
        try expectStatus(0, ["card", "segmentation", models.appendingPathComponent("segmentation").path, "--name", "tiny",
                             "--notice", "untrained", "--training-data", "none", "--training", "none", "--command", "plumbing-fixtures",
                             "--evaluation-command", "evaluate-seg", "--evaluation", "self=\(directory.file("dice").path)",
                             "--aggregate", "absent=\(directory.file("nothing").path)"])
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: models.appendingPathComponent("segmentation/model-card.json"))) as? [String: Any]
        let sets = written?["evaluation"] as? [String: Any]
        #expect((sets?["self"] as? [String: Any])?["cases"] != nil)
        #expect(sets?["absent"] is NSNull)
        #expect(written?["architecture"] as? String == "PlainConvUNet (nnU-Net v2 state-dict names), plans.json in this folder")
    }

    @Test func aSyntheticCohortIsSubsetResplitListedAndPlanned() throws {
        let source = directory.file("Dataset901_Tiny")
        try expectStatus(0, ["synth", "--cases", "3", "--matrix", "64", "--seed", "5", "--out", source.path])
        let subset = directory.file("Dataset902_TinySub")
        let made = try expectStatus(0, ["dataset", "subset", source.path, subset.path, "--first", "2"])
        #expect(made.standardOutput.contains("2 cases"))
        let again = try expectStatus(0, ["dataset", "subset", source.path, subset.path, "--first", "2"])
        #expect(again.standardOutput.contains("already these 2 cases"), "\(again.standardOutput)")
        let listed = try expectStatus(0, ["dataset", "list", subset.path])
        let ids = listed.standardOutput.split(separator: "\n").map(String.init)
        let all = try expectStatus(0, ["dataset", "list", source.path]).standardOutput.split(separator: "\n").map(String.init)
        #expect(ids == Array(all.prefix(2)))
        try expectStatus(0, ["dataset", "resplit", subset.path, "--to", "test"])
        #expect(try CohortTable.read(subset.appendingPathComponent("cohort.csv")).records.allSatisfy { $0.split == "test" })
        #expect(try CohortTable.read(source.appendingPathComponent("cohort.csv")).records.count == 3, "the source is untouched")
        let opened = try NNUNetDataset.open(subset)
        #expect(opened.cases == ids.sorted() && opened.description.numTraining == 2)
        #expect(opened.validate().isEmpty, "\(opened.validate())")
        try expectStatus(64, ["dataset", "subset", source.path, subset.path, "--per-label", "neoplastic"])
        try expectStatus(0, ["plan", subset.path, "--cpu-budget"])
        #expect(FileManager.default.fileExists(atPath: subset.appendingPathComponent("plans.json").path))
        let run = directory.file("seg-run")
        try expectStatus(0, ["train-seg", subset.path, "-o", run.path, "--epochs", "1", "--iterations", "1", "--validation-iterations", "1",
                             "--checkpoint-every", "1", "--validation-every", "0", "--optimizer", "adam", "--no-augmentation"])
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("model.safetensors").path))
        try expectStatus(64, ["train-seg", subset.path, "-o", run.path, "--optimizer", "rmsprop"])

        // The untrained tiny classifier explains a lesion of the synthetic cohort (its card names an 8×32×32 crop).
        let models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("cls-models"))
        let id = try #require(ids.first)
        let opened2 = try NNUNetDataset.open(subset)
        let card = models.classifier.appendingPathComponent("model.json").path
        let weights = models.classifier.appendingPathComponent("model.safetensors").path
        try expectStatus(0, ["explain", "--weights", weights, "--model-card", card, "--ct", opened2.imageURL(id).path,
                             "--labels", opened2.labelURL(id).path, "--methods", "saliency,gradcam++", "--output", directory.file("explained").path])
        #expect(FileManager.default.fileExists(atPath: directory.file("explained/explanation.json").path))
        try expectStatus(0, ["faithfulness", "--weights", weights, "--model-card", card, "--ct", opened2.imageURL(id).path,
                             "--labels", opened2.labelURL(id).path, "--methods", "saliency", "--faithfulness-voxels", "16",
                             "--output", directory.file("faithfulness.json").path])
        #expect(FileManager.default.fileExists(atPath: directory.file("faithfulness.json").path))
        try expectStatus(64, ["explain", "--weights", weights, "--model-card", card, "--ct", opened2.imageURL(id).path,
                              "--labels", opened2.labelURL(id).path, "--methods", "magic", "--output", directory.file("x").path])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
    func convertTurnsADICOMSeriesIntoNIfTI() throws {
        let ct = PlumbingFixtures.syntheticCT(seed: 4)
        let folder = directory.file("series")
        try PredictDICOMCommandTests.writeSeries(ct, to: folder)
        let output = directory.file("converted.nii.gz")
        try expectStatus(0, ["convert", folder.path, output.path])
        let converted = try NIfTIFile.read(output, as: Float.self)
        #expect(converted.shape == ct.shape)
    }

    @Test func theClassifierIsTrainedEvaluatedAndFineTunedOnATinyCohort() throws {
        let dataset = directory.file("Dataset903_Cls")
        try expectStatus(0, ["synth", "--cases", "8", "--matrix", "64", "--seed", "5", "--out", dataset.path])
        let run = directory.file("cls")
        try expectStatus(0, ["train-cls", "--dataset", dataset.path, "--out", run.path, "--train-split", "train",
                             "--validation-split", "train", "--depth", "18", "--width", "2", "--epochs", "1", "--batch", "4"])
        let model = run.appendingPathComponent("best").path
        let evaluation = try expectStatus(0, ["evaluate-cls", "--dataset", dataset.path, "--model", model, "--out", directory.file("eval").path,
                                              "--split", "train"])
        #expect(evaluation.standardOutput.contains("AUC"), "\(evaluation.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: directory.file("eval/report.json").path))
        try expectStatus(0, ["finetune", "--model", model, "--external-dataset", dataset.path, "--out", directory.file("ft").path,
                             "--cases", "4", "--draws", "2", "--epochs", "1"])
        #expect(FileManager.default.fileExists(atPath: directory.file("ft/draws.json").path))
        try expectStatus(64, ["train-cls", "--dataset", dataset.path, "--out", run.path, "--depth", "19"])
        let calibration = try expectStatus(0, ["phantom-calibration", "--generate", "16", "--matrix", "64", "--folds", "2"])
        #expect(calibration.standardOutput.contains("Median ICH volume"), "\(calibration.standardOutput)")
    }

    @Test func doctorReportsTheMachine() throws {
        let outcome = try expectStatus(0, ["doctor"])
        #expect(outcome.standardOutput.contains("status"), "\(outcome.standardOutput)")
    }
}
