import Foundation
import Imaging
import Interop
import NN

/// Which checkpoints of an nnU-Net v2 results folder to use.
public struct NNUNetModelSelection: Sendable, Equatable {
    /// The checkpoint file in every fold folder.
    public enum Checkpoint: String, Sendable, CaseIterable {
        case final, best

        public var fileName: String { "checkpoint_\(rawValue).pth" }
    }

    /// Fold names (`0`, `1`, …, `all`); `nil`: every `fold_N` folder holding the checkpoint, as nnUNetPredictor.
    public var folds: [String]?
    public var checkpoint: Checkpoint

    public init(folds: [String]? = nil, checkpoint: Checkpoint = .final) {
        self.folds = folds
        self.checkpoint = checkpoint
    }

    /// Parses `0,1,4` (or `all`) as given to `--folds`; nil for an empty or malformed list.
    public static func parseFolds(_ text: String) -> [String]? {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, items.allSatisfy({ $0 == "all" || (Int($0).map { $0 >= 0 } ?? false) }) else { return nil }
        return items
    }
}

/// The network an nnU-Net configuration describes.
public enum NNUNetNetworkArchitecture: Sendable, Equatable {
    case plain(UNetArchitecture)
    case residualEncoder(ResidualEncoderUNetArchitecture)

    /// A network of this shape (weights to be loaded).
    public func makeNetwork() throws -> any SegmentationNetwork {
        switch self {
        case .plain(let a): try PlainConvUNet(a, generator: Generator(seed: 0))
        case .residualEncoder(let a): try ResidualEncoderUNet(a, generator: Generator(seed: 0))
        }
    }

    var classes: Int {
        switch self {
        case .plain(let a): a.classes
        case .residualEncoder(let a): a.classes
        }
    }
}

/// How nnU-Net resamples with `resample_data_or_seg_to_shape` (its only resampling function for images):
/// spline `order`, and `orderZ` along the low-resolution axis when it is resampled separately.
public struct NNUNetResampling: Sendable, Equatable {
    public var order: Int
    public var orderZ: Int
    /// `force_separate_z`: nil lets the anisotropy rule (max/min spacing > 3) decide.
    public var forceSeparateZ: Bool?

    public init(order: Int, orderZ: Int, forceSeparateZ: Bool?) {
        self.order = order
        self.orderZ = orderZ
        self.forceSeparateZ = forceSeparateZ
    }
}

/// The parts of an nnU-Net v2 `plans.json` configuration that prediction uses, in nnU-Net's transposed axis
/// order (`transpose_forward` applied).
public struct NNUNetConfigurationPlans: Sendable, Equatable {
    public var datasetName: String
    public var configuration: String
    public var spacingMM: [Double]
    public var patchSize: [Int]
    public var transposeForward: [Int]
    public var normalization: CTNormalization
    public var architecture: NNUNetNetworkArchitecture
    public var dataResampling: NNUNetResampling
    public var probabilityResampling: NNUNetResampling
}

/// An nnU-Net v2 trained-model folder (`nnUNet_results/DatasetXXX_Name/Trainer__Plans__3d_fullres/`):
/// `dataset.json`, `plans.json` and `fold_*/checkpoint_final.pth` (or `checkpoint_best.pth`), read without Python
/// as `nnUNetPredictor.initialize_from_trained_model_folder` reads it.
///
/// The plans come from the folder's `plans.json`, the configuration name, trainer and mirroring axes from the
/// first fold's checkpoint; every fold's own `init_args` must agree with the folder's files. Output channels are
/// mapped to NeoICH's labels by their names in `dataset.json` (`ICH`/haemorrhage, `PHE`/oedema).
public struct NNUNetResultsFolder {
    public var folder: URL
    public var plans: NNUNetConfigurationPlans
    /// `dataset.json` label names by output channel (label value).
    public var labelNames: [String]
    /// NeoICH's label value (0, 1 ICH, 2 PHE) for each output channel.
    public var neoICHLabels: [UInt8]
    /// Fold names in the order they were read (`0`, `1`, … or `all`).
    public var folds: [String]
    /// One network per fold, weights loaded.
    public var networks: [any SegmentationNetwork]
    /// Spatial axes (0…2, transposed order) mirrored at inference, from the checkpoint; nil: none.
    public var mirroringAxes: [Int]?
    public var trainerName: String?
    public var checkpoint: NNUNetModelSelection.Checkpoint

