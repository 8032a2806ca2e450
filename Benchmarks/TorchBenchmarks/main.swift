// neoich-bench: speed of the tensor engine (conv3d GFLOP/s, ResNet-34-3D forward), run on demand with
// `make bench` (release build). Prints figures; asserts nothing. Ratios are measured in one run.
//
//   neoich-bench [conv] [resnet] [train] [--repeats N] [--batch8] [--widths 64,16]
//
// `train` times one classifier training step at batch 8 (forward in training mode, NLL on log-softmax,
// backward, Adam) for each width, in samples/s and GFLOP/s (convolution FLOPs counted analytically, a
// training step = 3× the forward), next to the same step in PyTorch eager.
import Classification
import Foundation
import NN
import Torch

let arguments = CommandLine.arguments.dropFirst()
let sections = ["conv", "resnet", "train"]
let noneNamed = !sections.contains { arguments.contains($0) }
let runConv = arguments.contains("conv") || noneNamed
let runResNet = arguments.contains("resnet") || noneNamed
let runTrain = arguments.contains("train") || noneNamed
let trainWidths = (arguments.firstIndex(of: "--widths").map { arguments[arguments.index(after: $0)] } ?? "64,16")
    .split(separator: ",").compactMap { Int($0) }
let repeats = arguments.firstIndex(of: "--repeats").flatMap { Int(arguments[arguments.index(after: $0)]) } ?? 3
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

try Runtime.checkVersion()
try Runtime.configureThreads(environment: ProcessInfo.processInfo.environment)
print("libtorch \(Runtime.runtimeVersion), oneDNN \(Runtime.hasOneDNN), \(Runtime.threads) threads, \(Runtime.availableCores) cores")

/// Best and median wall time of `body` over `repeats` runs after one warm-up.
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
    try body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return (times[0], times[times.count / 2])
}

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }

// MARK: - conv3d

if runConv {
    struct Layer { var name: String; var input: [Int]; var out: Int; var kernel: Int; var stride: Int }
    let layers = [
        Layer(name: "stem 7³ s(1,2,2)", input: [1, 1, 20, 200, 200], out: 64, kernel: 7, stride: 0),
        Layer(name: "3³ 64→64 b1", input: [1, 64, 10, 50, 50], out: 64, kernel: 3, stride: 1),
        Layer(name: "3³ 128→128 b1", input: [1, 128, 5, 25, 25], out: 128, kernel: 3, stride: 1),
        Layer(name: "3³ 64→64 b8", input: [8, 64, 10, 50, 50], out: 64, kernel: 3, stride: 1),
        Layer(name: "3³ 32→32 b2 (U-Net)", input: [2, 32, 20, 80, 80], out: 32, kernel: 3, stride: 1),
    ]
    print("\nconv3d (float32), GFLOP/s = 2·Cin·k³·Cout·output voxels / time; \"bwd\" times forward + input and weight gradients (3× the forward FLOPs)")
    print(pad("layer", 22) + pad("oneDNN fwd", 13) + pad("oneDNN bwd", 13) + pad("default fwd", 13) + pad("default bwd", 13) + "fwd speed-up")
    let g = try Generator(seed: 0)
    for layer in layers {
        let stride = layer.stride == 0 ? [1, 2, 2] : [layer.stride, layer.stride, layer.stride]
        let x = try Tensor.randn(layer.input, generator: g)
        let w = try Tensor.randn([layer.out, layer.input[1], layer.kernel, layer.kernel, layer.kernel], generator: g).multiplying(0.05)
        let padding = Array(repeating: layer.kernel / 2, count: 3)
        let probe = try x.convolution(weight: w, stride: stride, padding: padding)
        let flops = 2.0 * Double(layer.input[1] * layer.kernel * layer.kernel * layer.kernel * layer.out) * Double(probe.count / layer.out)
        var row = pad(layer.name, 22)
        var forwardTimes: [Double] = []
        for backend in [ConvolutionBackend.oneDNN, .libtorch] {
            let fwd = try GradMode.withoutGrad { try time(repeats) { _ = try x.convolution(weight: w, stride: stride, padding: padding, backend: backend) } }
            let xi = try x.clone().requiringGrad(), wi = try w.clone().requiringGrad()
            let upstream = try Tensor.ones(probe.shape)
            let bwd = try time(max(1, repeats - 1)) {
                let y = try xi.convolution(weight: wi, stride: stride, padding: padding, backend: backend)
                _ = try gradients(of: [y], withRespectTo: [xi, wi], gradOutputs: [upstream])
            }
            forwardTimes.append(fwd.best)
            row += pad(String(format: "%.0f", flops / fwd.best / 1e9), 13)
            row += pad(String(format: "%.0f", 3 * flops / bwd.best / 1e9), 13)
        }
        print(row + String(format: "%.1f×", forwardTimes[1] / forwardTimes[0]))
    }
}

