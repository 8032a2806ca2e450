import Testing
import TestSupport
@testable import Torch

/// The oneDNN graph's operations against libtorch's own (op by op, float32): same values to 1e-4.
@Suite("Fused oneDNN graphs", .enabled(if: FusedPrecision.float32.isAvailable, "the fused graphs are built against Debian's oneDNN only"))
struct FusedGraphTests {
    let generator: Generator

    init() throws { generator = try Generator(seed: 7) }

    func random(_ shape: [Int], scale: Double = 1) throws -> Tensor {
        try Tensor.randn(shape, generator: generator).multiplying(scale)
    }

    func run(_ graph: FusedGraph, _ x: Tensor) throws -> Tensor {
        try #require(try graph.run(x).first)
    }

    @Test func convolutionWithResidualAndLeakyReLUEqualsLibtorch() throws {
        let x = try random([2, 3, 7, 11, 10]), w = try random([5, 3, 3, 3, 3], scale: 0.3), b = try random([5])
        let residualWeight = try random([5, 3, 1, 1, 1])
        let graph = try FusedGraph(inputShape: x.shape)
        let shortcut = try graph.convolution(graph.input, weight: residualWeight, bias: nil, stride: [2, 2, 2], padding: [0, 0, 0])
        let y = try graph.convolution(graph.input, weight: w, bias: b, stride: [2, 2, 2], padding: [1, 1, 1],
                                      residual: shortcut, activation: .leakyReLU(0.01))
        try graph.markOutput(y)
        #expect(try graph.shape(of: y) == [2, 5, 4, 6, 5])
        let expected = try x.convolution(weight: w, bias: b, stride: [2, 2, 2], padding: [1, 1, 1])
            .adding(x.convolution(weight: residualWeight, bias: nil, stride: [2, 2, 2], padding: [0, 0, 0]))
            .leakyReLU(slope: 0.01)
        expectClose(try run(graph, x).scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 1e-4, relative: 1e-4)
    }

    @Test func transposedConvolutionConcatenationAndInstanceNormEqualLibtorch() throws {
        // A U-Net decoder step: upsample, concatenate the skip, conv → instance norm → leaky ReLU.
        let x = try random([2, 6, 4, 5, 6]), up = try random([6, 4, 1, 2, 2], scale: 0.5), upBias = try random([4])
        let w = try random([4, 8, 3, 3, 3], scale: 0.2), b = try random([4])
        let gamma = try random([4]).adding(1), beta = try random([4])
        let graph = try FusedGraph(inputShape: x.shape)
        let upsampled = try graph.transposedConvolution(graph.input, weight: up, bias: upBias, stride: [1, 2, 2], padding: [0, 0, 0])
        #expect(try graph.shape(of: upsampled) == [2, 4, 4, 10, 12])
        let doubled = try graph.concatenate([upsampled, upsampled])
        let conv = try graph.convolution(doubled, weight: w, bias: b, stride: [1, 1, 1], padding: [1, 1, 1])
        let normed = try graph.instanceNorm(conv, weight: gamma, bias: beta, eps: 1e-5, activation: .leakyReLU(0.01))
        try graph.markOutput(upsampled)
        try graph.markOutput(normed)
        let outputs = try graph.run(x)
        let u = try x.transposedConvolution(weight: up, bias: upBias, stride: [1, 2, 2], padding: [0, 0, 0])
        let expected = try Tensor.cat([u, u], dim: 1).convolution(weight: w, bias: b, stride: [1, 1, 1], padding: [1, 1, 1])
            .instanceNorm(weight: gamma, bias: beta, eps: 1e-5).leakyReLU(slope: 0.01)
        expectClose(try outputs[0].scalars(as: Double.self), try u.scalars(as: Double.self), absolute: 1e-4, relative: 1e-4)
        expectClose(try outputs[1].scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 1e-4, relative: 1e-4)
    }

    /// The two-pass kernel in each layout it reads: plain (the input itself, odd sizes: vector tails), 8- or
    /// 16-channel blocks with padded channels (20 channels), and a batch-1 activation large enough to be cut into parts.
    @Test(arguments: [[2, 3, 5, 7, 9], [1, 20, 16, 64, 64], [3, 12, 4, 6, 10]])
    func instanceNormEqualsLibtorch(_ shape: [Int]) throws {
        let x = try random(shape, scale: 3).adding(1.5)
        let channels = shape[1]
        let gamma = try random([channels]).adding(1), beta = try random([channels])
        let graph = try FusedGraph(inputShape: shape)
        let plain = try graph.instanceNorm(graph.input, weight: gamma, bias: beta, eps: 1e-5, activation: .leakyReLU(0.01))
        // A 1×1×1 convolution first puts the activation in oneDNN's blocked layout.
        let identity = try Tensor.eye(channels).reshaped([channels, channels, 1, 1, 1])
        let blocked = try graph.instanceNorm(graph.convolution(graph.input, weight: identity, bias: nil, stride: [1, 1, 1],
                                                               padding: [0, 0, 0]),
                                             weight: gamma, bias: beta, eps: 1e-5, activation: .relu)
        try graph.markOutput(plain)
        try graph.markOutput(blocked)
        let outputs = try graph.run(x)
        let normalised = try x.instanceNorm(weight: gamma, bias: beta, eps: 1e-5)
        expectClose(try outputs[0].scalars(as: Double.self), try normalised.leakyReLU(slope: 0.01).scalars(as: Double.self),
                    absolute: 1e-4, relative: 1e-4)
        expectClose(try outputs[1].scalars(as: Double.self), try normalised.relu().scalars(as: Double.self),
                    absolute: 1e-4, relative: 1e-4)
    }

