import Classification
import NN

/// Exact single-voxel deletion for a `ResNet3D` that recomputes the early stages only where the voxel can
/// reach.
///
/// Up to the activation `split`, the network is convolutional with small kernels, so one input voxel changes
/// only the split positions whose receptive field contains it. Those positions are computed from a window of
/// the input that holds their receptive fields (clipped at the crop's edges, where the zero padding is the
/// same as on the full crop; its start aligned to the cumulative stride so that its grid is the full grid's),
/// pasted into the unperturbed split activation, and the rest of the network runs on the result. Only float
/// rounding (oneDNN blocks a window differently from the full crop) separates it from `.full`.
struct ReceptiveFieldWindows {
    /// One axis of the prefix: receptive field size, jump (cumulative stride) and start offset of output 0,
    /// in input voxels, plus the input and output lengths.
    struct Axis {
        var size = 1, jump = 1, start = 0
        var inputLength: Int
        var outputLength: Int

        init(length: Int, operations: [(kernel: Int, stride: Int, padding: Int)]) {
            inputLength = length
            var n = length
            for op in operations {
                start -= op.padding * jump
                size += (op.kernel - 1) * jump
                jump *= op.stride
                n = (n + 2 * op.padding - op.kernel) / op.stride + 1
            }
            outputLength = n
        }

        /// The split positions that voxel `c` reaches, and the input window that computes them exactly.
        func reach(_ c: Int) -> (outputs: ClosedRange<Int>, needed: ClosedRange<Int>) {
            let lo = max(0, Self.ceilDiv(c - start - size + 1, jump)), hi = min(outputLength - 1, Self.floorDiv(c - start, jump))
            let needed = max(0, start + lo * jump)...min(inputLength - 1, start + hi * jump + size - 1)
            return (lo...hi, needed)
        }

        static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }
    }

    let network: ResNet3D
    let input: Tensor
    let split: String
    let baseline: Float
    let axes: [Axis]
    /// The window length per axis (z, y, x) used for every voxel, a multiple of the axis' jump or the whole axis.
    let windowLength: [Int]
    let unperturbedSplit: Tensor
    let values: [Float]

    init(network: ResNet3D, input: Tensor, split: String, baseline: Double) throws {
        let names = network.boundaryNames
        guard let index = names.firstIndex(of: split), index > 0, index < names.count - 1 else {
            throw ExplainError.unknownLayer(split, available: Array(names.dropFirst().dropLast()))
        }
        self.network = network
        self.input = input
        self.split = split
        self.baseline = Float(baseline)
        let spatial = Array(input.shape.suffix(3))
        let operations = Self.operations(network.configuration, through: index - 1)
        axes = (0..<3).map { Axis(length: spatial[$0], operations: operations[$0]) }
        // The widest aligned window any voxel needs; at most the whole axis.
        windowLength = axes.map { axis in
            let widest = (0..<axis.inputLength).map { c in
                let needed = axis.reach(c).needed
                return needed.upperBound + 1 - (needed.lowerBound / axis.jump) * axis.jump
            }.max() ?? axis.inputLength
            return min(axis.inputLength, (widest + axis.jump - 1) / axis.jump * axis.jump)
        }
        unperturbedSplit = try network.forward(input, from: "input", through: split, mode: .inference)
        values = try input.scalars()
    }

    /// (kernel, stride, padding) per axis of every windowed operation from the input to boundary `stages`
    /// (0 = stem, k = layer k). Shortcut paths (1×1 or pooling with the same stride) reach less than the
    /// convolution path and are omitted.
    static func operations(_ c: ResNet3DConfiguration, through stages: Int) -> [[(kernel: Int, stride: Int, padding: Int)]] {
        (0..<3).map { axis in
            var ops = [(kernel: c.stemKernel[axis], stride: c.stemStride[axis], padding: c.stemKernel[axis] / 2)]
            if c.maxPool { ops.append((3, 2, 1)) }
            for stage in 0..<max(0, stages) {
                for block in 0..<c.layers[stage] {
                    let stride = block == 0 && stage > 0 ? 2 : 1
                    switch c.block {
                    case .basic: ops += [(3, stride, 1), (3, 1, 1)]
                    case .bottleneck: ops += [(1, 1, 0), (3, stride, 1), (1, 1, 0)]
                    }
                }
            }
            return ops
        }
    }

    /// The predicted class's probability with each voxel (linear offset) set to the baseline.
    func probabilities(deleting offsets: [Int], predictedClass: Int) throws -> [Double] {
        let shape = Array(input.shape.suffix(3))
        struct Placement { var index: Int; var window: [Int]; var outputs: [ClosedRange<Int>]; var voxel: [Int] }
        var groups: [[Int]: [Placement]] = [:]
        for (i, offset) in offsets.enumerated() {
            let voxel = [offset / (shape[1] * shape[2]), (offset / shape[2]) % shape[1], offset % shape[2]]
            var start: [Int] = [], length: [Int] = [], outputs: [ClosedRange<Int>] = []
            for a in 0..<3 {
                let axis = axes[a], (reached, needed) = axis.reach(voxel[a])
                var w0 = (needed.lowerBound / axis.jump) * axis.jump
                var l = windowLength[a]
                if w0 + l > axis.inputLength {  // shift back from the far edge, keeping the alignment
                    w0 = max(0, (axis.inputLength - l) / axis.jump * axis.jump)
                    l = axis.inputLength - w0
                }
                start.append(w0)
                length.append(l)
                outputs.append(reached)
            }
            groups[length, default: []].append(Placement(index: i, window: start, outputs: outputs, voxel: voxel))
        }
        var result = [Double](repeating: .nan, count: offsets.count)
        for (length, placements) in groups {
            let windows = try Tensor.empty([placements.count, 1] + length)
            try windows.withUnsafeMutableBufferPointer(as: Float.self) { out in
                let size = length[0] * length[1] * length[2]
                for (b, p) in placements.enumerated() {
                    for z in 0..<length[0] {
                        for y in 0..<length[1] {
                            let source = ((p.window[0] + z) * shape[1] + p.window[1] + y) * shape[2] + p.window[2]
                            let target = b * size + (z * length[1] + y) * length[2]
                            for x in 0..<length[2] { out[target + x] = values[source + x] }
                        }
                    }
                    let local = ((p.voxel[0] - p.window[0]) * length[1] + p.voxel[1] - p.window[1]) * length[2] + p.voxel[2] - p.window[2]
                    out[b * size + local] = baseline
                }
            }
            let windowSplit = try network.forward(windows, from: "input", through: split, mode: .inference)
            let pasted = try unperturbedSplit.repeated([placements.count, 1, 1, 1, 1])
            for (b, p) in placements.enumerated() {
                var target = try pasted.select(0, b), source = try windowSplit.select(0, b)
                for a in 0..<3 {
                    let range = p.outputs[a], localStart = range.lowerBound - p.window[a] / axes[a].jump
                    target = try target.narrow(a + 1, start: range.lowerBound, length: range.count)
                    source = try source.narrow(a + 1, start: localStart, length: range.count)
                }
                try target.copy(from: source)
            }
            let p = try network.forward(pasted, from: split, through: "logits", mode: .inference)
                .softmax(dim: 1).select(1, predictedClass).scalars(as: Double.self)
            for (b, placement) in placements.enumerated() { result[placement.index] = p[b] }
        }
        return result
    }
}
