import Foundation
import Testing
import TestSupport
@testable import NN

@Suite("Soft Dice loss")
struct SoftDiceLossTests {
    @Test func matchesAHandComputedValue() throws {
        // Two classes, four voxels, logits chosen so that softmax gives p(fg) = [0.5, 0.5, 0.5, 0.5]
        // (equal logits). Target fg = [1, 1, 0, 0]: tp = 1, Σp = 2, Σy = 2 → dice = (2 + s) / (4 + s).
        let logits = try Tensor.zeros([1, 2, 1, 2, 2], dtype: .float64)
        let target = try Tensor([Int64(1), 1, 0, 0], shape: [1, 1, 2, 2])
        let loss = try SoftDiceLoss(smooth: 1e-5)(logits: logits, target: target)
        expectClose(try loss.item(), -(2 + 1e-5) / (4 + 1e-5))
        // With background included the background dice is the same by symmetry.
        let both = try SoftDiceLoss(smooth: 1e-5, includeBackground: true)(logits: logits, target: target)
        expectClose(try both.item(), -(2 + 1e-5) / (4 + 1e-5))
    }

    @Test func perfectPredictionApproachesMinusOne() throws {
        let target = try Tensor([Int64(0), 1, 2, 1], shape: [1, 1, 2, 2])
        let oneHot = try target.reshaped([1, 1, 1, 2, 2]).eq(Tensor.arange(0, 3).reshaped([1, 3, 1, 1, 1])).to(.float64)
        let loss = try SoftDiceLoss()(logits: oneHot.multiplying(50), target: target)
        expectClose(try loss.item(), -1, absolute: 1e-9)
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let target = try Tensor((0..<16).map { Int64($0 % 3) }, shape: [2, 2, 2, 2])
        let x = try Tensor.randn([2, 3, 2, 2, 2], dtype: .float64, generator: Generator(seed: 9)).requiringGrad()
        let loss = try SoftDiceLoss()(logits: x, target: target)
        let analytic = try gradient(of: loss, withRespectTo: x).scalars(as: Double.self)
        let base = try x.detached().scalars(as: Double.self)
        var numeric: [Double] = []
        for i in base.indices {
            var plus = base, minus = base
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let fp = try SoftDiceLoss()(logits: Tensor(plus, shape: x.shape), target: target).item()
            let fm = try SoftDiceLoss()(logits: Tensor(minus, shape: x.shape), target: target).item()
            numeric.append((fp - fm) / 2e-6)
        }
        expectClose(analytic, numeric, absolute: 1e-7, relative: 1e-5)
    }
}

@Suite("Initialisation")
struct InitializerTests {
    @Test func fansFollowPyTorch() {
        let fans = Initializer.fans(of: [64, 32, 3, 3, 3])
        #expect(fans.fanIn == 32 * 27)
        #expect(fans.fanOut == 64 * 27)
    }

    @Test func kaimingNormalHasTheHeStandardDeviation() throws {
        // std = √(2 / fan_out) for MONAI's ResNet (a = 0, fan-out).
        let w = try Initializer.kaimingNormal(a: 0, fanOut: true).weight([64, 32, 3, 3, 3], generator: Generator(seed: 1))
        let std = try w.std().item()
        expectClose(std, (2.0 / (64 * 27)).squareRoot(), relative: 0.02)
        let u = try Initializer.pytorchDefault.weight([64, 32, 3, 3, 3], generator: Generator(seed: 1))
        let bound = 1 / Double(32 * 27).squareRoot()
        #expect(try u.max().item() <= bound)
        #expect(try u.min().item() >= -bound)
        // A uniform on ±bound has std bound/√3.
        expectClose(try u.std().item(), bound / 3.0.squareRoot(), relative: 0.02)
    }
}
