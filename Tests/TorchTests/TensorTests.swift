import Foundation
import Testing
import TestSupport
@testable import Torch

@Suite("Tensor basics")
struct TensorTests {
    @Test func roundTripsSwiftArrays() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let t = try Tensor(values, shape: [2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2)
        #expect(t.count == 6)
        #expect(t.dtype == .float32)
        #expect(try t.scalars(as: Float.self) == values)
        #expect(try t.scalars(as: Int64.self) == [1, 2, 3, 4, 5, 6])
        let i16 = try Tensor([Int16(-1024), 0, 3071], shape: [3])
        #expect(i16.dtype == .int16)
        #expect(try i16.scalars(as: Int16.self) == [-1024, 0, 3071])
        let flags = try Tensor([true, false, true])
        #expect(try flags.scalars(as: UInt8.self) == [1, 0, 1])
    }

    @Test func rejectsValuesThatDoNotFillTheShape() {
        #expect(throws: TorchError.self) { try Tensor([Float](repeating: 0, count: 5), shape: [2, 3]) }
    }

    @Test func viewsShareStorage() throws {
        let t = try Tensor.zeros([2, 3])
        let row = try t.select(0, 1)
        try row.fill(7)
        #expect(try t.scalars(as: Float.self) == [0, 0, 0, 7, 7, 7])
        let transposed = try t.transposed(0, 1)
        #expect(transposed.shape == [3, 2])
        #expect(!transposed.isContiguous)
        #expect(try transposed.contiguous().scalars(as: Float.self) == [0, 7, 0, 7, 0, 7])
    }

    @Test func shapeOperationsMatchHandComputedLayouts() throws {
        let t = try Tensor.arange(0, 24, dtype: .float32).reshaped([2, 3, 4])
        #expect(try t.permuted([2, 0, 1]).contiguous().scalars(as: Float.self).prefix(6) == [0, 4, 8, 12, 16, 20])
        #expect(try t.narrow(2, start: 1, length: 2).contiguous().scalars(as: Float.self).prefix(4) == [1, 2, 5, 6])
        #expect(try t.slice(1, 0, 3, step: 2).shape == [2, 2, 4])
        #expect(try t.flipped([2]).contiguous().scalars(as: Float.self).prefix(4) == [3, 2, 1, 0])
        let padded = try Tensor([Float(1), 2], shape: [1, 2]).padded([1, 2], value: -1)
        #expect(try padded.scalars(as: Float.self) == [-1, 1, 2, -1, -1])
        let joined = try Tensor.cat([Tensor([Float(1)]), Tensor([Float(2), 3])])
        #expect(try joined.scalars(as: Float.self) == [1, 2, 3])
        let stacked = try Tensor.stack([Tensor([Float(1), 2]), Tensor([Float(3), 4])], dim: 1)
        #expect(try stacked.scalars(as: Float.self) == [1, 3, 2, 4])
        let index = try Tensor([Int64(2), 0])
        #expect(try Tensor([Float(10), 20, 30]).indexSelect(0, index).scalars(as: Float.self) == [30, 10])
        let gathered = try Tensor([Float(1), 2, 3, 4], shape: [2, 2]).gather(1, Tensor([Int64(1), 0, 0, 0], shape: [2, 2]))
        #expect(try gathered.scalars(as: Float.self) == [2, 1, 3, 3])
        #expect(try Tensor([Float(1)], shape: [1, 1]).expanded([3, 2]).contiguous().scalars(as: Float.self) == [1, 1, 1, 1, 1, 1])
        #expect(try Tensor.zeros([2, 1, 3]).squeezed(1).shape == [2, 3])
        #expect(try Tensor.zeros([2, 3]).unsqueezed(0).shape == [1, 2, 3])
        #expect(try Tensor([Float(0), 3, 0, 5]).nonzero().scalars(as: Int64.self) == [1, 3])
    }

    @Test func arithmeticAndComparisonsAgreeWithHandValues() throws {
        let a = try Tensor([Double(1), 4, 9])
        let b = try Tensor([Double(2), 2, 3])
        #expect(try (a + b).scalars(as: Double.self) == [3, 6, 12])
        #expect(try (a - b).scalars(as: Double.self) == [-1, 2, 6])
        #expect(try (a * b).scalars(as: Double.self) == [2, 8, 27])
        #expect(try (a / b).scalars(as: Double.self) == [0.5, 2, 3])
        #expect(try (10 - a).scalars(as: Double.self) == [9, 6, 1])
        #expect(try (36 / a).scalars(as: Double.self) == [36, 9, 4])
        #expect(try a.sqrt().scalars(as: Double.self) == [1, 2, 3])
        #expect(try a.pow(0.5).scalars(as: Double.self) == [1, 2, 3])
        #expect(try (a .> b).scalars(as: Bool.self) == [false, true, true])
        #expect(try (a .== 4).scalars(as: Bool.self) == [false, true, false])
        #expect(try Tensor.where(a .> 3, a, b).scalars(as: Double.self) == [2, 4, 9])
        #expect(try a.clamped(min: 2, max: 5).scalars(as: Double.self) == [2, 4, 5])
        #expect(try a.clamped(max: 3).scalars(as: Double.self) == [1, 3, 3])
        let e = try Tensor([Double(0), 1]).exp().scalars(as: Double.self)
        expectClose(e, [1, M_E])
        #expect(try Tensor([Double(-2), 3]).leakyReLU(slope: 0.1).scalars(as: Double.self) == [-0.2, 3])
        let m = try Tensor([Double(1), 2, 3, 4], shape: [2, 2]).matmul(Tensor([Double(5), 6], shape: [2, 1]))
        #expect(try m.scalars(as: Double.self) == [17, 39])
    }

