import ArgumentParser
import Explain
import Foundation
import Output
import Imaging
import Torch

/// Where the classifier and the case come from; shared by `neoich explain` and `neoich faithfulness`.
struct ExplainInputOptions: ParsableArguments {
    @Option(help: "Classifier weights (.safetensors, or a torch.save checkpoint .pt/.pth; MONAI state_dict names).")
    var weights: String

    @Option(name: .customLong("model-card"), help: "JSON with the \"architecture\" (ResNet3DConfiguration), optional \"normalization\" and \"cropSize\"; a model.json works.")
    var modelCard: String

    @Option(help: "CT scan in HU (.nii/.nii.gz); cropped around its largest ICH with --labels.")
    var ct: String?

    @Option(help: "Label map of the CT (0 background, 1 ICH, 2 PHE).")
    var labels: String?

    @Option(help: "Instead of --ct/--labels: a classifier input already cropped and normalised (.nii/.nii.gz).")
    var crop: String?

    @Option(name: .customLong("crop-labels"), help: "The label map of --crop.")
    var cropLabels: String?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        let full = ct != nil || labels != nil, cropped = crop != nil || cropLabels != nil
        guard full != cropped else { throw ValidationError("give either --ct and --labels, or --crop and --crop-labels") }
        if full && (ct == nil || labels == nil) { throw ValidationError("--ct needs --labels and vice versa") }
        if cropped && (crop == nil || cropLabels == nil) { throw ValidationError("--crop needs --crop-labels and vice versa") }
    }

    /// The classifier, its input (1, 1, z, y, x), the crop's HU image and labels, and the crop (full-scan input).
    func load() throws -> (ExplainedClassifier, Tensor, Volume<Float>, LabelMap, LesionCrop?) {
        let classifier = try ExplainedClassifier(card: URL(fileURLWithPath: modelCard), weights: URL(fileURLWithPath: weights))
        // The network runs on the device; inputs, attributions and maps stay on the CPU (ClassifierNetwork.evaluate).
        try classifier.network.move(to: device.resolve())
        if let ct, let labels {
            let storedImage = try NIfTIFile.read(URL(fileURLWithPath: ct))
            let storedLabels = try NIfTIFile.readLabels(URL(fileURLWithPath: labels))
            try storedLabels.validateLabels(on: storedImage.geometry, file: labels)
            // The classifier sees the scan in its training orientation, as in `neoich predict`.
            let reorientation = try Reorientation(from: storedImage.geometry, to: classifier.orientation)
            let image = reorientation.apply(storedImage), labelMap = reorientation.apply(storedLabels)
            let crops = try LesionCropper.crops(image: image, labels: labelMap,
                                                configuration: LesionCropConfiguration(size: classifier.cropSize))
            guard let crop = crops.first else { throw DataError("\(labels): no ICH (label 1) to explain") }
            let input = try classifier.normalization.input(for: crop).unsqueezed(0)
            return (classifier, input, crop.image, crop.labels, crop)
        }
        guard let crop, let cropLabels else { throw ValidationError("missing --crop / --crop-labels") }
        let image = try NIfTIFile.read(URL(fileURLWithPath: crop))
        let labelMap = try NIfTIFile.readLabels(URL(fileURLWithPath: cropLabels))
        try labelMap.validateLabels(on: image.geometry, file: cropLabels)
        return (classifier, try image.tensor().clone().unsqueezed(0).unsqueezed(0), image, labelMap, nil)
    }
}

