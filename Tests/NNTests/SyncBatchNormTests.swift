import Foundation
@testable import NN
import Testing
import TestSupport
import Torch

/// Synchronised batch norm: two ranks with half of a batch each train exactly as one process with the whole
/// batch (gradients, outputs and running statistics), which plain per-rank batch norm does not.
@Suite("Synchronised batch norm (c10d gloo)")
struct SyncBatchNormTests {
    /// conv (2→3, 1×1×1) → batch norm → squared error against a fixed target, on `batch`; returns the gradients
    /// of the convolution and the norm (local ones, averaged over the ranks when `parallel` is given), the output
    /// and the running statistics.
    static func step(_ batch: Tensor, target: Tensor, parallel: DataParallel?, synchronized: Bool) throws -> [[Float]] {
        let conv = try Conv3d(2, 3, kernel: [1, 1, 1], generator: Generator(seed: 5))
        let norm = try BatchNorm3d(3)
        try GradMode.withoutGrad {
            try norm.weight.copy(from: Tensor([Float(1.5), 0.5, 2]))
            try norm.bias.copy(from: Tensor([Float(0.1), -0.2, 0.3]))
        }
        if let parallel, synchronized { #expect(parallel.synchronizeBatchNorm(in: norm) == 1) }
        let output = try norm.forward(try conv.forward(batch, mode: .training), mode: .training)
        let loss = try (output - target).square().mean()
        try loss.backward()
        let parameters = [conv.weight, try #require(conv.bias), norm.weight, norm.bias]
        if let parallel { try parallel.averageGradients(parameters) }
        return try parameters.map { try #require($0.grad).scalars() }
            + [try output.scalars(), try norm.runningMean.scalars(), try norm.runningVar.scalars()]
    }

    static func data() throws -> (batch: Tensor, target: Tensor) {
        let generator = try Generator(seed: 11)
        // Four samples whose halves differ in mean and spread, so per-rank statistics differ from global ones.
        let scale = try Tensor([Float(1), 1, 3, 3]).reshaped([4, 1, 1, 1, 1])
        let shift = try Tensor([Float(0), 0, 2, 2]).reshaped([4, 1, 1, 1, 1])
        let batch = try Tensor.randn([4, 2, 2, 3, 2], generator: generator).multiplying(scale).adding(shift)
        return (batch, try Tensor.randn([4, 3, 2, 3, 2], generator: generator))
    }

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func twoRanksTrainAsOneProcessWithTheCombinedBatch() throws {
        let (batch, target) = try Self.data()
        let whole = try Self.step(batch, target: target, parallel: nil, synchronized: false)
        for synchronized in [true, false] {
            let port = testPort()
            let results = onRanks(2) { rank -> [[Float]] in
                let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30)
                return try Self.step(try batch.narrow(0, start: 2 * rank, length: 2),
                                     target: try target.narrow(0, start: 2 * rank, length: 2),
                                     parallel: parallel, synchronized: synchronized)
            }
            let ranks = try results.map { try $0.get() }
            let half = whole[4].count / 2
            let agrees = (0..<4).allSatisfy { i in ranks.allSatisfy { Self.close($0[i], whole[i]) } }
                && Self.close(ranks[0][4] + ranks[1][4], whole[4])
                && ranks.allSatisfy { Self.close($0[5], whole[5]) && Self.close($0[6], whole[6]) }
            if synchronized {
                // Gradients of the convolution (through the norm's input gradient), of the norm, the normalised
                // outputs and the running statistics all equal the one-process run on the whole batch.
                #expect(agrees, "synchronised: \(ranks[0][0].prefix(3)) vs \(whole[0].prefix(3))")
                #expect(Self.close(Array(whole[4][0..<half]), ranks[0][4]))
            } else {
                // Per-rank statistics (PyTorch DDP's default) give other outputs and gradients: the check can fail.
                #expect(!agrees)
            }
        }
    }

    @Test func inferenceUsesTheRunningStatisticsAsBefore() throws {
        let port = testPort()
        let results = onRanks(2) { rank -> [Float] in
            let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30)
            let norm = try BatchNorm3d(1)
            parallel.synchronizeBatchNorm(in: norm)
            // Inference normalises with the running statistics and meets no other rank.
            return try norm.forward(Tensor.full([1, 1, 1, 1, 2], 3), mode: .inference).scalars()
        }
        for result in results {
            let values = try result.get()
            #expect(Self.close(values, [Float(3 / (1 + 1e-5).squareRoot()), Float(3 / (1 + 1e-5).squareRoot())]))
        }
    }
}
