import Foundation
import Interop
import NN

/// Writes a NeoICH segmentation model as an nnU-Net v2 results folder that `nnUNetPredictor` (and
/// `nnUNetv2_predict -d … -c 3d_fullres -f 0`) loads: `dataset.json`, `plans.json` (configuration `3d_fullres`,
/// PlainConvUNet, CTNormalization with the model's statistics, nnU-Net's default resampling) and
/// `fold_0/checkpoint_final.pth` with the weights under every key PyTorch's `state_dict` lists (aliases included,
/// as `load_state_dict(strict=True)` wants them).
///
/// nnU-Net does not reorient scans: it sees the voxel array as stored, so the export sees what NeoICH sees only
/// for scans stored in the model's training orientation (`SegmentationPlans.trainingOrientation`).
public enum NNUNetExport {
    /// nnU-Net's folder name for the trainer, plans and configuration written.
    public static let modelFolderName = "nnUNetTrainer__nnUNetPlans__3d_fullres"

    /// Writes the results folder at `folder` (conventionally `…/DatasetNNN_Name/nnUNetTrainer__nnUNetPlans__3d_fullres`).
    ///
    /// - Throws: `SegmentationError.invalidConfiguration` for a model that is not NeoICH's own PlainConvUNet,
    ///   `InteropError.unwritable` / file errors naming the file that cannot be written.
    public static func write(_ model: SegmentationModel, to folder: URL) throws {
        guard model.nnUNet == nil, let network = model.network as? PlainConvUNet else {
            throw SegmentationError.invalidConfiguration(detail: "only NeoICH's own PlainConvUNet models are exported (an nnU-Net results folder already is one)")
        }
        let parent = folder.deletingLastPathComponent().lastPathComponent
        let datasetName = parent.hasPrefix("Dataset") ? parent : model.plans.datasetName
        let dataset = datasetJSON(model.plans)
        let plans = plansJSON(model.plans, architecture: network.architecture, datasetName: datasetName)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("fold_0"), withIntermediateDirectories: true)
        try writeJSON(dataset, to: folder.appendingPathComponent("dataset.json"))
        try writeJSON(plans, to: folder.appendingPathComponent("plans.json"))
        let weights = try stateDictWithAliases(network).map { (key: PickleValue.string($0.name), value: PickleValue.tensor(try $0.tensor.detached())) }
        let checkpoint = PickleValue.dict([
            (.string("network_weights"), .dict(weights)),
            (.string("init_args"), .dict([(.string("plans"), plans), (.string("configuration"), .string("3d_fullres")),
                                          (.string("fold"), .int(0)), (.string("dataset_json"), dataset)])),
            (.string("trainer_name"), .string("nnUNetTrainer")),
            (.string("inference_allowed_mirroring_axes"), .tuple([.int(0), .int(1), .int(2)])),
            (.string("current_epoch"), .int(0)),
        ])
        try CheckpointWriter.write(value: checkpoint, to: folder.appendingPathComponent("fold_0/checkpoint_final.pth"))
    }

    /// `dataset.json`: one CT channel, the plans' labels.
    static func datasetJSON(_ plans: SegmentationPlans) -> PickleValue {
        .dict([
            (.string("channel_names"), .dict([(.string("0"), .string("CT"))])),
            (.string("labels"), .dict(plans.labelNames.enumerated().map { (key: .string($0.element), value: .int($0.offset)) })),
            (.string("numTraining"), .int(0)),
            (.string("file_ending"), .string(".nii.gz")),
        ])
    }

    /// nnU-Net v2's `plans.json` for one 3d_fullres configuration.
    static func plansJSON(_ plans: SegmentationPlans, architecture a: UNetArchitecture, datasetName: String) -> PickleValue {
        func ints(_ list: [Int]) -> PickleValue { .list(list.map { .int($0) }) }
        func doubles(_ list: [Double]) -> PickleValue { .list(list.map { .float($0) }) }
        func dict(_ items: [(String, PickleValue)]) -> PickleValue { .dict(items.map { (key: .string($0.0), value: $0.1) }) }
        let stages = a.featuresPerStage.count
        let resampling: (Int) -> PickleValue = { order in
            dict([("is_seg", .bool(false)), ("order", .int(order)), ("order_z", .int(0)), ("force_separate_z", .none)])
        }
        let architecture = dict([
            ("network_class_name", .string("dynamic_network_architectures.architectures.unet.PlainConvUNet")),
            ("arch_kwargs", dict([
                ("n_stages", .int(stages)), ("features_per_stage", ints(a.featuresPerStage)),
                ("conv_op", .string("torch.nn.modules.conv.Conv3d")), ("kernel_sizes", .list(a.kernelSizes.map(ints))),
                ("strides", .list(a.strides.map(ints))), ("n_conv_per_stage", ints(Array(repeating: a.convolutionsPerStage, count: stages))),
                ("n_conv_per_stage_decoder", ints(Array(repeating: a.convolutionsPerDecoderStage, count: stages - 1))),
                ("conv_bias", .bool(true)), ("norm_op", .string("torch.nn.modules.instancenorm.InstanceNorm3d")),
                ("norm_op_kwargs", dict([("eps", .float(1e-5)), ("affine", .bool(true))])),
                ("dropout_op", .none), ("dropout_op_kwargs", .none),
                ("nonlin", .string("torch.nn.LeakyReLU")), ("nonlin_kwargs", dict([("inplace", .bool(true))])),
            ])),
            ("_kw_requires_import", .list(["conv_op", "norm_op", "dropout_op", "nonlin"].map { .string($0) })),
        ])
        let configuration = dict([
            ("data_identifier", .string("nnUNetPlans_3d_fullres")), ("preprocessor_name", .string("DefaultPreprocessor")),
            ("batch_size", .int(plans.batchSize)), ("patch_size", ints(plans.patchSize)),
            ("median_image_size_in_voxels", doubles(plans.medianShapeAfterResampling)),
            ("spacing", doubles(plans.targetSpacingMM)), ("normalization_schemes", .list([.string("CTNormalization")])),
            ("use_mask_for_norm", .list([.bool(false)])),
            ("resampling_fn_data", .string("resample_data_or_seg_to_shape")),
            ("resampling_fn_seg", .string("resample_data_or_seg_to_shape")),
            ("resampling_fn_data_kwargs", resampling(3)),
            ("resampling_fn_seg_kwargs", dict([("is_seg", .bool(true)), ("order", .int(1)), ("order_z", .int(0)), ("force_separate_z", .none)])),
            ("resampling_fn_probabilities", .string("resample_data_or_seg_to_shape")),
            ("resampling_fn_probabilities_kwargs", resampling(1)),
            ("architecture", architecture), ("batch_dice", .bool(plans.batchDice)),
        ])
        let n = plans.normalization
        return dict([
            ("dataset_name", .string(datasetName)), ("plans_name", .string("nnUNetPlans")),
            ("original_median_spacing_after_transp", doubles(plans.targetSpacingMM)),
            ("original_median_shape_after_transp", ints(plans.medianShapeAfterResampling.map { Int($0.rounded()) })),
            ("image_reader_writer", .string("SimpleITKIO")), ("transpose_forward", ints([0, 1, 2])),
            ("transpose_backward", ints([0, 1, 2])), ("configurations", dict([("3d_fullres", configuration)])),
            ("experiment_planner_used", .string("NeoICH export")), ("label_manager", .string("LabelManager")),
            ("foreground_intensity_properties_per_channel", dict([("0", dict([
                ("mean", .float(n.meanHU)), ("std", .float(n.stdHU)),
                ("percentile_00_5", .float(n.lowerHU)), ("percentile_99_5", .float(n.upperHU)),
            ]))])),
        ])
    }

    /// PlainConvUNet's state dict with the aliases dynamic_network_architectures' modules add: `decoder.encoder.*`
    /// (the decoder holds the encoder) and `….all_modules.0|1.*` (each conv block's Sequential of conv and norm).
    static func stateDictWithAliases(_ network: PlainConvUNet) -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        func withBlockAliases(_ entries: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
            var out = entries
            for (name, tensor) in entries where name.contains(".convs.") {
                if name.contains(".conv.") { out.append((name.replacingOccurrences(of: ".conv.", with: ".all_modules.0."), tensor)) }
                if name.contains(".norm.") { out.append((name.replacingOccurrences(of: ".norm.", with: ".all_modules.1."), tensor)) }
            }
            return out
        }
        let state = network.stateDict()
        let encoder = withBlockAliases(state.filter { $0.name.hasPrefix("encoder.") })
        let decoder = withBlockAliases(state.filter { $0.name.hasPrefix("decoder.") })
        result += encoder
        result += encoder.map { ("decoder." + $0.name, $0.tensor) }
        result += decoder
        return result
    }

    static func writeJSON(_ value: PickleValue, to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: jsonObject(value), options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: url)
    }

    static func jsonObject(_ value: PickleValue) -> Any {
        switch value {
        case .none: NSNull()
        case .bool(let b): b
        case .int(let i): i
        case .float(let d): d
        case .string(let s): s
        case .list(let items), .tuple(let items): items.map(jsonObject)
        case .dict(let items):
            Dictionary(items.map { ($0.key.stringValue ?? "\($0.key)", jsonObject($0.value)) }, uniquingKeysWith: { $1 })
        default: NSNull()
        }
    }
}