// MARK: - ResNet-34-3D forward

/// Runs a comparison program that prints "seconds <best> <median>"; nil if it is unavailable.
func external(_ executable: String, _ args: [String]) -> (best: Double, median: Double)? {
    guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
    guard process.terminationStatus == 0, fields.count == 3, let best = Double(fields[1]), let median = Double(fields[2]) else { return nil }
    return (best, median)
}

if runResNet {
    let batches = arguments.contains("--batch8") || !arguments.contains("--batch1") ? [1, 8] : [1]
    print("\nResNet-34-3D forward, width 64, input N×1×20×200×200, inference (best of \(repeats) after warm-up)")
    for stem in [1, 2] {
        let configuration = ResNet3DConfiguration(block: .basic, layers: [3, 4, 6, 3], width: 64, stemStride: [1, stem, stem])
        let net = try ResNet3D(configuration, generator: Generator(seed: 0))
        print("stem stride (1,\(stem),\(stem))\(stem == 1 ? " — MONAI's default stride 1" : " — NeoICH's default for 5 mm slices")")
        for batch in batches {
            let x = try Tensor.randn([batch, 1, 20, 200, 200], generator: Generator(seed: 1))
            func forward(_ backend: ConvolutionBackend) throws -> (best: Double, median: Double) {
                setBackend(net, backend)
                return try GradMode.withoutGrad { try time(repeats) { _ = try net.forward(x, mode: .inference).sum().item() } }
            }
            let swift = try forward(.oneDNN)
            let flops = forwardFLOPs(configuration, input: [20, 200, 200], batch: batch)
            var line = "  batch \(batch): NeoICH \(String(format: "%.3f", swift.best)) s"
            var fusedBest: Double?
            // The compiled graph (batch norm folded, ReLU and shortcuts fused, blocked layouts) in each precision
            // this CPU runs.
            for precision in FusedPrecision.allCases where precision.isAvailable {
                let compiled = try net.fusedInference(inputShape: x.shape, precision: precision)
                let fused = try time(repeats) { _ = try compiled(x).sum().item() }
                if precision == .float32 { fusedBest = fused.best }
                line += String(format: " | fused %@ %.3f s (%.0f GFLOP/s, %.2f× op by op)", precision.rawValue, fused.best,
                               flops / fused.best / 1e9, swift.best / fused.best)
            }
            line += String(format: " | op by op %.0f GFLOP/s", flops / swift.best / 1e9)
            if let cpp = external(root.appendingPathComponent(".build/bench-cpp/resnet34_forward").path,
                                  ["\(batch)", "64", "\(stem)", "\(repeats)"]) {
                line += String(format: " | same ops from C++ %.3f s (Swift overhead %+.1f %%)", cpp.best, (swift.best / cpp.best - 1) * 100)
            }
            if batch == 1 {
                let dispatch = try forward(.libtorch)
                line += String(format: " | F.conv3d dispatch from Swift %.3f s (%.1f× slower)", dispatch.best, dispatch.best / swift.best)
                if let python = external("/usr/bin/python3", [root.appendingPathComponent("Benchmarks/pytorch/resnet34_forward.py").path,
                                                              "\(batch)", "64", "\(stem)", "\(max(1, repeats - 1))"]) {
                    line += String(format: " | PyTorch eager %.3f s (%.1f× slower)", python.best, python.best / swift.best)
                    if let fusedBest { line += String(format: " (fused: %.2f× faster than PyTorch)", python.best / fusedBest) }
                }
            }
            print(line)
        }
        setBackend(net, .automatic)
    }
}

