import Foundation
import Interop
import NN

/// An nnU-Net v2 training checkpoint (`checkpoint_final.pth` / `checkpoint_best.pth`, written by
/// `nnUNetTrainer.save_checkpoint` with torch.save): the network's weights plus the plans, configuration and
/// dataset description it was trained with, read without Python (see `Interop.TorchCheckpoint`).
///
/// Only `PlainConvUNet` configurations are read; the architecture comes from the plans' `arch_kwargs`
/// (nnU-Net ≥ 2.4) or from the older `UNet_base_num_features` / `conv_kernel_sizes` / `pool_op_kernel_sizes`
/// keys, following `inherits_from`.
public struct NNUNetCheckpoint {
    public var source: String
    public var architecture: UNetArchitecture
    /// The plans configuration trained, e.g. `3d_fullres`.
    public var configuration: String
    public var trainerName: String?
    /// Axes nnU-Net mirrors at inference (test-time augmentation), as saved by the trainer.
    public var mirroringAxes: [Int]?
    public var epoch: Int?
    /// Weights under nnU-Net's state-dict keys (`module.` and `_orig_mod.` prefixes removed).
    public var weights: [String: Tensor]

    /// Reads a checkpoint file.
    ///
    /// - Throws: `InteropError` when the file is not a readable torch.save checkpoint;
    ///   `SegmentationError.invalidPlans` naming the file when it is not an nnU-Net v2 checkpoint of a
    ///   PlainConvUNet or its plans are incomplete.
    public static func read(_ url: URL) throws -> NNUNetCheckpoint {
        try read(TorchCheckpoint.load(url), source: url.path)
    }

