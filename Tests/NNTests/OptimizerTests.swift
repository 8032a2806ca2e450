import Foundation
import Testing
import TestSupport
@testable import NN

/// Trajectories of torch.optim on `sum((A p − b)²)` (scripts/fixtures/torch_fixtures.py).
@Suite("Optimizers vs torch.optim")
struct OptimizerTests {
    struct Clip: Decodable { var param: [Double]; var max_norm: Double; var total_norm: Double; var clipped_grad: [Double] }
    struct Reference: Decodable { var A: TensorData; var b: TensorData; var p0: TensorData; var runs: [String: [[Double]]]; var clip: Clip }

    static let reference = try? Fixture.json(Reference.self, "optimizer_reference.json", in: .module)

    func trajectory(_ make: (Tensor) -> any Optimizer) throws -> [[Double]] {
        let r = try #require(Self.reference)
        let A = try Tensor(r.A.values, shape: r.A.shape), b = try Tensor(r.b.values, shape: r.b.shape)
        let p = try Tensor(r.p0.values, shape: r.p0.shape).requiringGrad()
        let optimizer = make(p)
        var out: [[Double]] = []
        for _ in 0..<6 {
            try optimizer.zeroGrad()
            try A.matmul(p).subtracting(b).square().sum().backward()
            try optimizer.step()
            out.append(try p.detached().scalars(as: Double.self))
        }
        return out
    }

    func expectTrajectory(_ name: String, _ make: (Tensor) -> any Optimizer) throws {
        let expected = try #require(Self.reference?.runs[name])
        let actual = try trajectory(make)
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            expectClose(a, e, absolute: 1e-12, relative: 1e-10, "\(name) step \(step + 1)")
        }
    }

    @Test func sgdWithNesterovMomentumAndWeightDecay() throws {
        try expectTrajectory("sgd_nesterov") { SGD([$0], learningRate: 0.01, momentum: 0.9, weightDecay: 1e-3, nesterov: true) }
    }

    @Test func plainSGD() throws {
        try expectTrajectory("sgd_plain") { SGD([$0], learningRate: 0.05) }
    }

    @Test func adamWithL2WeightDecay() throws {
        try expectTrajectory("adam") { Adam([$0], learningRate: 0.1, weightDecay: 0.01) }
    }

    @Test func adamWWithDecoupledWeightDecay() throws {
        try expectTrajectory("adamw") { Adam.adamW([$0], learningRate: 0.1, weightDecay: 0.1) }
    }

    @Test func gradientClippingMatchesClipGradNorm() throws {
        let clip = try #require(Self.reference?.clip)
        let p = try Tensor(clip.param).requiringGrad()
        try p.square().sum().backward()
        let total = try clipGradientNorm([p], maxNorm: clip.max_norm)
        expectClose(total, clip.total_norm)
        expectClose(try #require(p.grad).scalars(as: Double.self), clip.clipped_grad)
        // Gradients already below the limit are left alone.
        let q = try Tensor([0.1]).requiringGrad()
        try q.sum().backward()
        try clipGradientNorm([q], maxNorm: 5)
        #expect(try q.grad?.scalars(as: Double.self) == [1])
    }

    @Test func optimizerStateRoundTripsThroughACheckpointAndResumesIdentically() throws {
        let r = try #require(Self.reference)
        let A = try Tensor(r.A.values, shape: r.A.shape), b = try Tensor(r.b.values, shape: r.b.shape)
        func steps(_ p: Tensor, _ opt: any Optimizer, _ n: Int) throws {
            for _ in 0..<n {
                try opt.zeroGrad()
                try A.matmul(p).subtracting(b).square().sum().backward()
                try opt.step()
            }
        }
        for make in [{ (p: Tensor) -> any Optimizer in Adam([p], learningRate: 0.1) },
                     { (p: Tensor) -> any Optimizer in SGD([p], learningRate: 0.01, momentum: 0.9, nesterov: true) }] {
            let straight = try Tensor(r.p0.values, shape: r.p0.shape).requiringGrad()
            try steps(straight, make(straight), 5)

            let first = try Tensor(r.p0.values, shape: r.p0.shape).requiringGrad()
            let firstOptimizer = make(first)
            try steps(first, firstOptimizer, 3)
            let state = try firstOptimizer.stateTensors()
            let resumed = try first.detached().clone().requiringGrad()
            let resumedOptimizer = make(resumed)
            try resumedOptimizer.loadState(state)
            try steps(resumed, resumedOptimizer, 2)
            #expect(try resumed.equals(straight))
        }
    }
}

@Suite("Learning-rate schedules")
struct LearningRateScheduleTests {
    @Test func closedFormsMatchHandValues() {
        // nnU-Net poly: 0.01 · (1 − 500/1000)^0.9 = 0.01 · 0.5^0.9
        expectClose(LearningRateSchedule.poly(exponent: 0.9).learningRate(initial: 0.01, step: 500, total: 1000), 0.01 * pow(0.5, 0.9))
        expectClose(LearningRateSchedule.poly(exponent: 0.9).learningRate(initial: 0.01, step: 1000, total: 1000), 0)
        expectClose(LearningRateSchedule.cosine(minimum: 0).learningRate(initial: 1, step: 50, total: 100), 0.5)
        expectClose(LearningRateSchedule.cosine(minimum: 0.1).learningRate(initial: 1, step: 100, total: 100), 0.1)
        expectClose(LearningRateSchedule.step(every: 10, gamma: 0.1).learningRate(initial: 1, step: 25, total: 100), 0.01)
        expectClose(LearningRateSchedule.constant.learningRate(initial: 3e-4, step: 7, total: 9), 3e-4)
    }
}