    @Test func poolingEqualsLibtorch() throws {
        let x = try random([1, 3, 5, 9, 8])
        let graph = try FusedGraph(inputShape: x.shape)
        let pooled = try graph.maxPool(graph.input, kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1])
        let mean = try graph.globalAveragePool(pooled)
        try graph.markOutput(pooled)
        try graph.markOutput(mean)
        let outputs = try graph.run(x)
        let expected = try x.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1])
        expectClose(try outputs[0].scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 1e-6)
        #expect(outputs[1].shape == [1, 3, 1, 1, 1])
        expectClose(try outputs[1].scalars(as: Double.self),
                    try expected.adaptiveAvgPool(outputSize: [1, 1, 1]).scalars(as: Double.self), absolute: 1e-5, relative: 1e-5)
    }

    @Test func runsRepeatedlyWithReusedBuffers() throws {
        // A chain long enough that buffers are recycled; every run must give the same answer as libtorch.
        let graph = try FusedGraph(inputShape: [1, 2, 6, 6, 6])
        var h = graph.input
        var weights: [Tensor] = []
        for i in 0..<6 {
            let w = try random([2, 2, 3, 3, 3], scale: 0.3)
            weights.append(w)
            h = try graph.convolution(h, weight: w, bias: nil, stride: [1, 1, 1], padding: [1, 1, 1], activation: i % 2 == 0 ? .relu : .identity)
        }
        try graph.markOutput(h)
        for _ in 0..<3 {
            let x = try random([1, 2, 6, 6, 6])
            var expected = x
            for (i, w) in weights.enumerated() {
                expected = try expected.convolution(weight: w, bias: nil, stride: [1, 1, 1], padding: [1, 1, 1])
                if i % 2 == 0 { expected = try expected.relu() }
            }
            expectClose(try run(graph, x).scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 1e-4, relative: 1e-4)
        }
    }

    @Test func refusesWrongInputsAndLateOperations() throws {
        let graph = try FusedGraph(inputShape: [1, 1, 4, 4, 4])
        let y = try graph.convolution(graph.input, weight: try random([2, 1, 1, 1, 1]), bias: nil, stride: [1, 1, 1], padding: [0, 0, 0])
        #expect(throws: TorchError.self) { try graph.run(try random([1, 1, 4, 4, 4])) }  // no output marked
        try graph.markOutput(y)
        let wrongShape = #expect(throws: TorchError.self) { try graph.run(try random([1, 1, 4, 4, 5])) }
        #expect(wrongShape?.message.contains("(1, 1, 4, 4, 4)") == true)
        #expect(throws: TorchError.self) { try graph.run(try Tensor.zeros([1, 1, 4, 4, 4], dtype: .float64)) }
        _ = try graph.run(try random([1, 1, 4, 4, 4]))
        let late = #expect(throws: TorchError.self) {
            try graph.convolution(y, weight: try random([2, 2, 1, 1, 1]), bias: nil, stride: [1, 1, 1], padding: [0, 0, 0])
        }
        #expect(late?.message.contains("after the first run") == true)
        let misfit = #expect(throws: TorchError.self) {
            try FusedGraph(inputShape: [1, 3, 4, 4, 4]).convolution(FusedGraph.Value(id: 0), weight: try random([2, 1, 3, 3, 3]),
                                                                   bias: nil, stride: [1, 1, 1], padding: [1, 1, 1])
        }
        #expect(misfit?.message.contains("does not fit") == true)
        #expect(throws: TorchError.self) { try FusedGraph(inputShape: [1, 0, 4, 4, 4]) }
    }

    @Test func bfloat16IsOfferedOnlyWithNativeInstructions() throws {
        let x = try random([1, 4, 6, 8, 8]), w = try random([8, 4, 3, 3, 3], scale: 0.2)
        guard FusedPrecision.bfloat16.isAvailable else {
            let error = #expect(throws: TorchError.self) { try FusedGraph(inputShape: x.shape, precision: .bfloat16) }
            #expect(error?.message.contains("avx512_bf16") == true)
            return
        }
        let graph = try FusedGraph(inputShape: x.shape, precision: .bfloat16)
        try graph.markOutput(try graph.convolution(graph.input, weight: w, bias: nil, stride: [1, 1, 1], padding: [1, 1, 1]))
        let expected = try x.convolution(weight: w, bias: nil, stride: [1, 1, 1], padding: [1, 1, 1])
        // bfloat16 keeps 8 significant bits: 2⁻⁸ relative per operand.
        expectClose(try run(graph, x).scalars(as: Double.self), try expected.scalars(as: Double.self), absolute: 0.05, relative: 0.02)
    }
}
