import Foundation
import NN

/// Exact logits of many copies of one input that each differ from it in one voxel, computed incrementally
/// (000_…'s faithfulness needs one such forward per lesion voxel).
///
/// Every operation of the network — the stem convolution, the max pooling, each convolution of each residual
/// block and its shortcut — is evaluated only on the box of its output that the changed voxel can reach, from a
/// window of the unperturbed activation (computed once) with the changed box of its input pasted in. The box
/// grows with the receptive field; once a block's output box would cover more than `fullFraction` of the
/// activation, the changed boxes are pasted into copies of the unperturbed activation and the rest of the
/// network runs on whole activations. Only float rounding (oneDNN blocks a window differently from the whole
/// activation) separates the result from a plain forward of each modified input.
///
/// Windows are cut from the unperturbed activation zero-padded like the operation itself, so the boxes at the
/// volume's edges see the same padding as the plain forward; the max pooling follows the stem's ReLU, whose
/// outputs are ≥ 0, so its zero padding gives the same maxima as PyTorch's −∞ padding.
public final class ResNet3DVoxelReplacement: VoxelReplacement {
    /// One activation of the unperturbed forward (1, C, z, y, x) and its zero-padded copy for the operation
    /// that reads it.
    struct Node {
        let values: Tensor
        let padded: Tensor
        let padding: [Int]
        var spatial: [Int] { Array(values.shape.suffix(3)) }

        init(_ values: Tensor, padding: [Int]) throws {
            self.values = values
            self.padding = padding
            padded = padding.allSatisfy { $0 == 0 } ? values
                : try values.padded([padding[2], padding[2], padding[1], padding[1], padding[0], padding[0]])
        }
    }

    /// The changed part of one activation for a batch of modified inputs: `values` (B, C, length…) holds the
    /// modified activation on the box that starts at `start[b]` for sample b; `reach[b]` is the part of that box
    /// that can differ from the unperturbed activation (the box may be larger, to share one length per batch).
    struct Patch {
        var values: Tensor
        var start: [[Int]]
        var length: [Int]
        var reach: [[ClosedRange<Int>]]
    }

    struct BlockNodes {
        let input: Node
        let shortcutInput: Node
        let middles: [Node]
    }

    public let network: ResNet3D
    /// When set, `logits` adds the seconds spent per part ("stem", "layer2.0", …, "whole from layer3.0") to
    /// `profile` (benchmarks).
    public var profiling = false
    public private(set) var profile: [String: Double] = [:]
    /// A block whose output box would exceed this fraction of its activation starts the whole-activation part.
    public let fullFraction: Double
    /// The logits of the unmodified input (1, classes).
    public let unperturbedLogits: Tensor
    let inputNode: Node
    let stemConvolved: Node?  // before the max pooling
    let stemNode: Node
    let blockNodes: [[BlockNodes]]
    let outputNode: Node  // the last block's output
    var inputShape: [Int] { inputNode.values.shape }
    let blocks: [[ResidualBlock]]