    @Test func reductionsAgreeWithHandValues() throws {
        let t = try Tensor([Double(1), 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(try t.sum().item() == 21)
        #expect(try t.mean(dims: [1]).scalars(as: Double.self) == [2, 5])
        #expect(try t.max().item() == 6)
        #expect(try t.min(dims: [0]).scalars(as: Double.self) == [1, 2, 3])
        #expect(try t.argmax(dim: 1).scalars(as: Int64.self) == [2, 2])
        #expect(try t.argmax().itemInt() == 5)
        expectClose(try t.std(dims: [1]).scalars(as: Double.self), [1, 1])
        expectClose(try t.std(unbiased: false).item(), (17.5 / 6).squareRoot())
        expectClose(try t.norm().item(), 91.0.squareRoot())
        let (values, indices) = try Tensor([Double(3), 1, 2]).sorted(descending: true)
        #expect(try values.scalars(as: Double.self) == [3, 2, 1])
        #expect(try indices.scalars(as: Int64.self) == [0, 2, 1])
        let top = try Tensor([Double(3), 1, 2]).topk(2)
        #expect(try top.values.scalars(as: Double.self) == [3, 2])
        #expect(try t.product().item() == 720)
        #expect(try (t .> 0).all().item() == 1)
    }

    @Test func shapeMismatchInsideLibtorchIsAThrownErrorWithLibtorchsMessage() throws {
        let a = try Tensor.zeros([2, 3])
        let b = try Tensor.zeros([4, 3])
        do {
            _ = try a.adding(b)
            Issue.record("adding mismatched shapes did not throw")
        } catch let error as TorchError {
            #expect(error.message.contains("must match the size of tensor b"), "message: \(error.message)")
            #expect(error.operation.contains("add"))
        }
        #expect(throws: TorchError.self) { try a.reshaped([5]) }
        #expect(throws: TorchError.self) { try a.matmul(b) }
        #expect(throws: TorchError.self) {
            try Tensor.zeros([1, 1, 4, 4, 4]).convolution(weight: Tensor.zeros([2, 3, 3, 3, 3]), stride: [1, 1, 1], padding: [0, 0, 0])
        }
    }

    @Test func zeroCopyWrapKeepsOwnerAliveAndSharesMemory() throws {
        final class Buffer {
            var storage: UnsafeMutableBufferPointer<Float>
            init(_ n: Int) { storage = .allocate(capacity: n); storage.initialize(repeating: 1) }
            deinit { storage.deallocate() }
        }
        weak var weakOwner: Buffer?
        do {
            var owner: Buffer? = Buffer(8)
            weakOwner = owner
            let pointer = try #require(owner?.storage.baseAddress)
            let t = try Tensor(borrowing: UnsafeMutableRawPointer(pointer), shape: [2, 4], dtype: .float32, owner: try #require(owner))
            owner = nil
            #expect(weakOwner != nil, "the tensor must keep its owner alive")
            pointer[3] = 42
            #expect(try t.scalars(as: Float.self)[3] == 42)
            try t.fill(2)
            #expect(pointer[0] == 2)
        }
        #expect(weakOwner == nil, "the owner is released with the last tensor")
    }

    @Test func handlesAreFreed() throws {
        let before = Tensor.liveCountOnThisThread
        do {
            let a = try Tensor.randn([4, 4], generator: Generator(seed: 1))
            let b = try a.matmul(a).relu().sum(dims: [0])
            _ = try b.scalars(as: Float.self)
            _ = try? a.reshaped([3])
            let x = try Tensor.ones([3]).requiringGrad()
            try x.square().sum().backward()
            _ = x.grad
        }
        #expect(Tensor.liveCountOnThisThread == before)
    }

    @Test func seededGeneratorsReproduce() throws {
        let a = try Tensor.randn([5], generator: Generator(seed: 42)).scalars(as: Float.self)
        let b = try Tensor.randn([5], generator: Generator(seed: 42)).scalars(as: Float.self)
        let c = try Tensor.randn([5], generator: Generator(seed: 43)).scalars(as: Float.self)
        #expect(a == b)
        #expect(a != c)
        let g = try Generator(seed: 7)
        let first = try Tensor.rand([3], generator: g).scalars(as: Float.self)
        try g.reseed(7)
        #expect(try Tensor.rand([3], generator: g).scalars(as: Float.self) == first)
        let ints = try Tensor.randint(0, 3, [1000], generator: g).scalars(as: Int64.self)
        #expect(Set(ints) == [0, 1, 2])
        #expect(try Tensor.randperm(10, generator: g).scalars(as: Int64.self).sorted() == Array(0..<10))
    }

    @Test func dtypeConversions() throws {
        let t = try Tensor([Float(1.5), -2.5])
        for dtype in DType.allCases {
            let converted = try t.to(dtype)
            #expect(converted.dtype == dtype)
        }
        #expect(try t.to(.int64).scalars(as: Int64.self) == [1, -2])
        #expect(try t.to(.float16).to(.float32).scalars(as: Float.self) == [1.5, -2.5])
    }
}

@Suite("Scalars on the left")
struct ScalarLeftTests {
    @Test func promoteLikePythonScalars() throws {
        let ints = try Tensor([Int64(1), 2, 4])
        let r = 2.5 - ints
        #expect(r.dtype == .float32, "a float scalar with an integer tensor gives the default float dtype")
        #expect(try r.scalars(as: Float.self) == [1.5, 0.5, -1.5])
        let f = try Tensor([Float(1), 2, 4])
        #expect((1 / f).dtype == .float32)
        #expect(try (1 / f).scalars(as: Float.self) == [1, 0.5, 0.25])
        #expect(try (10 - f).scalars(as: Float.self) == [9, 8, 6])
    }
}
