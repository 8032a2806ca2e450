// neoich-explain-bench: faithfulness of all seven methods for one case, NeoICH's shared deletion pass against
// the naive loop (AIX360's: one batch-1 forward per voxel per method), measured in one run on the same case.
// Prints figures; asserts nothing. Run on demand in release:
//
//   swift run -c release neoich-explain-bench [--width 16] [--crop 20x200x200] [--lesion-radius 6]
//       [--naive-voxels 24] [--batch 8] [--full-fraction 0.7[,0.5,…]] [--skip-full] [--stage-times]
//       [--estimator-cases 6]
//
// It also prints the forwards of the every-voxel faithfulness (000_… §2.5) against the lesion-only set on the same
// case, and with --estimator-cases the error of the sampled every-voxel estimate (n = N/4) against the exact score
// on that many synthetic 12×40×40 crops.
//
// The network is ResNet-34-3D (001_…) with random weights at the given width (64 = the paper's, slow on a
// laptop); the case is a synthetic lesion (ellipsoid ICH in a PHE shell, zeros elsewhere) at the crop's centre.
// The naive loop is timed on a sample of the lesion voxels and extrapolated per voxel; its probabilities on the
// sample are checked against the fast pass. --skip-full leaves out the batched full-forward pass (slow at width 64).
import Classification
import Explain
import Foundation
import Imaging
import NN
import Torch

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: String) -> String {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } ?? fallback
}
let width = Int(option("--width", "16")) ?? 16
let cropText = option("--crop", "20x200x200").split(separator: "x").compactMap { Int($0) }
let crop = cropText.count == 3 ? cropText : [20, 200, 200]
let radius = Double(option("--lesion-radius", "6")) ?? 6
let naiveVoxels = Int(option("--naive-voxels", "24")) ?? 24
let batch = Int(option("--batch", "8")) ?? 8
let fractions = option("--full-fraction", "0.7").split(separator: ",").compactMap { Double($0) }
let skipFull = arguments.contains("--skip-full")
let estimatorCases = Int(option("--estimator-cases", "0")) ?? 0

try Runtime.checkVersion()
try Runtime.configureThreads(environment: ProcessInfo.processInfo.environment)
print("libtorch \(Runtime.runtimeVersion), \(Runtime.threads) threads; ResNet-34-3D width \(width), crop \(crop)")

let network = try ResNet3D(.resnet34(width: width), generator: Generator(seed: 1))
// Synthetic lesion: ICH ellipsoid (normalised density ~0.6) inside a PHE shell (~0.25), spacing ~0.45×0.45×5 mm.
var values = [Float](repeating: 0, count: crop[0] * crop[1] * crop[2])
var labels = [UInt8](repeating: 0, count: values.count)
var rng = SystemRandomNumberGenerator()
for z in 0..<crop[0] { for y in 0..<crop[1] { for x in 0..<crop[2] {
    let dz = Double(z - crop[0] / 2) / max(1, radius / 5), dy = Double(y - crop[1] / 2) / (radius * 2.2), dx = Double(x - crop[2] / 2) / (radius * 2)
    let r2 = dz * dz + dy * dy + dx * dx
    let i = (z * crop[1] + y) * crop[2] + x
    if r2 <= 1 { labels[i] = 1; values[i] = 0.6 + Float.random(in: -0.1...0.1, using: &rng) }
    else if r2 <= 2.2 { labels[i] = 2; values[i] = 0.25 + Float.random(in: -0.05...0.05, using: &rng) }
}}}
let input = try Tensor(values, shape: [1, 1] + crop)
let lesion = labels.indices.filter { labels[$0] != 0 }
print("lesion: \(lesion.count) voxels (ICH \(labels.filter { $0 == 1 }.count), PHE \(labels.filter { $0 == 2 }.count))")

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

if arguments.contains("--stage-times") {
    // Where a forward spends its time: each boundary-to-boundary segment at batch 1 and at --batch.
    try GradMode.withoutGrad {
        let names = network.boundaryNames
        for b in [1, batch] {
            var h = try input.repeated([b, 1, 1, 1, 1])
            var line: [String] = []
            for (from, to) in zip(names.dropLast(), names.dropFirst()) {
                var out = h
                _ = try network.forward(h, from: from, through: to, mode: .inference)
                let t = try seconds { out = try network.forward(h, from: from, through: to, mode: .inference) }
                line.append(String(format: "%@ %.4f", to, t / Double(b)))
                h = out
            }
            print("batch \(b), s per sample: " + line.joined(separator: ", "))
        }
    }
}

// Attribution maps (not part of either timing: both approaches score the same maps).
var maps: [(AttributionMethodName, [Float])] = []
let mapTime = try seconds {
    let generator = try Generator(seed: 0)
    for name in AttributionMethodName.study {
        maps.append((name, try AttributionMethods.make(name, model: network, generator: generator).attribute(input).scalars()))
    }
}
print(String(format: "seven attribution maps: %.2f s", mapTime))