/// Options naming the methods and their settings.
struct AttributionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Comma-separated methods (\(AttributionMethodName.allCases.map(\.rawValue).joined(separator: ", "))); default the study's seven.",
                               valueName: "methods"))
    var methods: String?

    @Option(help: "CAM layer (stem, layer1 … layerN); default the last residual stage.")
    var layer: String?

    @Option(help: "CAM upsampling: trilinear (NeoICH convention) or nearest (Captum's GuidedGradCam default).")
    var upsampling: CAMUpsampling = .trilinear

    @Option(help: "Seed of SmoothGrad's noise and GradientShap's draws.")
    var seed: UInt64 = 0

    @Option(name: .customLong("faithfulness-voxels"), help: "Evaluate the deletion of this many lesion voxels drawn at random (seeded) instead of all (exact, the default); with the crop set the score is then an estimate (sampled voxels weighted N/n, background exact).")
    var faithfulnessVoxels: Int?

    @Option(name: .customLong("faithfulness-set"), help: "Faithfulness features: crop (every voxel of the crop, 000_… §2.5; default) or lesion (ICH ∪ PHE only).")
    var faithfulnessSet: FaithfulnessSet = .crop

    @Option(name: .customLong("output-score"), help: "Explained output: log-probability (log-softmax, the paper's model; default) or logit.")
    var outputScore: AttributionOutput = .logProbability

    @Option(name: .customLong("cam-variant"), help: "Grad-CAM++ of monai (MONAI GradCAMpp, normalised to [0,1]; default) or grad-cam (pytorch-grad-cam, raw).")
    var camVariant: CAMVariant = .monai

    @Option(name: .customLong("smoothgrad-noise"), help: "SmoothGrad noise σ as a fraction of the input's range (SmoothGrad paper: 0.1–0.2).")
    var smoothGradNoise: Double = 0.15

    @Option(name: .customLong("smoothgrad-stdev"), help: "Instead of --smoothgrad-noise: an absolute σ in input units (Captum's default 1.0).")
    var smoothGradStdev: Double?

    func request(faithfulness: Bool, batchSize: Int) throws -> ExplanationRequest {
        let names = try methods.map(AttributionMethodName.parseList) ?? AttributionMethodName.study
        let noise = smoothGradStdev.map { SmoothGradNoise.absolute($0) } ?? .fractionOfRange(smoothGradNoise)
        let configuration = AttributionConfiguration(layer: layer, upsampling: upsampling, smoothGradNoise: noise, seed: seed,
                                                     output: outputScore, camVariant: camVariant)
        return ExplanationRequest(methods: names, configuration: configuration, faithfulness: faithfulness, deletionBatchSize: batchSize,
                                  faithfulnessVoxels: faithfulnessVoxels, faithfulnessSet: faithfulnessSet)
    }
}

/// `neoich explain`: attribution maps, region importance (and optionally faithfulness) for one case.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a classifier's prediction on one lesion: attribution maps (NIfTI + PNG) and region importance.",
        discussion: """
            Writes into --output: <Method>_crop.nii.gz (the map on the crop), <Method>_scan.nii.gz (pasted back \
            onto the CT, with --ct), <Method>.png (montage with ICH/PHE outlines and a colour bar) and \
            explanation.json (prediction, per method the mean min-max-normalised importance in ICH, PHE and \
            background, and with --faithfulness the AIX360 faithfulness over every crop voxel, or the lesion with \
            --faithfulness-set lesion). Methods explain log p(target) (--output-score logit: the raw logit); \
            CAMs are upsampled trilinearly, GradCAM++ is MONAI's (normalised to [0, 1]) unless --cam-variant grad-cam.
            """
    )

    @OptionGroup var input: ExplainInputOptions
    @OptionGroup var attribution: AttributionOptions

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "Also compute each map's faithfulness (one deletion pass over the lesion, shared by all methods).")
    var faithfulness = false

    @Option(name: .customLong("batch-size"), help: "Perturbed inputs per forward in the deletion pass.")
    var batchSize = 8

    func run() throws {
        try NeoICH.prepareEngine()
        let (classifier, tensor, image, labels, crop) = try input.load()
        let result = try CaseExplanation.run(model: classifier.network, input: tensor, labels: labels,
                                             request: attribution.request(faithfulness: faithfulness, batchSize: batchSize)) { print($0) }
        let directory = URL(fileURLWithPath: output)
        var files: [String: AttributionMapWriter.Files] = [:]
        for (method, map) in result.maps {
            files[method.rawValue] = try AttributionMapWriter.write(map, name: method.rawValue, cropImage: image, labels: labels,
                                                                     crop: crop, to: directory)
        }
        struct Report: Encodable { var explanation: CaseExplanation.Summary; var files: [String: AttributionMapWriter.Files] }
        try writeJSON(Report(explanation: result.summary, files: files), to: directory.appendingPathComponent("explanation.json"))
        for m in result.summary.methods {
            let r = m.regionImportance
            print(m.method.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
                  + String(format: "ICH %.3f  PHE %.3f  BG %.3f", r.ich, r.phe, r.background)
                  + (m.faithfulness.map { String(format: "  faithfulness %.3f", $0) } ?? ""))
        }
        if let label = result.summary.faithfulnessLabel, let set = result.summary.faithfulnessSet {
            print("faithfulness over the \(set.rawValue) set (\(label) voxels), \(result.summary.deletionForwards ?? 0) forwards")
        }
        print("written \(directory.appendingPathComponent("explanation.json").path)")
    }
}