    /// Whether `folder` looks like an nnU-Net results folder (a `dataset.json`, a `plans.json` with
    /// `configurations`, and at least one `fold_*` folder), as opposed to a NeoICH model folder.
    public static func isResultsFolder(_ folder: URL) -> Bool {
        let files = FileManager.default
        guard files.fileExists(atPath: folder.appendingPathComponent("dataset.json").path),
              let plans = try? Data(contentsOf: folder.appendingPathComponent("plans.json")),
              let object = try? JSONSerialization.jsonObject(with: plans) as? [String: Any], object["configurations"] != nil
        else { return false }
        return ((try? files.contentsOfDirectory(atPath: folder.path)) ?? []).contains { $0.hasPrefix("fold_") }
    }

    /// Reads the folder and the selected folds' checkpoints.
    ///
    /// - Throws: `SegmentationError.invalidPlans` naming the file and field that cannot be used (unknown network
    ///   class, non-CT normalisation, unmappable labels, files that disagree), `.modelMismatch` for weights that do
    ///   not fit, `ImagingError.fileNotFound` for a missing fold, `InteropError` for an unreadable checkpoint.
    public static func read(_ folder: URL, selection: NNUNetModelSelection = .init()) throws -> NNUNetResultsFolder {
        let datasetURL = folder.appendingPathComponent("dataset.json"), plansURL = folder.appendingPathComponent("plans.json")
        let dataset = try JSONValue.read(datasetURL), plansJSON = try JSONValue.read(plansURL)
        let labels = try Self.labels(dataset, file: datasetURL.path)

        let folds = try selection.folds ?? Self.availableFolds(folder, checkpoint: selection.checkpoint)
        guard !folds.isEmpty else {
            throw ImagingError.fileNotFound(file: folder.appendingPathComponent("fold_*").appendingPathComponent(selection.checkpoint.fileName).path)
        }
        var networks: [any SegmentationNetwork] = []
        var plans: NNUNetConfigurationPlans?
        var mirroringAxes: [Int]?, trainerName: String?
        for fold in folds {
            let url = folder.appendingPathComponent("fold_\(fold)").appendingPathComponent(selection.checkpoint.fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { throw ImagingError.fileNotFound(file: url.path) }
            let checkpoint = try TorchCheckpoint.load(url)
            func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: url.path, detail: detail) }
            guard let configuration = checkpoint["init_args"]?["configuration"]?.stringValue else {
                throw fail("no 'init_args.configuration': not an nnU-Net v2 training checkpoint")
            }
            if let first = plans {
                guard first.configuration == configuration else {
                    throw fail("'init_args.configuration' is '\(configuration)' but fold \(folds[0]) was trained as '\(first.configuration)'")
                }
            } else {
                let suffix = folder.lastPathComponent.components(separatedBy: "__").last ?? ""
                if folder.lastPathComponent.contains("__"), suffix != configuration {
                    throw fail("'init_args.configuration' is '\(configuration)' but the folder name says '\(suffix)'")
                }
                plans = try Self.configurationPlans(plansJSON.pickle, configuration: configuration, dataset: dataset.pickle,
                                                    file: plansURL.path)
                mirroringAxes = checkpoint["inference_allowed_mirroring_axes"]?.elements?.compactMap(\.intValue)
                trainerName = checkpoint["trainer_name"]?.stringValue
            }
            guard let plans else { continue }
            try Self.checkAgreement(checkpoint, plans: plans, labels: labels.names, file: url.path)
            networks.append(try Self.network(plans.architecture, weights: checkpoint, file: url.path))
        }
        guard let plans else { throw ImagingError.fileNotFound(file: folder.appendingPathComponent("fold_*").path) }
        guard labels.names.count == plans.architecture.classes else {
            throw SegmentationError.invalidPlans(file: datasetURL.path, detail: "'labels' lists \(labels.names.count) classes; the network has \(plans.architecture.classes)")
        }
        if let axes = mirroringAxes, let bad = axes.first(where: { !(0..<3).contains($0) }) {
            throw SegmentationError.invalidPlans(file: folder.appendingPathComponent("fold_\(folds[0])").appendingPathComponent(selection.checkpoint.fileName).path,
                                                 detail: "'inference_allowed_mirroring_axes' holds axis \(bad); a 3-D model mirrors axes 0…2")
        }
        let folderDataset = folder.deletingLastPathComponent().lastPathComponent
        if folderDataset.hasPrefix("Dataset"), folderDataset != plans.datasetName {
            throw SegmentationError.invalidPlans(file: plansURL.path, detail: "'dataset_name' is '\(plans.datasetName)' but the model sits in \(folderDataset)")
        }
        return NNUNetResultsFolder(folder: folder, plans: plans, labelNames: labels.names, neoICHLabels: labels.neoICH,
                                   folds: folds, networks: networks, mirroringAxes: mirroringAxes, trainerName: trainerName,
                                   checkpoint: selection.checkpoint)
    }

    /// `fold_N` folders holding `checkpoint` (nnU-Net's auto-detection: `fold_all` is only used when asked for).
    static func availableFolds(_ folder: URL, checkpoint: NNUNetModelSelection.Checkpoint) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("fold_"), let n = Int(name.dropFirst(5)),
                  FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent(checkpoint.fileName).path)
            else { return nil }
            return (n, String(n))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    // MARK: - dataset.json

    /// Label names by value and their NeoICH labels.
    static func labels(_ dataset: JSONValue, file: String) throws -> (names: [String], neoICH: [UInt8]) {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: file, detail: detail) }
        guard case .object(let channels)? = dataset["channel_names"] ?? dataset["modality"] else { throw fail("no 'channel_names'") }
        guard channels.count == 1 else {
            throw fail("'channel_names' lists \(channels.count) channels (\(channels.keys.sorted().joined(separator: ", "))); NeoICH gives the network one CT channel")
        }
        guard case .object(let labels)? = dataset["labels"] else { throw fail("no 'labels'") }
        if dataset["regions_class_order"] != nil { throw fail("'regions_class_order': region-based models are not supported") }
        var byValue: [Int: String] = [:]
        for (name, value) in labels where name != "ignore" {
            guard let v = value.intValue else { throw fail("label '\(name)' is a region (\(value)); region-based models are not supported") }
            guard byValue[v] == nil else { throw fail("labels '\(byValue[v] ?? "")' and '\(name)' share value \(v)") }
            byValue[v] = name
        }
        guard let top = byValue.keys.max(), byValue.count == top + 1, byValue[0] != nil else {
            throw fail("'labels' values \(byValue.keys.sorted()) are not consecutive from 0 (background)")
        }
        let names = (0...top).map { byValue[$0] ?? "" }
        var neoICH: [UInt8] = []
        for (value, name) in names.enumerated() {
            guard let label = value == 0 ? 0 : Self.neoICHLabel(named: name) else {
                throw fail("label '\(name)' (\(value)) cannot be mapped to NeoICH's labels; name it ICH (haemorrhage, hematoma, bleed) or PHE (edema)")
            }
            neoICH.append(label)
        }
        guard neoICH.contains(LesionLabel.ich.rawValue) else { throw fail("no label names the haemorrhage (ICH); labels: \(names)") }
        guard Set(neoICH.dropFirst()).count == neoICH.count - 1 else { throw fail("two labels map to the same NeoICH class: \(names)") }
        return (names, neoICH)
    }

    /// NeoICH's label for a dataset.json label name (case, spaces and underscores ignored).
    static func neoICHLabel(named name: String) -> UInt8? {
        let key = name.lowercased().filter { $0.isLetter }
        let ich = ["ich", "hemorrhage", "haemorrhage", "intracerebralhemorrhage", "intracerebralhaemorrhage", "hematoma",
                   "haematoma", "bleed", "bleeding", "blood", "hemorrhagecore"]
        let phe = ["phe", "edema", "oedema", "perihematomaledema", "perihaematomaloedema", "perihematomaloedema",
                   "perihemorrhagicedema", "perihaemorrhagicoedema"]
        if ich.contains(key) { return LesionLabel.ich.rawValue }
        if phe.contains(key) { return LesionLabel.phe.rawValue }
        return nil
    }

    // MARK: - plans.json

    /// The configuration's prediction settings; `file` names plans.json in errors.
    static func configurationPlans(_ plans: PickleValue, configuration: String, dataset: PickleValue,
                                   file: String) throws -> NNUNetConfigurationPlans {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: file, detail: detail) }
        let config = try merged(plans, configuration: configuration, file: file)
        let where_ = "configurations.\(configuration)"
        func doubles(_ key: String) throws -> [Double] {
            guard let list = config[key]?.elements?.compactMap(\.doubleValue), list.count == 3,
                  list.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw fail("'\(where_).\(key)' must be 3 positive numbers (a 3-D configuration)")
            }
            return list
        }
        let spacing = try doubles("spacing")
        guard let patch = config["patch_size"]?.elements?.compactMap(\.intValue), patch.count == 3, patch.allSatisfy({ $0 > 0 }) else {
            throw fail("'\(where_).patch_size' must be 3 positive integers")
        }
        let transpose = plans["transpose_forward"]?.elements?.compactMap(\.intValue) ?? [0, 1, 2]
        guard transpose.sorted() == [0, 1, 2] else { throw fail("'transpose_forward' \(transpose) is not a permutation of 0, 1, 2") }
        guard let schemes = config["normalization_schemes"]?.elements?.compactMap(\.stringValue), schemes.count == 1 else {
            throw fail("'\(where_).normalization_schemes' must list one scheme (one CT channel)")
        }
        guard schemes[0] == "CTNormalization" else {
            throw fail("'\(where_).normalization_schemes' is \(schemes[0]); NeoICH reads CTNormalization only")
        }
        guard let properties = plans["foreground_intensity_properties_per_channel"]?["0"] else {
            throw fail("no 'foreground_intensity_properties_per_channel.0' (CTNormalization needs it)")
        }
        func property(_ key: String) throws -> Double {
            guard let value = properties[key]?.doubleValue, value.isFinite else {
                throw fail("'foreground_intensity_properties_per_channel.0.\(key)' is missing or not a number")
            }
            return value
        }
        let normalization = CTNormalization(lowerHU: try property("percentile_00_5"), upperHU: try property("percentile_99_5"),
                                            meanHU: try property("mean"), stdHU: try property("std"))
        func resampling(_ name: String) throws -> NNUNetResampling {
            let function = config["resampling_fn_\(name)"]?.stringValue ?? "resample_data_or_seg_to_shape"
            guard function == "resample_data_or_seg_to_shape" else {
                throw fail("'\(where_).resampling_fn_\(name)' is \(function); NeoICH implements resample_data_or_seg_to_shape only")
            }
            let kwargs = config["resampling_fn_\(name)_kwargs"]
            let order = kwargs?["order"]?.intValue ?? (name == "data" ? 3 : 1), orderZ = kwargs?["order_z"]?.intValue ?? 0
            guard [0, 1, 3].contains(order), [0, 1].contains(orderZ) else {
                throw fail("'\(where_).resampling_fn_\(name)_kwargs' order \(order) / order_z \(orderZ): NeoICH implements orders 0, 1, 3 (order_z 0, 1)")
            }
            var separate: Bool?
            if case .bool(let b)? = kwargs?["force_separate_z"] { separate = b }
            return NNUNetResampling(order: order, orderZ: orderZ, forceSeparateZ: separate)
        }
        let architecture = try Self.architecture(plans: plans, configuration: configuration, config: config, dataset: dataset, file: file)
        return NNUNetConfigurationPlans(
            datasetName: plans["dataset_name"]?.stringValue ?? "nnU-Net", configuration: configuration, spacingMM: spacing,
            patchSize: patch, transposeForward: transpose, normalization: normalization, architecture: architecture,
            dataResampling: try resampling("data"), probabilityResampling: try resampling("probabilities"))
    }

    /// The configuration merged with those it inherits from (child keys win).
    static func merged(_ plans: PickleValue, configuration: String, file: String) throws -> PickleValue {
        var chain: [[(key: PickleValue, value: PickleValue)]] = []
        var name = configuration
        while true {
            guard case .dict(let items)? = plans["configurations"]?[name] else {
                throw SegmentationError.invalidPlans(file: file, detail: "'configurations' has no '\(name)'")
            }
            chain.append(items)
            guard let parent = plans["configurations"]?[name]?["inherits_from"]?.stringValue, chain.count < 8 else { break }
            name = parent
        }
        return .dict(chain.reversed().flatMap { $0 })
    }

    /// PlainConvUNet (through `NNUNetCheckpoint.architecture`) or ResidualEncoderUNet from `arch_kwargs`.
    static func architecture(plans: PickleValue, configuration: String, config: PickleValue, dataset: PickleValue,
                             file: String) throws -> NNUNetNetworkArchitecture {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: file, detail: detail) }
        let field = "configurations.\(configuration).architecture"
        let className = config["architecture"]?["network_class_name"]?.stringValue ?? config["UNet_class_name"]?.stringValue ?? "(none)"
        let shortName = className.components(separatedBy: ".").last ?? className
        switch shortName {
        case "PlainConvUNet":
            return .plain(try NNUNetCheckpoint.architecture(plans: plans, configuration: configuration, datasetJSON: dataset, source: file))
        case "ResidualEncoderUNet":
            guard let kwargs = config["architecture"]?["arch_kwargs"] else { throw fail("'\(field).arch_kwargs' is missing") }
            for (key, expected) in [("conv_op", "Conv3d"), ("norm_op", "InstanceNorm3d"), ("nonlin", "LeakyReLU")] {
                if let op = kwargs[key]?.stringValue, !op.hasSuffix(expected) {
                    throw fail("'\(field).arch_kwargs.\(key)' is \(op); NeoICH builds \(expected) only")
                }
            }
            if let block = kwargs["block"]?.stringValue, !block.hasSuffix("BasicBlockD") {
                throw fail("'\(field).arch_kwargs.block' is \(block); NeoICH builds BasicBlockD only")
            }
            if case .bool(false)? = kwargs["conv_bias"] { throw fail("'\(field).arch_kwargs.conv_bias' is false; NeoICH's convs have biases") }
            func ints(_ key: String) throws -> [Int] {
                guard let list = kwargs[key]?.elements?.compactMap(\.intValue), list.count == kwargs[key]?.elements?.count else {
                    throw fail("'\(field).arch_kwargs.\(key)' is not a list of integers")
                }
                return list
            }
            func intLists(_ key: String) throws -> [[Int]] {
                guard let outer = kwargs[key]?.elements else { throw fail("'\(field).arch_kwargs.\(key)' is missing") }
                return try outer.map { item in
                    guard let list = item.elements?.compactMap(\.intValue), list.count == 3 else {
                        throw fail("'\(field).arch_kwargs.\(key)' must hold 3 integers per stage")
                    }
                    return list
                }
            }
            let features = try ints("features_per_stage")
            let stages = kwargs["n_stages"]?.intValue ?? features.count
            guard features.count == stages else { throw fail("'\(field).arch_kwargs.features_per_stage' has \(features.count) entries for n_stages \(stages)") }
            let inputChannels: Int
            if case .dict(let channels)? = dataset["channel_names"] { inputChannels = channels.count } else { inputChannels = 1 }
            var classes = 0
            if case .dict(let labels)? = dataset["labels"] { classes = labels.filter { $0.key.stringValue != "ignore" }.count }
            let architecture = ResidualEncoderUNetArchitecture(
                inputChannels: inputChannels, classes: classes, featuresPerStage: features, kernelSizes: try intLists("kernel_sizes"),
                strides: try intLists("strides"), blocksPerStage: try ints("n_blocks_per_stage"),
                convolutionsPerDecoderStage: try ints("n_conv_per_stage_decoder"), stemChannels: kwargs["stem_channels"]?.intValue)
            guard architecture.kernelSizes.count == stages, architecture.strides.count == stages,
                  architecture.blocksPerStage.count == stages, architecture.convolutionsPerDecoderStage.count == stages - 1 else {
                throw fail("'\(field).arch_kwargs': kernel_sizes, strides and n_blocks_per_stage need \(stages) entries, n_conv_per_stage_decoder \(stages - 1)")
            }
            return .residualEncoder(architecture)
        default:
            throw fail("'\(field).network_class_name' is \(className); NeoICH builds PlainConvUNet and ResidualEncoderUNet")
        }
    }

    // MARK: - checkpoints

    /// Checks that a fold checkpoint's own `init_args` (plans, dataset description) agree with the folder's files.
    static func checkAgreement(_ checkpoint: PickleValue, plans: NNUNetConfigurationPlans, labels: [String], file: String) throws {
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: file, detail: detail) }
        if case .dict(let items)? = checkpoint["init_args"]?["dataset_json"]?["labels"] {
            var names: [Int: String] = [:]
            for (key, value) in items { if let name = key.stringValue, name != "ignore", let v = value.intValue { names[v] = name } }
            let theirs = names.keys.sorted().map { names[$0] ?? "" }
            guard theirs == labels else {
                throw fail("'init_args.dataset_json.labels' \(theirs) disagree with dataset.json's labels \(labels)")
            }
        }
        if let theirPlans = checkpoint["init_args"]?["plans"], let dataset = checkpoint["init_args"]?["dataset_json"] {
            let config = try merged(theirPlans, configuration: plans.configuration, file: file + " (init_args.plans)")
            let theirs = try architecture(plans: theirPlans, configuration: plans.configuration, config: config, dataset: dataset,
                                          file: file + " (init_args.plans)")
            guard theirs == plans.architecture else {
                throw fail("'init_args.plans' describe another network than plans.json's '\(plans.configuration)': \(theirs) vs \(plans.architecture)")
            }
            if let patch = config["patch_size"]?.elements?.compactMap(\.intValue), patch != plans.patchSize {
                throw fail("'init_args.plans' patch_size \(patch) disagrees with plans.json's \(plans.patchSize)")
            }
        }
    }

    /// A network of `architecture` holding the checkpoint's `network_weights`.
    static func network(_ architecture: NNUNetNetworkArchitecture, weights checkpoint: PickleValue, file: String) throws -> any SegmentationNetwork {
        guard let value = checkpoint["network_weights"], var entries = value.tensorDictionary else {
            throw SegmentationError.invalidPlans(file: file, detail: "no 'network_weights' state dict")
        }
        entries = StateDictExtraction.stripModulePrefix(entries)
        if entries.allSatisfy({ $0.name.hasPrefix("_orig_mod.") }) {
            entries = entries.map { (String($0.name.dropFirst("_orig_mod.".count)), $0.tensor) }
        }
        var state: [String: Tensor] = [:]
        for (name, tensor) in entries { state[name] = tensor }
        let network = try architecture.makeNetwork()
        do {
            switch network {
            case let plain as PlainConvUNet: try plain.load(nnUNetStateDict: state)
            case let residual as ResidualEncoderUNet: try residual.load(nnUNetStateDict: state)
            default: try network.load(stateDict: state, strict: true)
            }
        } catch {
            throw SegmentationError.modelMismatch(file: file, detail: "'network_weights' do not fit the network plans.json describes: \(error)")
        }
        return network
    }

    /// The plans NeoICH reports and sizes tiles with (spacing and patch in the transposed order).
    public var segmentationPlans: SegmentationPlans {
        let (kernels, strides, features): ([[Int]], [[Int]], [Int])
        switch plans.architecture {
        case .plain(let a): (kernels, strides, features) = (a.kernelSizes, a.strides, a.featuresPerStage)
        case .residualEncoder(let a): (kernels, strides, features) = (a.kernelSizes, a.strides, a.featuresPerStage)
        }
        let names = neoICHLabels.map { ["background", "ICH", "PHE"][Int($0)] }
        return SegmentationPlans(datasetName: plans.datasetName, targetSpacingMM: plans.spacingMM, medianShapeAfterResampling: [],
                                 patchSize: plans.patchSize, batchSize: 1,
                                 topology: NetworkTopology(strides: strides, kernelSizes: kernels, patchSize: plans.patchSize),
                                 featuresPerStage: features, labelNames: names, normalization: plans.normalization)
    }
}

/// A JSON document as a value (nnU-Net's JSON files), convertible to the `PickleValue` shape the checkpoint
/// holds, so that plans from a checkpoint and from `plans.json` are read by the same code.
enum JSONValue: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Reads a JSON file.
    ///
    /// - Throws: `ImagingError.fileNotFound`, `SegmentationError.invalidPlans` naming the file when it is not JSON.
    static func read(_ url: URL) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ImagingError.fileNotFound(file: url.path) }
        do { return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url)) } catch {
            throw SegmentationError.invalidPlans(file: url.path, detail: "not valid JSON (\(error.localizedDescription))")
        }
    }

    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
    var intValue: Int? { if case .int(let i) = self { i } else { nil } }

    var pickle: PickleValue {
        switch self {
        case .null: .none
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .float(d)
        case .string(let s): .string(s)
        case .array(let a): .list(a.map(\.pickle))
        case .object(let o): .dict(o.keys.sorted().map { (key: PickleValue.string($0), value: o[$0]?.pickle ?? .none) })
        }
    }
}
