import Foundation
@testable import NN
import Testing
import TestSupport
import Torch

@Suite("Data parallel (c10d gloo)")
struct DataParallelTests {
    @Test func allReduceBroadcastAndBucketedGradientMeans() throws {
        let port = testPort()
        let results = onRanks(2) { rank -> [[Float]] in
            let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30,
                                            bucketCapMiB: 16.0 / (1024 * 1024))  // 16 bytes: four floats per bucket
            let summed = try Tensor([Float(rank + 1), Float(10 * (rank + 1))])
            try parallel.group.allReduceSum([summed])
            let broadcast = try Tensor([Float(rank == 0 ? 7 : -1)])
            try parallel.group.broadcast([broadcast], root: 0)
            // Three parameters (2, 3 and 5 values, so buckets split them) whose gradients are rank + 1 and
            // (rank + 1)·index: the mean over the two ranks is 1.5 and 1.5·index.
            let parameters = try [2, 3, 5].map { n -> Tensor in
                let p = try Tensor.zeros([n])
                try p.requiringGrad()
                try p.setGrad(Tensor((0..<n).map { Float((rank + 1) * ($0 + 1)) }))
                return p
            }
            try parallel.averageGradients(parameters)
            return try [summed.scalars(), broadcast.scalars()] + parameters.map { try #require($0.grad).scalars() }
        }
        for result in results {
            let values = try result.get()
            #expect(values[0] == [3, 30])
            #expect(values[1] == [7])
            #expect(values[2] == [1.5, 3])
            #expect(values[3] == [1.5, 3, 4.5])
            #expect(values[4] == [1.5, 3, 4.5, 6, 7.5])
        }
    }

    @Test func replicasStartFromRankZerosParametersAndFollowItsBatchNormBuffers() throws {
        let port = testPort()
        let results = onRanks(2) { rank -> [[Float]] in
            let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30)
            let norm = try BatchNorm3d(2)
            try GradMode.withoutGrad { try norm.weight.copy(from: Tensor([Float(rank + 2), Float(rank + 3)])) }
            try parallel.synchronizeModule(norm)
            let weight: [Float] = try norm.weight.scalars()
            // One training forward on rank-specific data moves each rank's running mean its own way.
            _ = try norm.forward(Tensor.full([2, 2, 1, 1, 1], Double(10 * (rank + 1))), mode: .training)
            let own: [Float] = try norm.runningMean.scalars()
            try parallel.broadcastBuffers(norm)
            return [weight, own, try norm.runningMean.scalars()]
        }
        let rank0 = try results[0].get(), rank1 = try results[1].get()
        #expect(rank0[0] == [2, 3] && rank1[0] == [2, 3])
        // momentum 0.1 from 0: rank 0 saw 10, rank 1 saw 20; after the broadcast both hold rank 0's 1.0.
        #expect(rank0[1] == [1, 1] && rank1[1] == [2, 2])
        #expect(rank0[2] == [1, 1] && rank1[2] == [1, 1])
    }

    @Test func ranksThatDisagreeStopWithAnError() {
        let port = testPort()
        let results = onRanks(2) { rank in
            let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 30)
            try parallel.agree(on: [4, Int64(rank)], what: "resumed iteration")
        }
        for result in results {
            #expect(throws: DistributedError.self) { try result.get() }
        }
        if case .failure(let error) = results[1] { #expect("\(error)".contains("resumed iteration")) }
    }

    @Test func aSilentRankEndsTheCollectiveWithAnErrorWithinTheTimeout() {
        let port = testPort()
        let results = onRanks(2) { rank -> Double in
            let parallel = try DataParallel(DistributedEnvironment(rank: rank, worldSize: 2, masterPort: port), timeoutSeconds: 3)
            guard rank == 0 else {
                Thread.sleep(forTimeInterval: 8)  // alive but never joins the all-reduce
                return 0
            }
            let start = Date()
            do { try parallel.group.allReduceSum([Tensor([Float(1)])]) } catch {
                #expect("\(error)".contains("all-reduce on rank 0 of 2 failed"), "\(error)")
                return Date().timeIntervalSince(start)
            }
            Issue.record("the all-reduce returned without the other rank")
            return -1
        }
        let waited = (try? results[0].get()) ?? -1
        #expect(waited >= 2.5 && waited < 7, "rank 0 waited \(waited) s with a 3 s timeout")
    }

    @Test func ranksThatNeverMeetFailToStart() {
        let start = Date()
        #expect(throws: TorchError.self) {
            _ = try ProcessGroup(masterAddress: "127.0.0.1", masterPort: testPort(), rank: 1, worldSize: 2, timeoutSeconds: 2)
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func environmentIsTorchruns() throws {
        #expect(try DistributedEnvironment.from([:]) == nil)
        let environment = try DistributedEnvironment.from(["RANK": "1", "WORLD_SIZE": "4", "MASTER_ADDR": "node1", "MASTER_PORT": "1234"])
        #expect(environment == DistributedEnvironment(rank: 1, worldSize: 4, masterAddress: "node1", masterPort: 1234))
        #expect(throws: DistributedError.self) { try DistributedEnvironment.from(["RANK": "4", "WORLD_SIZE": "4"]) }
        #expect(throws: DistributedError.self) { try DistributedEnvironment.from(["RANK": "0", "WORLD_SIZE": "2", "MASTER_PORT": "x"]) }
    }
}
