import Foundation
import Testing
import TestSupport
import Torch

/// The oneDNN convolution path must give the same values and gradients as libtorch's default dispatch.
@Suite("oneDNN convolution equals the default path")
struct ConvolutionBackendTests {
    struct Geometry: Sendable, CustomStringConvertible {
        var input: [Int], weight: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int, bias: Bool
        var description: String { "in \(input) w \(weight) s \(stride) p \(padding) d \(dilation) g \(groups)" }
    }

    static let geometries = [
        // batch 1 (the case libtorch sends to slow_conv3d), the ResNet stem's anisotropic stride, a 1×1×1 shortcut,
        // batch > 1, dilation, and groups.
        Geometry(input: [1, 3, 5, 12, 12], weight: [8, 3, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 1, bias: false),
        Geometry(input: [1, 1, 6, 16, 16], weight: [4, 1, 7, 7, 7], stride: [1, 2, 2], padding: [3, 3, 3], dilation: [1, 1, 1], groups: 1, bias: false),
        Geometry(input: [1, 4, 4, 8, 8], weight: [8, 4, 1, 1, 1], stride: [2, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1], groups: 1, bias: false),
        Geometry(input: [3, 2, 4, 7, 6], weight: [4, 2, 3, 3, 3], stride: [1, 2, 1], padding: [1, 0, 1], dilation: [1, 1, 2], groups: 1, bias: true),
        Geometry(input: [2, 4, 4, 6, 6], weight: [6, 2, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 2, bias: true),
        // nnU-Net's in-plane stages on 5 mm slices: 1×3×3 kernels, (1, 2, 2) strides, padding (0, 1, 1), with bias.
        Geometry(input: [2, 3, 4, 10, 10], weight: [5, 3, 1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], dilation: [1, 1, 1], groups: 1, bias: true),
        Geometry(input: [2, 3, 4, 10, 10], weight: [5, 3, 1, 3, 3], stride: [1, 1, 1], padding: [0, 1, 1], dilation: [1, 1, 1], groups: 1, bias: true),
    ]

    @Test(arguments: geometries)
    func forwardAndGradientsAgree(_ geometry: Geometry) throws {
        let g = try Generator(seed: 3)
        let x = try Tensor.randn(geometry.input, generator: g)
        let w = try Tensor.randn(geometry.weight, generator: g).multiplying(0.2)
        let b = geometry.bias ? try Tensor.randn([geometry.weight[0]], generator: g) : nil
        func run(_ backend: ConvolutionBackend) throws -> (Tensor, [Tensor?]) {
            let xi = try x.clone().requiringGrad(), wi = try w.clone().requiringGrad()
            let bi = try b.map { try $0.clone().requiringGrad() }
            let y = try xi.convolution(weight: wi, bias: bi, stride: geometry.stride, padding: geometry.padding,
                                       dilation: geometry.dilation, groups: geometry.groups, backend: backend)
            let upstream = try Tensor.randn(y.shape, generator: Generator(seed: 5))
            let grads = try gradients(of: [y], withRespectTo: [xi, wi] + (bi.map { [$0] } ?? []), gradOutputs: [upstream])
            return (try y.detached(), grads)
        }
        let (yDefault, gDefault) = try run(.libtorch)
        let (yOneDNN, gOneDNN) = try run(.oneDNN)
        expectClose(try yOneDNN.scalars(as: Float.self), try yDefault.scalars(as: Float.self), absolute: 1e-4, relative: 1e-4, "forward")
        for (name, (a, b)) in zip(["input", "weight", "bias"], zip(gOneDNN, gDefault)) {
            let a = try #require(a), b = try #require(b)
            expectClose(try a.scalars(as: Float.self), try b.scalars(as: Float.self), absolute: 1e-3, relative: 1e-4, "grad \(name)")
        }
    }

    @Test func oneDNNRejectsFloat64WithAClearError() throws {
        let x = try Tensor.zeros([1, 1, 3, 3, 3], dtype: .float64)
        let w = try Tensor.zeros([1, 1, 3, 3, 3], dtype: .float64)
        #expect(throws: TorchError.self) {
            try x.convolution(weight: w, stride: [1, 1, 1], padding: [1, 1, 1], backend: .oneDNN)
        }
    }
}

@Suite("oneDNN max pooling")
struct MaxPoolBackendTests {
    @Test func inferencePoolingEqualsLibtorchsKernel() throws {
        let x = try Tensor.randn([1, 3, 7, 12, 11], generator: Generator(seed: 4))
        let fast = try GradMode.withoutGrad { try x.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]) }
        // With gradients recorded the libtorch kernel runs; both must agree exactly (max is exact).
        let reference = try x.requiringGrad().maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1])
        #expect(fast.shape == reference.shape)
        #expect(try fast.equals(reference.detached()))
        let ceil = try GradMode.withoutGrad { try x.detached().maxPool(kernel: [2, 2, 2], stride: [2, 2, 2], ceilMode: true) }
        #expect(ceil.shape == [1, 3, 4, 6, 6])
    }
}