    /// Runs the unperturbed forward of `input` (1, C, z, y, x) once and keeps every activation.
    ///
    /// - Throws: `ModuleError.invalidConfiguration` for a batch other than one.
    public init(network: ResNet3D, input: Tensor, fullFraction: Double = 0.7) throws {
        guard input.rank == 5, input.shape[0] == 1 else {
            throw ModuleError.invalidConfiguration("voxel replacement needs one input (1, C, z, y, x), got \(input.shape)")
        }
        self.network = network
        self.fullFraction = fullFraction
        let blocks = network.stages.map { stage in stage.layers.compactMap { ($0 as? BlockLayer)?.block } }
        self.blocks = blocks
        let nodes: (Node, Node?, Node, [[BlockNodes]], Node) = try GradMode.withoutGrad {
            let c = network.configuration
            let inputNode = try Node(input, padding: c.stemKernel.map { $0 / 2 })
            var h = try network.bn1.forward(network.conv1.forward(input, mode: .inference), mode: .inference).relu()
            var stemConvolved: Node?
            if c.maxPool {
                stemConvolved = try Node(h, padding: [1, 1, 1])
                h = try h.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1])
            }
            let stemNode = try Node(h, padding: [0, 0, 0])
            var all: [[BlockNodes]] = []
            for stage in blocks {
                var stageNodes: [BlockNodes] = []
                for block in stage {
                    let (output, middles) = try block.forwardKeepingMiddles(h, mode: .inference)
                    stageNodes.append(BlockNodes(
                        input: try Node(h, padding: block.convolutions[0].padding), shortcutInput: try Node(h, padding: [0, 0, 0]),
                        middles: try middles.enumerated().map { try Node($0.element, padding: block.convolutions[$0.offset + 1].padding) }))
                    h = output
                }
                all.append(stageNodes)
            }
            return (inputNode, stemConvolved, stemNode, all, try Node(h, padding: [0, 0, 0]))
        }
        (inputNode, stemConvolved, stemNode, blockNodes, outputNode) = nodes
        unperturbedLogits = try GradMode.withoutGrad { try network.head(nodes.4.values, mode: .inference) }
    }

    /// Logits (B, classes) of the input with, for sample b, the voxel at linear (z, y, x) offset `offsets[b]` set
    /// to `value` (every input channel).
    ///
    /// - Throws: `ModuleError.invalidConfiguration` for an offset outside the input.
    public func logits(replacing offsets: [Int], with value: Float) throws -> Tensor {
        let spatial = Array(inputShape.suffix(3)), channels = inputShape[1]
        let count = spatial.reduce(1, *)
        if let bad = offsets.first(where: { $0 < 0 || $0 >= count }) {
            throw ModuleError.invalidConfiguration("voxel offset \(bad) outside the input's \(count) voxels")
        }
        guard !offsets.isEmpty else { return try Tensor.zeros([0, network.configuration.classes]) }
        var clock = DispatchTime.now().uptimeNanoseconds
        return try GradMode.withoutGrad {
            let starts = offsets.map { [$0 / (spatial[1] * spatial[2]), ($0 / spatial[2]) % spatial[1], $0 % spatial[2]] }
            let values = try Tensor.full([offsets.count, channels, 1, 1, 1], Double(value))
            var patch = Patch(values: values, start: starts, length: [1, 1, 1], reach: starts.map { $0.map { $0...$0 } })
            let c = network.configuration
            patch = try convolve(inputNode, patch, kernel: c.stemKernel, stride: c.stemStride, output: stemConvolved?.spatial ?? stemNode.spatial) { w in
                try self.network.bn1.forward(w.convolution(weight: self.network.conv1.weight, bias: self.network.conv1.bias,
                                                           stride: c.stemStride, padding: [0, 0, 0], backend: self.network.conv1.backend),
                                             mode: .inference).relu()
            }
            if let stemConvolved {
                patch = try convolve(stemConvolved, patch, kernel: [3, 3, 3], stride: [2, 2, 2], output: stemNode.spatial) { w in
                    try w.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [0, 0, 0])
                }
            }
            func lap(_ name: String) {
                guard profiling else { return }
                let now = DispatchTime.now().uptimeNanoseconds
                profile[name, default: 0] += Double(now - clock) / 1e9
                clock = now
            }
            lap("stem")
            for (s, stage) in blocks.enumerated() {
                for (j, block) in stage.enumerated() {
                    let nodes = blockNodes[s][j]
                    if fraction(of: block, from: patch, spatial: nodes.input.spatial) > fullFraction {
                        let logits = try finish(from: materialize(nodes.input, patch), stage: s, block: j)
                        lap("whole from layer\(s + 1).\(j)")
                        return logits
                    }
                    patch = try advance(block, nodes, patch)
                    lap("layer\(s + 1).\(j)")
                }
            }
            // Every block stayed local (a small network on a large input): the last block's output is needed whole.
            return try finish(from: materialize(outputNode, patch), stage: blocks.count, block: 0)
        }
    }

    // MARK: - Local steps

    /// The output range an operation (kernel, stride, padding) can change from a changed input range.
    static func reach(_ r: ClosedRange<Int>, kernel k: Int, stride s: Int, padding p: Int, outputLength n: Int) -> ClosedRange<Int> {
        let lo = max(0, ceilDiv(r.lowerBound + p - k + 1, s)), hi = min(n - 1, floorDiv(r.upperBound + p, s))
        return lo...max(lo, hi)
    }

    /// `reach` on every axis.
    static func reach(_ r: [ClosedRange<Int>], kernel: [Int], stride: [Int], padding: [Int], output: [Int]) -> [ClosedRange<Int>] {
        var result: [ClosedRange<Int>] = []
        for a in 0..<3 { result.append(reach(r[a], kernel: kernel[a], stride: stride[a], padding: padding[a], outputLength: output[a])) }
        return result
    }

    /// An operation's output size per axis.
    static func outputSize(_ input: [Int], kernel: [Int], stride: [Int], padding: [Int]) -> [Int] {
        var result: [Int] = []
        for a in 0..<3 { result.append((input[a] + 2 * padding[a] - kernel[a]) / stride[a] + 1) }
        return result
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

    /// One windowed operation: output boxes from the patch's reach, windows of `source` (padded as the operation
    /// pads) with the patch pasted in, then `operation` applied without padding.
    func convolve(_ source: Node, _ patch: Patch, kernel: [Int], stride: [Int], output: [Int],
                  operation: (Tensor) throws -> Tensor) throws -> Patch {
        let p = source.padding
        let reach = patch.reach.map { r in Self.reach(r, kernel: kernel, stride: stride, padding: p, output: output) }
        let length = (0..<3).map { a in reach.map { $0[a].count }.max() ?? 1 }
        let start = reach.map { r in (0..<3).map { min(r[$0].lowerBound, output[$0] - length[$0]) } }
        let window = (0..<3).map { (length[$0] - 1) * stride[$0] + kernel[$0] }
        // Window b starts at start·stride in the padded source, i.e. start·stride − padding in the source.
        let windows = try gather(source, patch, windowStart: start.map { s in (0..<3).map { s[$0] * stride[$0] - p[$0] } }, window: window)
        let values = try operation(windows)
        guard Array(values.shape.suffix(3)) == length else {
            throw ModuleError.invalidConfiguration("voxel replacement: window \(window) gave \(values.shape), expected \(length)")
        }
        return Patch(values: values, start: start, length: length, reach: reach)
    }

    /// Windows (B, C, window…) of the padded unperturbed `source` starting at `windowStart[b]` (unpadded
    /// coordinates, ≥ −padding), with sample b's patch pasted where it overlaps.
    func gather(_ source: Node, _ patch: Patch, windowStart: [[Int]], window: [Int]) throws -> Tensor {
        let b = windowStart.count, channels = source.values.shape[1]
        let out = try Tensor.empty([b, channels] + window)
        for i in 0..<b {
            var target = try out.select(0, i), from = try source.padded.select(0, 0)
            for a in 0..<3 { from = try from.narrow(a + 1, start: windowStart[i][a] + source.padding[a], length: window[a]) }
            try target.copy(from: from)
            var patchPart = try patch.values.select(0, i)
            var overlaps = true
            for a in 0..<3 {
                let lo = max(windowStart[i][a], patch.start[i][a])
                let hi = min(windowStart[i][a] + window[a], patch.start[i][a] + patch.length[a]) - 1
                guard lo <= hi else { overlaps = false; break }
                target = try target.narrow(a + 1, start: lo - windowStart[i][a], length: hi - lo + 1)
                patchPart = try patchPart.narrow(a + 1, start: lo - patch.start[i][a], length: hi - lo + 1)
            }
            if overlaps { try target.copy(from: patchPart) }
        }
        return out
    }

    /// One residual block on boxes: its convolutions, then the shortcut on the last convolution's boxes.
    func advance(_ block: ResidualBlock, _ nodes: BlockNodes, _ input: Patch) throws -> Patch {
        var patch = input
        var source = nodes.input
        for i in block.convolutions.indices {
            let conv = block.convolutions[i], norm = block.norms[i], last = i == block.convolutions.count - 1
            let output = Self.outputSize(source.spatial, kernel: Array(conv.weight.shape.suffix(3)), stride: conv.stride, padding: source.padding)
            patch = try convolve(source, patch, kernel: Array(conv.weight.shape.suffix(3)), stride: conv.stride, output: output) { w in
                let h = try norm.forward(w.convolution(weight: conv.weight, bias: conv.bias, stride: conv.stride, padding: [0, 0, 0],
                                                       backend: conv.backend), mode: .inference)
                return last ? h : try h.relu()
            }
            if !last { source = nodes.middles[i] }
        }
        let stride = block.convolutions.map(\.stride).first { $0 != [1, 1, 1] } ?? [1, 1, 1]
        // The shortcut reaches no further than the convolutions (kernel 1 against ≥ 1 kernels of ≥ 1).
        for (r, box) in zip(input.reach, patch.start) {
            for a in 0..<3 {
                let s = Self.reach(r[a], kernel: 1, stride: stride[a], padding: 0, outputLength: Int.max)
                guard s.lowerBound >= box[a], s.upperBound < box[a] + patch.length[a] else {
                    throw ModuleError.invalidConfiguration("voxel replacement: shortcut reaches outside the block's box")
                }
            }
        }
        let window = (0..<3).map { (patch.length[$0] - 1) * stride[$0] + 1 }
        let windows = try gather(nodes.shortcutInput, input, windowStart: patch.start.map { s in (0..<3).map { s[$0] * stride[$0] } }, window: window)
        let residual = try block.shortcut(windows, mode: .inference)
        patch.values = try patch.values.adding(residual).relu()
        return patch
    }

    /// The fraction of `block`'s output that its box would cover, from the reach of its input patch.
    func fraction(of block: ResidualBlock, from patch: Patch, spatial: [Int]) -> Double {
        var reach = patch.reach
        var size = spatial
        for conv in block.convolutions {
            let k = Array(conv.weight.shape.suffix(3))
            let out = Self.outputSize(size, kernel: k, stride: conv.stride, padding: conv.padding)
            reach = reach.map { r in Self.reach(r, kernel: k, stride: conv.stride, padding: conv.padding, output: out) }
            size = out
        }
        let length = (0..<3).map { a in reach.map { $0[a].count }.max() ?? 1 }
        return Double(length.reduce(1, *)) / Double(size.reduce(1, *))
    }

    // MARK: - Whole activations

    /// Copies of the unperturbed activation with each sample's box replaced by its patch.
    func materialize(_ node: Node, _ patch: Patch) throws -> Tensor {
        let b = patch.start.count
        let out = try node.values.repeated([b, 1, 1, 1, 1])
        for i in 0..<b {
            var target = try out.select(0, i)
            for a in 0..<3 { target = try target.narrow(a + 1, start: patch.start[i][a], length: patch.length[a]) }
            try target.copy(from: patch.values.select(0, i))
        }
        return out
    }

    /// Runs the network from block `block` of stage `stage` (`blocks.count`: only the head) on whole activations.
    func finish(from h: Tensor, stage: Int, block: Int) throws -> Tensor {
        var h = h
        for s in stage..<blocks.count {
            for j in (s == stage ? block : 0)..<blocks[s].count { h = try blocks[s][j].forward(h, mode: .inference) }
        }
        return try network.head(h, mode: .inference)
    }
}