    /// Interprets an already loaded checkpoint; `source` names it in errors.
    public static func read(_ checkpoint: PickleValue, source: String) throws -> NNUNetCheckpoint {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: source, detail: detail) }
        guard let weightsValue = checkpoint["network_weights"] else {
            throw fail("no 'network_weights': not an nnU-Net v2 training checkpoint")
        }
        guard var entries = weightsValue.tensorDictionary else { throw fail("'network_weights' is not a state dict") }
        entries = StateDictExtraction.stripModulePrefix(entries)
        if entries.allSatisfy({ $0.name.hasPrefix("_orig_mod.") }) {  // saved from a torch.compile'd network
            entries = entries.map { (String($0.name.dropFirst("_orig_mod.".count)), $0.tensor) }
        }
        guard let initArgs = checkpoint["init_args"], let plans = initArgs["plans"],
              let configuration = initArgs["configuration"]?.stringValue else {
            throw fail("no 'init_args' with 'plans' and 'configuration'")
        }
        let architecture = try Self.architecture(plans: plans, configuration: configuration, datasetJSON: initArgs["dataset_json"], source: source)
        var weights: [String: Tensor] = [:]
        for (name, tensor) in entries { weights[name] = tensor }
        return NNUNetCheckpoint(source: source, architecture: architecture, configuration: configuration,
                                trainerName: checkpoint["trainer_name"]?.stringValue,
                                mirroringAxes: checkpoint["inference_allowed_mirroring_axes"]?.elements?.compactMap(\.intValue),
                                epoch: checkpoint["current_epoch"]?.intValue, weights: weights)
    }

    /// The PlainConvUNet that `configuration` of nnU-Net `plans` describes; input channels and classes come from
    /// the dataset description (`channel_names`, `labels` without `ignore`).
    public static func architecture(plans: PickleValue, configuration: String, datasetJSON: PickleValue?,
                                    source: String) throws -> UNetArchitecture {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: source, detail: detail) }
        // Merge the configuration with the ones it inherits from (child keys win).
        var chain: [[(key: PickleValue, value: PickleValue)]] = []
        var name = configuration
        while true {
            guard case .dict(let items)? = plans["configurations"]?[name] else { throw fail("plans have no configuration '\(name)'") }
            chain.append(items)
            guard let parent = plans["configurations"]?[name]?["inherits_from"]?.stringValue else { break }
            guard chain.count < 8 else { throw fail("configuration '\(configuration)' inherits more than 8 levels deep") }
            name = parent
        }
        var merged: [(key: PickleValue, value: PickleValue)] = []
        for items in chain.reversed() { merged += items }
        let config = PickleValue.dict(merged)
        func ints(_ value: PickleValue?, _ key: String) throws -> [Int] {
            guard let list = value?.elements?.compactMap(\.intValue), list.count == value?.elements?.count else {
                throw fail("configuration '\(configuration)': '\(key)' is not a list of integers")
            }
            return list
        }
        func intLists(_ value: PickleValue?, _ key: String) throws -> [[Int]] {
            guard let outer = value?.elements else { throw fail("configuration '\(configuration)': no '\(key)'") }
            return try outer.map { try ints($0, key) }
        }
        func uniform(_ list: [Int], _ key: String) throws -> Int {
            guard let first = list.first, list.allSatisfy({ $0 == first }) else {
                throw fail("configuration '\(configuration)': '\(key)' \(list) varies by stage; NeoICH's U-Net has one count")
            }
            return first
        }
        let features: [Int], kernels: [[Int]], strides: [[Int]], encoderConvolutions: Int, decoderConvolutions: Int
        if let arch = config["architecture"] {
            let className = arch["network_class_name"]?.stringValue ?? ""
            guard className.hasSuffix("PlainConvUNet") else { throw fail("network \(className) is not supported (PlainConvUNet only)") }
            guard let kwargs = arch["arch_kwargs"] else { throw fail("architecture without arch_kwargs") }
            for (key, expected) in [("conv_op", "Conv3d"), ("norm_op", "InstanceNorm3d"), ("nonlin", "LeakyReLU")] {
                if let op = kwargs[key]?.stringValue, !op.hasSuffix(expected) { throw fail("\(key) \(op) is not supported (\(expected) only)") }
            }
            features = try ints(kwargs["features_per_stage"], "features_per_stage")
            kernels = try intLists(kwargs["kernel_sizes"], "kernel_sizes")
            strides = try intLists(kwargs["strides"], "strides")
            encoderConvolutions = try uniform(try ints(kwargs["n_conv_per_stage"], "n_conv_per_stage"), "n_conv_per_stage")
            decoderConvolutions = try uniform(try ints(kwargs["n_conv_per_stage_decoder"], "n_conv_per_stage_decoder"), "n_conv_per_stage_decoder")
        } else {
            let className = config["UNet_class_name"]?.stringValue ?? ""
            guard className == "PlainConvUNet" else { throw fail("network \(className.isEmpty ? "(unnamed)" : className) is not supported (PlainConvUNet only)") }
            guard let base = config["UNet_base_num_features"]?.intValue, let maximum = config["unet_max_num_features"]?.intValue else {
                throw fail("configuration '\(configuration)' lacks UNet_base_num_features / unet_max_num_features")
            }
            kernels = try intLists(config["conv_kernel_sizes"], "conv_kernel_sizes")
            strides = try intLists(config["pool_op_kernel_sizes"], "pool_op_kernel_sizes")
            features = kernels.indices.map { min(base << $0, maximum) }
            encoderConvolutions = try uniform(try ints(config["n_conv_per_stage_encoder"], "n_conv_per_stage_encoder"), "n_conv_per_stage_encoder")
            decoderConvolutions = try uniform(try ints(config["n_conv_per_stage_decoder"], "n_conv_per_stage_decoder"), "n_conv_per_stage_decoder")
        }
        var inputChannels = 1, classes = 0
        if let dataset = datasetJSON {
            if case .dict(let channels)? = dataset["channel_names"] ?? dataset["modality"] { inputChannels = channels.count }
            guard case .dict(let labels)? = dataset["labels"] else { throw fail("dataset_json has no labels") }
            for (key, value) in labels where key.stringValue != "ignore" {
                guard value.intValue != nil else { throw fail("label \(key) is a region (\(value)); region-based training is not supported") }
                classes += 1
            }
        }
        guard classes >= 1 else { throw fail("the number of classes is unknown (no dataset_json labels)") }
        return UNetArchitecture(inputChannels: inputChannels, classes: classes, featuresPerStage: features, kernelSizes: kernels,
                                strides: strides, convolutionsPerStage: encoderConvolutions, convolutionsPerDecoderStage: decoderConvolutions)
    }

    /// The fields in which `architecture` differs from `other`, as "name: checkpoint …, network …"; empty when equal.
    public func differences(from other: UNetArchitecture) -> [String] {
        let a = architecture
        var list: [String] = []
        func compare<T: Equatable>(_ name: String, _ mine: T, _ theirs: T) {
            if mine != theirs { list.append("\(name): checkpoint \(mine), network \(theirs)") }
        }
        compare("inputChannels", a.inputChannels, other.inputChannels)
        compare("classes", a.classes, other.classes)
        compare("featuresPerStage", a.featuresPerStage, other.featuresPerStage)
        compare("kernelSizes", a.kernelSizes, other.kernelSizes)
        compare("strides", a.strides, other.strides)
        compare("convolutionsPerStage", a.convolutionsPerStage, other.convolutionsPerStage)
        compare("convolutionsPerDecoderStage", a.convolutionsPerDecoderStage, other.convolutionsPerDecoderStage)
        return list
    }
}

extension PlainConvUNet {
    /// Loads an nnU-Net v2 checkpoint's weights when its plans describe this network.
    ///
    /// - Throws: `SegmentationError.modelMismatch` naming the checkpoint and each architecture field that
    ///   differs, or the weight that does not fit.
    public func load(nnUNetCheckpoint checkpoint: NNUNetCheckpoint) throws {
        let differences = checkpoint.differences(from: architecture)
        guard differences.isEmpty else {
            throw SegmentationError.modelMismatch(file: checkpoint.source, detail: "the checkpoint's plans ('\(checkpoint.configuration)') describe another U-Net: " + differences.joined(separator: "; "))
        }
        do { try load(nnUNetStateDict: checkpoint.weights) } catch {
            throw SegmentationError.modelMismatch(file: checkpoint.source, detail: "\(error)")
        }
    }
}
