import Foundation
import Testing
import TestSupport
import Torch

/// Autograd of every differentiable op NeoICH uses, against central finite differences in float64.
@Suite("Gradients vs finite differences")
struct GradientCheckTests {
    let g: Generator

    init() throws { g = try Generator(seed: 11) }

    func randn(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, dtype: .float64, generator: g) }

    @Test func elementwiseArithmetic() throws {
        let a = try randn([2, 3]), b = try randn([2, 3]).abs().adding(0.5)
        try expectGradientsMatchFiniteDifferences([a, b]) { x in
            try x[0].multiplying(x[1]).adding(x[0].dividing(x[1])).subtracting(x[1].log()).adding(x[1].sqrt())
                .adding(x[0].exp()).adding(x[1].pow(1.7)).adding(x[0].sigmoid()).adding(x[0].tanh())
        }
    }

    @Test func reductionsAndShapes() throws {
        let a = try randn([2, 3, 4])
        try expectGradientsMatchFiniteDifferences([a]) { x in
            let t = x[0]
            let parts = [
                try t.sum(dims: [1]).reshaped([8]),
                try t.mean(dims: [2]).flattened(),
                try t.std(dims: [0]).flattened(),
                try t.permuted([2, 0, 1]).narrow(0, start: 1, length: 2).flattened(),
                try t.flipped([1]).slice(2, 0, 4, step: 2).flattened(),
                try t.padded([1, 1], value: 0).flattened(),
                try t.max(dims: [2]).flattened(),
            ]
            return try Tensor.cat(parts)
        }
    }

    @Test func matmulAndLinear() throws {
        let x = try randn([3, 4]), w = try randn([2, 4]), b = try randn([2])
        try expectGradientsMatchFiniteDifferences([x, w, b]) { v in
            try v[0].linear(weight: v[1], bias: v[2]).adding(v[0].matmul(v[1].transposed(0, 1)))
        }
    }

    @Test func convolution3d() throws {
        let x = try randn([1, 2, 3, 4, 5]), w = try randn([2, 1, 2, 3, 2]), b = try randn([2])
        try expectGradientsMatchFiniteDifferences([x, w, b]) { v in
            try v[0].convolution(weight: v[1], bias: v[2], stride: [1, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], groups: 2)
        }
    }

    @Test func transposedConvolution3d() throws {
        let x = try randn([1, 2, 2, 2, 3]), w = try randn([2, 3, 2, 2, 2]), b = try randn([3])
        try expectGradientsMatchFiniteDifferences([x, w, b]) { v in
            try v[0].transposedConvolution(weight: v[1], bias: v[2], stride: [2, 2, 1], padding: [0, 0, 1])
        }
    }

    @Test func normalisation() throws {
        let x = try randn([3, 2, 2, 2, 3]), w = try randn([2]), b = try randn([2])
        try expectGradientsMatchFiniteDifferences([x, w, b]) { v in
            try v[0].batchNorm(weight: v[1], bias: v[2], runningMean: nil, runningVar: nil, training: true)
        }
        try expectGradientsMatchFiniteDifferences([x, w, b]) { v in
            try v[0].instanceNorm(weight: v[1], bias: v[2])
        }
    }

    @Test func activationsAndPooling() throws {
        let x = try randn([1, 2, 4, 4, 5])
        try expectGradientsMatchFiniteDifferences([x]) { v in
            let t = v[0]
            return try Tensor.cat([
                t.relu().flattened(), t.leakyReLU(slope: 0.01).flattened(),
                t.maxPool(kernel: [2, 2, 2], stride: [2, 2, 2]).flattened(),
                t.avgPool(kernel: [2, 2, 2], stride: [1, 2, 2], padding: [1, 0, 0]).flattened(),
                t.adaptiveAvgPool(outputSize: [1, 2, 1]).flattened(),
                t.clamped(min: -0.5, max: 0.5).flattened(),
            ])
        }
    }

    @Test func softmaxAndLosses() throws {
        let logits = try randn([3, 4]), seg = try randn([2, 3, 2, 2, 2])
        let target = try Tensor([Int64(1), 3, 0])
        let segTarget = try Tensor((0..<16).map { Int64($0 % 3) }, shape: [2, 2, 2, 2])
        try expectGradientsMatchFiniteDifferences([logits]) { v in
            try Tensor.cat([v[0].softmax(dim: 1).flattened(), v[0].logSoftmax(dim: 0).flattened(),
                            v[0].crossEntropy(target: target).reshaped([1])])
        }
        try expectGradientsMatchFiniteDifferences([seg]) { v in
            try v[0].logSoftmax(dim: 1).nllLoss(target: segTarget, weight: Tensor([0.5, 1, 2]))
        }
    }

    @Test func resampling() throws {
        let x = try randn([1, 1, 2, 3, 3])
        try expectGradientsMatchFiniteDifferences([x]) { v in
            try v[0].interpolated(size: [3, 4, 5], mode: .linear)
        }
        let theta = try Tensor([0.9, 0.1, 0, 0.053, -0.1, 1.1, 0, 0.037, 0, 0, 1, 0.021], shape: [1, 3, 4])
        try expectGradientsMatchFiniteDifferences([x, theta]) { v in
            let grid = try Tensor.affineGrid(theta: v[1], size: [1, 1, 2, 3, 3])
            return try v[0].gridSample(grid)
        }
    }

    @Test func gradientsWithRespectToIntermediateActivations() throws {
        // d/dh of sum(relu(h)·w) where h = x·2 is w·1[h>0], whatever x is.
        let x = try Tensor([1.0, -2.0, 3.0]).requiringGrad()
        let h = try x.multiplying(2)
        let w = try Tensor([0.5, 0.25, 2.0])
        let y = try h.relu().multiplying(w).sum()
        let gh = try gradient(of: y, withRespectTo: h, retainGraph: true)
        #expect(try gh.scalars(as: Double.self) == [0.5, 0, 2])
        let gx = try gradient(of: y, withRespectTo: x)
        #expect(try gx.scalars(as: Double.self) == [1, 0, 4])
    }

    @Test func guidedReLUPassesOnlyPositiveGradientsThroughPositiveInputs() throws {
        let x = try Tensor([-1.0, 2.0, 3.0, -4.0]).requiringGrad()
        let upstream = try Tensor([5.0, -6.0, 7.0, 8.0])
        let y = try x.guidedReLU()
        #expect(try y.detached().scalars(as: Double.self) == [0, 2, 3, 0])
        let g = try gradients(of: [y], withRespectTo: [x], gradOutputs: [upstream])[0]
        // grad_in = relu(grad_out) · 1[x > 0] = [0, 0, 7, 0]
        #expect(try g?.scalars(as: Double.self) == [0, 0, 7, 0])
    }

    @Test func noGradScopeRecordsNothing() throws {
        let x = try Tensor([1.0]).requiringGrad()
        let y = try GradMode.withoutGrad { try x.multiplying(3) }
        #expect(!y.requiresGrad)
        #expect(GradMode.isEnabled)
        #expect(try x.multiplying(3).requiresGrad)
    }
}
