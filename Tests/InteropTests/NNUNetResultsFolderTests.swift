import Foundation
import Imaging
import Testing
import TestSupport
@testable import Interop
import NN
@testable import Segmentation

/// An nnU-Net v2 results folder trained by nnU-Net itself (2 folds, nnUNetTrainer_1epoch) and nnUNetPredictor's
/// probabilities and labels on two CTs (scripts/fixtures/nnunet_results_fixtures.py).
@Suite("nnU-Net results folders")
struct NNUNetResultsFolderTests {
    static let modelPath = "nnunet_results/Dataset901_NeoICHTiny/nnUNetTrainer_1epoch__nnUNetPlans__3d_fullres"

    static func modelURL() throws -> URL { try Fixture.url(modelPath, in: .module) }

    /// A writable copy of the fixture folder (under Dataset901_NeoICHTiny/, as nnU-Net lays it out).
    static func copy() throws -> (TemporaryDirectory, URL) {
        let scratch = try TemporaryDirectory()
        let dataset = scratch.file("Dataset901_NeoICHTiny")
        try FileManager.default.createDirectory(at: dataset, withIntermediateDirectories: true)
        let model = dataset.appendingPathComponent(try modelURL().lastPathComponent)
        try FileManager.default.copyItem(at: try modelURL(), to: model)
        return (scratch, model)
    }