func setBackend(_ module: any Module, _ backend: ConvolutionBackend) {
    if let conv = module as? Conv3d { conv.backend = backend }
    for child in module.children { setBackend(child.module, backend) }
}

// MARK: - Training step

/// Forward FLOPs of a BasicBlock ResNet's convolutions (2 · Cin · k³ · Cout per output voxel), MONAI layout:
/// stem (padding k/2), max pool 3/2/1, 3×3×3 blocks with the stride on the first conv of stages 2…, 1×1×1
/// projection shortcuts (B) where the shape changes.
func forwardFLOPs(_ c: ResNet3DConfiguration, input: [Int], batch: Int) -> Double {
    func conv(_ cin: Int, _ cout: Int, _ k: [Int], _ out: [Int]) -> Double {
        2 * Double(cin * cout) * Double(k.reduce(1, *)) * Double(out.reduce(1, *))
    }
    var size = zip(zip(input, c.stemKernel), c.stemStride).map { pair, s in (pair.0 + 2 * (pair.1 / 2) - pair.1) / s + 1 }
    var total = conv(c.inputChannels, c.width, c.stemKernel, size)
    if c.maxPool { size = size.map { ($0 + 2 - 3) / 2 + 1 } }
    var cin = c.width
    for (stage, blocks) in c.layers.enumerated() {
        let w = c.width << stage
        for b in 0..<blocks {
            let s = b == 0 && stage > 0 ? 2 : 1
            let out = size.map { ($0 + 2 - 3) / s + 1 }
            total += conv(cin, w, [3, 3, 3], out) + conv(w, w, [3, 3, 3], out)
            if b == 0 && (s != 1 || cin != w) { total += conv(cin, w, [1, 1, 1], out) }
            cin = w
            size = out
        }
    }
    return total * Double(batch)
}

if runTrain {
    let batch = 8
    print("\nResNet-34-3D training step at batch \(batch) (input 8×1×20×200×200, stem stride (1,2,2)): forward (training mode), "
          + "NLL on log-softmax, backward, Adam; best of \(repeats) after warm-up")
    for width in trainWidths {
        let configuration = ResNet3DConfiguration(block: .basic, layers: [3, 4, 6, 3], width: width, stemStride: [1, 2, 2])
        let net = try ResNet3D(configuration, generator: Generator(seed: 0))
        let optimizer = Adam(net.trainableParameters, learningRate: 0.000296)
        let x = try Tensor.randn([batch, 1, 20, 200, 200], generator: Generator(seed: 1))
        let targets = try Tensor((0..<batch).map { Int64($0 % 2) })
        let step = try time(repeats) {
            try optimizer.zeroGrad()
            let loss = try net.logProbabilities(x, mode: .training).nllLoss(target: targets)
            try loss.backward()
            try optimizer.step()
            _ = try loss.item()
        }
        let flops = 3 * forwardFLOPs(configuration, input: [20, 200, 200], batch: batch)
        var line = "  width \(width): NeoICH \(String(format: "%.2f", step.best)) s/step, "
            + String(format: "%.2f samples/s, %.1f GFLOP/s (%.0f GFLOP per step)", Double(batch) / step.best, flops / step.best / 1e9, flops / 1e9)
        if let python = external("/usr/bin/python3", [root.appendingPathComponent("Benchmarks/pytorch/resnet34_forward.py").path,
                                                      "\(batch)", "\(width)", "2", "\(max(1, repeats - 1))", "train"]) {
            line += String(format: " | PyTorch eager %.2f s/step (%.2f× NeoICH's time)", python.best, python.best / step.best)
        }
        print(line)
    }
}