/// `neoich faithfulness`: the faithfulness metric of every method for one case.
struct FaithfulnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faithfulness",
        abstract: "Score attribution methods on one lesion with the faithfulness metric (AIX360, baseline 0).",
        discussion: """
            Every crop voxel is set to 0 one at a time (000_… §2.5; only lesion voxels need a forward, the masked \
            background keeps the unperturbed probability); faithfulness = −pearson(attribution, probability of the \
            predicted class). --faithfulness-set lesion correlates over ICH ∪ PHE only. The probabilities are \
            computed once and shared by all methods. \
            --quantus adds Quantus' sampled FaithfulnessCorrelation (100 × 224 voxels, logits, minimum baseline).
            """
    )

    @OptionGroup var input: ExplainInputOptions
    @OptionGroup var attribution: AttributionOptions

    @Option(help: "JSON report to write.")
    var output: String

    @Option(name: .customLong("batch-size"), help: "Perturbed inputs per forward.")
    var batchSize = 8

    @Flag(help: "Also compute Quantus' FaithfulnessCorrelation.")
    var quantus = false

    func run() throws {
        try NeoICH.prepareEngine()
        let (classifier, tensor, _, labels, _) = try input.load()
        let result = try CaseExplanation.run(model: classifier.network, input: tensor, labels: labels,
                                             request: attribution.request(faithfulness: true, batchSize: batchSize)) { print($0) }
        var quantusScores: [String: Double] = [:]
        if quantus {
            let metric = FaithfulnessCorrelation(model: classifier.network, subsetSize: min(224, tensor.count), batchSize: batchSize)
            for (method, map) in result.maps {
                quantusScores[method.rawValue] = try metric.score(tensor, attribution: map.voxels, target: result.summary.predictedClass,
                                                                   generator: Generator(seed: attribution.seed))
            }
        }
        struct Report: Encodable {
            var predictedClass: Int
            var lesionVoxels: Int
            var faithfulnessSet: FaithfulnessSet?
            var faithfulnessLabel: String?
            var deletionSeconds: Double?
            var faithfulness: [String: Double?]
            var quantusFaithfulnessCorrelation: [String: Double]?
        }
        var scores: [String: Double?] = [:]
        for m in result.summary.methods { scores[m.method.rawValue] = m.faithfulness }
        try writeJSON(Report(predictedClass: result.summary.predictedClass, lesionVoxels: result.summary.lesionVoxels,
                             faithfulnessSet: result.summary.faithfulnessSet, faithfulnessLabel: result.summary.faithfulnessLabel,
                             deletionSeconds: result.summary.deletionSeconds, faithfulness: scores,
                             quantusFaithfulnessCorrelation: quantus ? quantusScores : nil),
                      to: URL(fileURLWithPath: output))
        for m in result.summary.methods {
            print(m.method.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
                  + String(format: "faithfulness %.4f", m.faithfulness ?? .nan)
                  + (quantusScores[m.method.rawValue].map { String(format: "  Quantus %.4f", $0) } ?? ""))
        }
        print("written \(output)")
    }
}

/// Pretty, sorted JSON; NaN (an undefined correlation) is written as the string "NaN".
func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    try JSONFile.write(value, to: url, nonFinite: .pythonStrings)
}