// Naive: per method, one batch-1 full forward per voxel (AIX360); timed on a sample, extrapolated.
let stride = max(1, lesion.count / max(1, naiveVoxels))
let sample = Array(lesion.enumerated().filter { $0.offset % stride == 0 }.map(\.element).prefix(naiveVoxels))
let naive = VoxelDeletion(model: network, batchSize: 1, strategy: .full)
var naiveSample: VoxelDeletionProbabilities?
let naiveTime = try seconds { naiveSample = try naive.probabilities(input, voxelOffsets: sample) }
let naivePerVoxelForward = naiveTime / Double(sample.count)
let naiveTotal = naivePerVoxelForward * Double(lesion.count) * Double(AttributionMethodName.study.count)
print(String(format: "naive: %.4f s per forward (%d voxels timed) → %d methods × %d voxels ≈ %.1f s (%.1f voxel-methods/s)",
             naivePerVoxelForward, sample.count, AttributionMethodName.study.count, lesion.count, naiveTotal,
             Double(lesion.count * AttributionMethodName.study.count) / naiveTotal))

// NeoICH: one shared deletion pass (batched, each operation only on the part the voxel reaches), then seven correlations.
let strategies: [(String, VoxelDeletion.Strategy)] = (skipFull ? [] : [("batched full forward", .full)])
    + fractions.map { ("batched + incremental (whole activations past \($0))", .incremental(fullFraction: $0)) }
for (label, strategy) in strategies {
    var deletion: VoxelDeletionProbabilities?
    var scores: [Double] = []
    let time = try seconds {
        var pass = VoxelDeletion(model: network, batchSize: batch, strategy: strategy)
        pass.profile = { parts in
            print("  time per part: " + parts.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f s", $0.key, $0.value) }.joined(separator: ", "))
        }
        deletion = try pass.probabilities(input, voxelOffsets: lesion)
        if let deletion { scores = try maps.map { try FaithfulnessMetric.score(attribution: $0.1, deletion: deletion) } }
    }
    guard let deletion, let reference = naiveSample else { continue }
    let lookup = Dictionary(uniqueKeysWithValues: zip(deletion.voxelOffsets, deletion.probabilities))
    let worst = zip(reference.voxelOffsets, reference.probabilities).map { abs((lookup[$0.0] ?? .nan) - $0.1) }.max() ?? .nan
    print(String(format: "shared, %@: %.1f s for all seven (%.1f voxels/s, %.1f voxel-methods/s), speed-up ×%.1f; max |Δp| vs naive %.2e",
                 label, time, Double(lesion.count) / time, Double(lesion.count * 7) / time, naiveTotal / time, worst))
    print("  faithfulness (lesion set): " + zip(maps, scores).map { "\($0.0.0.rawValue) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
}

// Every-voxel faithfulness (the default set) against the lesion set: the same forwards, since the masked
// background is already at the baseline.
let labelMap = try LabelMap(geometry: VolumeGeometry(shape: VolumeShape(z: crop[0], y: crop[1], x: crop[2]),
                                                     spacingMM: SpacingMM(z: 5, y: 0.45, x: 0.45)), voxels: labels)
for set in FaithfulnessSet.allCases {
    var request = ExplanationRequest(methods: [.inputXGradient], faithfulness: true, deletionBatchSize: batch, faithfulnessSet: set)
    request.faithfulnessVoxels = nil
    var summary: CaseExplanation.Summary?
    let time = try seconds { summary = try CaseExplanation.run(model: network, input: input, labels: labelMap, request: request).summary }
    guard let summary else { continue }
    print(String(format: "faithfulness set %@: %d features, %d forwards, %.1f s, InputXGradient %.3f", set.rawValue,
                 set == .crop ? values.count : lesion.count, summary.deletionForwards ?? -1, time,
                 summary.methods.first?.faithfulness ?? .nan))
}

if estimatorCases > 0 {
    let small = try ResNet3D(ResNet3DConfiguration(block: .basic, layers: [1, 1, 1, 1], width: 4, stemStride: [1, 2, 2], shortcut: .b),
                             generator: Generator(seed: 3))
    let errors = try FaithfulnessEstimatorError.measure(model: small, cases: estimatorCases, shape: [12, 40, 40], sampleFraction: 0.25, seed: 5)
    let deltas = errors.map { abs($0.estimate - $0.exact) }
    print(String(format: "sampled every-voxel estimate (n = N/4) vs exact, %d cases × 2 methods: mean |Δ| %.4f, max %.4f",
                 estimatorCases, deltas.reduce(0, +) / Double(max(1, deltas.count)), deltas.max() ?? .nan))
}