    /// Rewrites a JSON file of a copied folder.
    static func edit(_ url: URL, _ change: (inout [String: Any]) -> Void) throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        change(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: url)
    }

    static func editConfiguration(_ plans: URL, _ change: @escaping (inout [String: Any]) -> Void) throws {
        try edit(plans) { object in
            var configurations = object["configurations"] as? [String: Any] ?? [:]
            var config = configurations["3d_fullres"] as? [String: Any] ?? [:]
            change(&config)
            configurations["3d_fullres"] = config
            object["configurations"] = configurations
        }
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: Fixture.url("nnunet_results/\(name)", in: .module))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    struct PredictorSummary: Decodable {
        struct Case: Decodable { var shape: [Int] }
        var allowed_mirroring_axes: [Int]
        var cases: [String: Case]
    }

    // MARK: - reading

    @Test func readsPlansLabelsFoldsAndMirroringAxes() throws {
        let model = try NNUNetResultsFolder.read(Self.modelURL())
        let summary = try Fixture.json(PredictorSummary.self, "nnunet_results/predictor.json", in: .module)
        #expect(model.folds == ["0", "1"])
        #expect(model.networks.count == 2)
        #expect(model.labelNames == ["background", "ICH", "PHE"])
        #expect(model.neoICHLabels == [0, 1, 2])
        #expect(model.plans.configuration == "3d_fullres")
        #expect(model.plans.spacingMM == [4, 1, 1])
        #expect(model.mirroringAxes == summary.allowed_mirroring_axes)
        #expect(model.trainerName == "nnUNetTrainer_1epoch")
        #expect(NNUNetResultsFolder.isResultsFolder(try Self.modelURL()))
        let one = try NNUNetResultsFolder.read(Self.modelURL(), selection: .init(folds: ["1"]))
        #expect(one.folds == ["1"])
    }

    @Test func foldListsParseAsNNUNetsOption() {
        #expect(NNUNetModelSelection.parseFolds("0,1, 4") == ["0", "1", "4"])
        #expect(NNUNetModelSelection.parseFolds("all") == ["all"])
        #expect(NNUNetModelSelection.parseFolds("0,x") == nil)
        #expect(NNUNetModelSelection.parseFolds("") == nil)
        #expect(NNUNetEnsemblePredictor.combinations([2, 3, 4], 2) == [[2, 3], [2, 4], [3, 4]])
    }

    // MARK: - parity with nnUNetPredictor

    @Test func probabilitiesAndLabelsMatchNNUNetPredictorWithoutResampling() throws {
        try checkParity(case: "native", probabilityTolerance: 1e-3)
    }

    /// Cropped to the non-zero box and resampled in-plane (1.3 → 1 mm and back); parity means labels agreeing on
    /// ≥ 99.9 % of voxels here, and the probabilities also stay within 1e-3 of nnU-Net's.
    @Test func labelsMatchNNUNetPredictorWhenCroppedAndResampled() throws {
        try checkParity(case: "resampled", probabilityTolerance: 1e-3)
    }

    func checkParity(case name: String, probabilityTolerance: Float?) throws {
        let model = try NNUNetResultsFolder.read(Self.modelURL())
        let ct: Volume<Float> = try NIfTIFile.read(Fixture.url("nnunet_results/\(name)_0000.nii.gz", in: .module))
        let prediction = try NNUNetEnsemblePredictor(model: model).predict(ct)
        let reference = try NIfTIFile.readLabels(Fixture.url("nnunet_results/\(name)_labels.nii.gz", in: .module))
        #expect(prediction.labels.shape == reference.shape)
        var agreeing = 0
        prediction.labels.withUnsafeVoxels { ours in
            reference.withUnsafeVoxels { theirs in
                for i in 0..<ours.count where ours[i] == theirs[i] { agreeing += 1 }
            }
        }
        let fraction = Double(agreeing) / Double(reference.count)
        #expect(fraction >= 0.999, "\(name): labels agree on \(fraction * 100) % of voxels")
        let expectedProbabilities = try Self.floats("\(name)_probabilities.f32")
        let ours = try prediction.probabilities.flattened().scalars(as: Float.self)
        #expect(ours.count == expectedProbabilities.count)
        let largest = zip(ours, expectedProbabilities).map { abs($0 - $1) }.max() ?? .infinity
        if let probabilityTolerance {
            #expect(largest <= probabilityTolerance, "\(name): largest probability difference \(largest)")
        }
        // Both find the lesion.
        #expect(reference.withUnsafeVoxels { $0.contains(1) })
    }

    @Test func segmentationModelReadsTheFolderAndPredictsThroughIt() throws {
        let model = try SegmentationModel.read(Self.modelURL(), selection: .init(folds: ["0", "1"]))
        #expect(model.nnUNet != nil)
        #expect(model.plans.labelNames == ["background", "ICH", "PHE"])
        let ct: Volume<Float> = try NIfTIFile.read(Fixture.url("nnunet_results/native_0000.nii.gz", in: .module))
        let (labels, tiles) = try model.segment(ct)
        let direct = try NNUNetEnsemblePredictor(model: #require(model.nnUNet)).predict(ct)
        let a = labels.withUnsafeVoxels { Array($0) }, b = direct.labels.withUnsafeVoxels { Array($0) }
        #expect(zip(a, b).filter { $0 != $1 }.count == 0 && a.count == b.count)
        #expect(tiles.run > 1)
    }

    // MARK: - ResidualEncoderUNet

    @Test func residualEncoderUNetMatchesDynamicNetworkArchitectures() throws {
        let architecture = ResidualEncoderUNetArchitecture(
            classes: 3, featuresPerStage: [4, 8, 16, 16], kernelSizes: [[1, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]],
            strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2], [1, 2, 2]], blocksPerStage: [1, 2, 2, 1], convolutionsPerDecoderStage: [1, 1, 2])
        let network = try ResidualEncoderUNet(architecture, generator: Generator(seed: 1))
        let checkpoint = try TorchCheckpoint.load(Fixture.url("nnunet_results/resenc_state_dict.pth", in: .module))
        var state: [String: Tensor] = [:]
        for (name, tensor) in try #require(checkpoint.tensorDictionary) { state[name] = tensor }
        try network.load(nnUNetStateDict: state)
        let input = try Tensor(Self.floats("resenc_input.f32"), shape: [1, 1, 8, 32, 32])
        let logits = try GradMode.withoutGrad { try network.logits(input) }
        #expect(logits.shape == [1, 3, 8, 32, 32])
        let expected = try Self.floats("resenc_logits.f32").map(Double.init)
        expectClose(try logits.flattened().scalars(as: Double.self), expected, absolute: 1e-4, relative: 1e-4)
    }

    // MARK: - export

    @Test func anExportedModelReadsBackWithTheSameWeightsAndSegmentation() throws {
        let topology = NetworkTopology(strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2]], kernelSizes: [[1, 3, 3], [3, 3, 3], [3, 3, 3]],
                                       patchSize: [4, 16, 16])
        let plans = SegmentationPlans(datasetName: "Dataset903_Export", targetSpacingMM: [4, 1, 1], medianShapeAfterResampling: [8, 24, 24],
                                      patchSize: [4, 16, 16], batchSize: 2, topology: topology, featuresPerStage: [4, 8, 16],
                                      labelNames: ["background", "ICH", "PHE"],
                                      normalization: CTNormalization(lowerHU: -100, upperHU: 200, meanHU: 40, stdHU: 30))
        let network = try PlainConvUNet(UNetArchitecture(plans), generator: Generator(seed: 4))
        let scratch = try TemporaryDirectory()
        try SegmentationModel(plans: plans, network: network).write(to: scratch.file("own"))
        let folder = scratch.file("Dataset903_Export").appendingPathComponent(NNUNetExport.modelFolderName)
        try NNUNetExport.write(SegmentationModel.read(scratch.file("own")), to: folder)

        let back = try NNUNetResultsFolder.read(folder)
        #expect(back.folds == ["0"])
        #expect(back.plans.datasetName == "Dataset903_Export")
        #expect(back.mirroringAxes == [0, 1, 2])
        #expect(back.plans.normalization == plans.normalization)
        #expect(back.plans.architecture == .plain(UNetArchitecture(plans)))
        let exported = try #require(back.networks.first as? PlainConvUNet)
        let theirs = Dictionary(uniqueKeysWithValues: exported.stateDict().map { ($0.name, $0.tensor) })
        for (name, tensor) in network.stateDict() {
            let other = try #require(theirs[name], "\(name) missing from the export")
            #expect(try tensor.flattened().scalars(as: Float.self) == other.flattened().scalars(as: Float.self), "\(name)")
        }
        // Every key PyTorch's state_dict lists, aliases included (load_state_dict(strict=True) needs them).
        let checkpoint = try TorchCheckpoint.load(folder.appendingPathComponent("fold_0/checkpoint_final.pth"))
        let keys = Set(try #require(checkpoint["network_weights"]?.tensorDictionary).map(\.name))
        #expect(keys.contains("decoder.encoder.stages.0.0.convs.0.all_modules.0.weight"))
        #expect(keys.contains("decoder.stages.1.convs.1.all_modules.1.bias"))
        #expect(keys.count == network.stateDict().count * 2 + network.stateDict().filter { $0.name.hasPrefix("encoder.") }.count * 2
                - network.stateDict().filter { !$0.name.contains(".convs.") }.count)

        // A scan stored in the training orientation (LPS) at the plans' spacing, no voxel exactly 0: nnU-Net's
        // pipeline and NeoICH's see the same array, so the labels must be the same.
        let values = try Tensor.randn([8, 24, 24], generator: Generator(seed: 9)).multiplying(60).adding(45).scalars(as: Float.self)
            .map { $0 == 0 ? 1 : $0 }
        let geometry = VolumeGeometry(shape: VolumeShape(z: 8, y: 24, x: 24), spacingMM: SpacingMM(z: 4, y: 1, x: 1),
                                      affine: Affine(diagonal: -1, -1, 4))
        let ct = try Volume<Float>(geometry: geometry, voxels: values)
        let neoICH = try SlidingWindowPredictor(network: network, plans: plans,
                                                configuration: PredictionConfiguration(mirroring: true, skipAirTiles: false)).predict(ct)
        // float32 throughout (NeoICH's own predictor does not round to float16 as nnU-Net does).
        let nnUNet = try NNUNetEnsemblePredictor(model: back, halfPrecision: false).predict(ct)
        let ourLabels = neoICH.withUnsafeVoxels { Array($0) }, exportLabels = nnUNet.labels.withUnsafeVoxels { Array($0) }
        #expect(ourLabels.count == exportLabels.count)
        #expect(zip(ourLabels, exportLabels).filter { $0 != $1 }.count == 0)
        #expect(Set(ourLabels).count > 1, "a segmentation with more than one label")
    }

    /// The bundled demo model exported and run by nnUNetPredictor (fold 0, no mirroring; export_labels.nii.gz,
    /// written by nnunet_results_fixtures.py --check-export): NeoICH reading the same export agrees.
    @Test func nnUNetPredictorOnTheExportedDemoModelAgreesWithNeoICH() throws {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/segmentation")
        let scratch = try TemporaryDirectory()
        let folder = scratch.file("Dataset902_NeoICHExport").appendingPathComponent(NNUNetExport.modelFolderName)
        try NNUNetExport.write(SegmentationModel.read(models), to: folder)
        let model = try NNUNetResultsFolder.read(folder)
        let ct: Volume<Float> = try NIfTIFile.read(Fixture.url("nnunet_results/native_0000.nii.gz", in: .module))
        let ours = try NNUNetEnsemblePredictor(model: model, mirroring: false).predict(ct).labels.withUnsafeVoxels { Array($0) }
        let theirs = try NIfTIFile.readLabels(Fixture.url("nnunet_results/export_labels.nii.gz", in: .module)).withUnsafeVoxels { Array($0) }
        #expect(ours.count == theirs.count)
        #expect(zip(ours, theirs).filter { $0 != $1 }.count == 0)
        #expect(theirs.contains(1), "nnU-Net finds ICH with the exported model")
    }

    @Test func residualEncoderPlansAreRead() throws {
        let plansURL = try Self.modelURL().appendingPathComponent("plans.json")
        var plans = try JSONSerialization.jsonObject(with: Data(contentsOf: plansURL)) as? [String: Any] ?? [:]
        var configurations = plans["configurations"] as? [String: Any] ?? [:]
        var config = configurations["3d_fullres"] as? [String: Any] ?? [:]
        var architecture = config["architecture"] as? [String: Any] ?? [:]
        var kwargs = architecture["arch_kwargs"] as? [String: Any] ?? [:]
        architecture["network_class_name"] = "dynamic_network_architectures.architectures.unet.ResidualEncoderUNet"
        kwargs["n_blocks_per_stage"] = [1, 3, 4, 6]
        kwargs["n_conv_per_stage_decoder"] = [1, 1, 1]
        kwargs["block"] = "dynamic_network_architectures.building_blocks.residual.BasicBlockD"
        kwargs["n_conv_per_stage"] = nil
        architecture["arch_kwargs"] = kwargs
        config["architecture"] = architecture
        configurations["3d_fullres"] = config
        plans["configurations"] = configurations
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: plans))
        let dataset = try JSONValue.read(Self.modelURL().appendingPathComponent("dataset.json"))
        let read = try NNUNetResultsFolder.configurationPlans(json.pickle, configuration: "3d_fullres", dataset: dataset.pickle, file: "plans.json")
        guard case .residualEncoder(let a) = read.architecture else { Issue.record("expected a ResidualEncoderUNet"); return }
        #expect(a.blocksPerStage == [1, 3, 4, 6])
        #expect(a.convolutionsPerDecoderStage == [1, 1, 1])
        #expect(a.featuresPerStage == [4, 8, 16, 32])
        #expect(a.classes == 3 && a.inputChannels == 1)
        _ = try ResidualEncoderUNet(a, generator: Generator(seed: 0))
        // BottleneckD blocks are not built.
        kwargs["block"] = "dynamic_network_architectures.building_blocks.residual.BottleneckD"
        architecture["arch_kwargs"] = kwargs
        config["architecture"] = architecture
        configurations["3d_fullres"] = config
        plans["configurations"] = configurations
        let bottleneck = try JSONDecoder().decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: plans))
        #expect { _ = try NNUNetResultsFolder.configurationPlans(bottleneck.pickle, configuration: "3d_fullres", dataset: dataset.pickle, file: "plans.json") }
            throws: { "\($0)".contains("arch_kwargs.block") && "\($0)".contains("BottleneckD") }
    }

    // MARK: - bad input

    @Test func aMissingFoldOrCheckpointIsNamed() throws {
        #expect { _ = try NNUNetResultsFolder.read(Self.modelURL(), selection: .init(folds: ["0", "3"])) }
            throws: { "\($0)".contains("fold_3/checkpoint_final.pth") }
        #expect { _ = try NNUNetResultsFolder.read(Self.modelURL(), selection: .init(checkpoint: .best)) }
            throws: { "\($0)".contains("fold_*/checkpoint_best.pth") }
    }

    @Test func anUnknownNetworkClassIsRefusedNamingTheField() throws {
        let (scratch, model) = try Self.copy()
        _ = scratch
        try Self.editConfiguration(model.appendingPathComponent("plans.json")) { config in
            var architecture = config["architecture"] as? [String: Any] ?? [:]
            architecture["network_class_name"] = "monai.networks.nets.SwinUNETR"
            config["architecture"] = architecture
        }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { error in
            let text = "\(error)"
            return text.contains("plans.json") && text.contains("network_class_name") && text.contains("SwinUNETR")
        }
    }

    @Test func weightsOfAnotherShapeAreRefusedNamingTheCheckpoint() throws {
        let checkpoint = try TorchCheckpoint.load(Self.modelURL().appendingPathComponent("fold_0/checkpoint_final.pth"))
        let model = try NNUNetResultsFolder.read(Self.modelURL(), selection: .init(folds: ["0"]))
        guard case .plain(var architecture) = model.plans.architecture else { Issue.record("expected a PlainConvUNet"); return }
        architecture.featuresPerStage = architecture.featuresPerStage.map { $0 * 2 }
        #expect { _ = try NNUNetResultsFolder.network(.plain(architecture), weights: checkpoint, file: "fold_0/checkpoint_final.pth") }
            throws: { error in
                let text = "\(error)"
                return text.contains("fold_0/checkpoint_final.pth") && text.contains("network_weights")
            }
        // plans.json describing another network than the checkpoint was trained with.
        let (scratch, copy) = try Self.copy()
        _ = scratch
        try Self.editConfiguration(copy.appendingPathComponent("plans.json")) { config in
            var architecture = config["architecture"] as? [String: Any] ?? [:]
            var kwargs = architecture["arch_kwargs"] as? [String: Any] ?? [:]
            kwargs["features_per_stage"] = (kwargs["features_per_stage"] as? [Int] ?? []).map { $0 * 2 }
            architecture["arch_kwargs"] = kwargs
            config["architecture"] = architecture
        }
        #expect { _ = try NNUNetResultsFolder.read(copy) } throws: { error in
            let text = "\(error)"
            return text.contains("checkpoint_final.pth") && text.contains("init_args.plans")
        }
    }

    @Test func plansAndDatasetThatDisagreeAreRefused() throws {
        // Labels renamed in dataset.json: still mappable, but not what the checkpoint was trained with.
        let (scratch, model) = try Self.copy()
        _ = scratch
        try Self.edit(model.appendingPathComponent("dataset.json")) { $0["labels"] = ["background": 0, "hemorrhage": 1, "edema": 2] }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { error in
            let text = "\(error)"
            return text.contains("fold_0/checkpoint_final.pth") && text.contains("init_args.dataset_json.labels")
        }
        // A label NeoICH has no class for.
        try Self.edit(model.appendingPathComponent("dataset.json")) { $0["labels"] = ["background": 0, "ICH": 1, "IVH": 2] }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { error in
            let text = "\(error)"
            return text.contains("dataset.json") && text.contains("'IVH'")
        }
        // Two input channels.
        try Self.edit(model.appendingPathComponent("dataset.json")) {
            $0["labels"] = ["background": 0, "ICH": 1, "PHE": 2]
            $0["channel_names"] = ["0": "CT", "1": "CTA"]
        }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { "\($0)".contains("dataset.json") && "\($0)".contains("channel_names") }
        // A normalisation other than CT's.
        try Self.edit(model.appendingPathComponent("dataset.json")) { $0["channel_names"] = ["0": "CT"] }
        try Self.editConfiguration(model.appendingPathComponent("plans.json")) { $0["normalization_schemes"] = ["ZScoreNormalization"] }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { error in
            let text = "\(error)"
            return text.contains("plans.json") && text.contains("normalization_schemes") && text.contains("ZScoreNormalization")
        }
        // plans.json of another dataset than the folder it sits in.
        try Self.editConfiguration(model.appendingPathComponent("plans.json")) { $0["normalization_schemes"] = ["CTNormalization"] }
        try Self.edit(model.appendingPathComponent("plans.json")) { $0["dataset_name"] = "Dataset002_Other" }
        #expect { _ = try NNUNetResultsFolder.read(model) } throws: { "\($0)".contains("plans.json") && "\($0)".contains("dataset_name") }
    }
}
