import Foundation
import Testing
import TestSupport
@testable import Classification
import NN
import Stats

/// The incremental single-voxel forwards (`ResNet3DVoxelReplacement`, behind exact faithfulness) against a plain
/// forward of each modified input, on networks whose batch norms are not the identity, with odd sizes, voxels on
/// every edge and corner, both blocks, both shortcuts, with and without max pooling.
@Suite("ResNet3D voxel replacement")
struct ResNet3DVoxelReplacementTests {
    static let networks: [(name: String, configuration: ResNet3DConfiguration, input: [Int])] = [
        ("basic B, max pool", ResNet3DConfiguration(block: .basic, layers: [1, 2, 1], width: 4, stemKernel: [3, 5, 5], stemStride: [1, 2, 2]),
         [1, 1, 6, 21, 18]),
        ("basic A, no max pool", ResNet3DConfiguration(block: .basic, layers: [2, 1], width: 4, stemKernel: [7, 7, 7], stemStride: [1, 2, 2],
                                                       maxPool: false, shortcut: .a), [1, 1, 5, 17, 20]),
        ("bottleneck B, two channels", ResNet3DConfiguration(block: .bottleneck, layers: [1, 1], width: 4, inputChannels: 2,
                                                             stemKernel: [3, 3, 3], stemStride: [2, 2, 2]), [1, 2, 7, 15, 16]),
    ]

    /// Random batch-norm statistics and affine parameters, so that every normalisation changes its input.
    static func network(_ configuration: ResNet3DConfiguration, seed: UInt64) throws -> ResNet3D {
        let generator = try Generator(seed: seed)
        let net = try ResNet3D(configuration, generator: generator)
        var state: [String: Tensor] = [:]
        for (name, tensor) in net.stateDict() {
            let n = tensor.shape.first ?? 1
            if name.hasSuffix("running_var") {
                state[name] = try Tensor.rand([n], generator: generator).multiplying(1.5).adding(0.5)
            } else if name.hasSuffix("running_mean") {
                state[name] = try Tensor.randn([n], generator: generator).multiplying(0.2)
            } else if tensor.rank == 1, name.hasSuffix("weight") {
                state[name] = try Tensor.randn([n], generator: generator).multiplying(0.2).adding(1)
            } else if tensor.rank == 1, name.hasSuffix("bias") {
                state[name] = try Tensor.randn([n], generator: generator).multiplying(0.2)
            } else {
                state[name] = tensor
            }
        }
        try net.load(stateDict: state)
        return net
    }

    @Test(arguments: 0..<3, [0.0, 0.5, 2.0])
    func incrementalLogitsEqualPlainForwards(_ index: Int, _ fullFraction: Double) throws {
        let (_, configuration, shape) = Self.networks[index]
        let net = try Self.network(configuration, seed: UInt64(10 + index))
        let input = try Tensor.randn(shape, generator: Generator(seed: 3)).contiguous()
        let (d, h, w) = (shape[2], shape[3], shape[4])
        var offsets: [Int] = []
        for z in [0, d / 2, d - 1] { for y in [0, 1, h / 2, h - 1] { for x in [0, w / 2, w - 2, w - 1] { offsets.append((z * h + y) * w + x) } } }
        var rng = Xoshiro256StarStar(seed: 5)
        offsets += (0..<8).map { _ in Int.random(in: 0..<(d * h * w), using: &rng) }
        let value: Float = 0.75
        let replacement = try ResNet3DVoxelReplacement(network: net, input: input, fullFraction: fullFraction)
        let fast: [Double] = try replacement.logits(replacing: offsets, with: value).scalars(as: Double.self)
        // The reference: each modified input through the plain forward.
        let batch = try input.repeated([offsets.count, 1, 1, 1, 1]).contiguous()
        let channels = shape[1], volume = d * h * w
        try batch.withUnsafeMutableBufferPointer(as: Float.self) { buffer in
            for (b, offset) in offsets.enumerated() {
                for c in 0..<channels { buffer[(b * channels + c) * volume + offset] = value }
            }
        }
        let plain: [Double] = try GradMode.withoutGrad { try net.forward(batch, mode: .inference).scalars(as: Double.self) }
        expectClose(fast, plain, absolute: 2e-5, relative: 1e-5)
        // The voxel changes the logits somewhere (the comparison is not between two unperturbed forwards).
        let unperturbed: [Double] = try GradMode.withoutGrad { try net.forward(input, mode: .inference).scalars(as: Double.self) }
        let moved = offsets.indices.filter { b in (0..<2).contains { abs(plain[b * 2 + $0] - unperturbed[$0]) > 1e-6 } }
        #expect(moved.count > offsets.count / 2)
    }

    @Test func offsetsOutsideTheInputAndBatchesAreRejected() throws {
        let net = try Self.network(Self.networks[0].configuration, seed: 1)
        let input = try Tensor.randn(Self.networks[0].input, generator: Generator(seed: 3))
        let replacement = try ResNet3DVoxelReplacement(network: net, input: input)
        #expect(throws: ModuleError.self) { try replacement.logits(replacing: [-1], with: 0) }
        #expect(throws: ModuleError.self) { try replacement.logits(replacing: [input.count], with: 0) }
        #expect(try replacement.logits(replacing: [], with: 0).shape == [0, 2])
        #expect(throws: ModuleError.self) { try ResNet3DVoxelReplacement(network: net, input: input.repeated([2, 1, 1, 1, 1])) }
    }
}
