import Foundation
import Testing
import TestSupport
@testable import NN

/// The small 3-D conv net of scripts/fixtures/torch_fixtures.py, built from NeoICH layers with the same names.
final class SmallNet: Module {
    let conv1: Conv3d
    let bn1: BatchNorm3d
    let block: Sequential
    let fc: Linear

    init(generator: Generator) throws {
        conv1 = try Conv3d(1, 4, kernel: [3, 3, 3], stride: [1, 2, 2], padding: [1, 1, 1], bias: false, generator: generator)
        bn1 = try BatchNorm3d(4)
        block = Sequential([
            try Conv3d(4, 8, kernel: [3, 3, 3], padding: [1, 1, 1], generator: generator),
            try InstanceNorm3d(8), LeakyReLU(slope: 0.01),
        ])
        fc = try Linear(8, 2, generator: generator)
    }

    var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("block", block), ("fc", fc)]
    }

    func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        var h = try bn1.forward(conv1.forward(x, mode: mode), mode: mode).relu()
        h = try h.maxPool(kernel: [2, 2, 2])
        h = try block.forward(h, mode: mode)
        return try fc.forward(h.adaptiveAvgPool(outputSize: [1, 1, 1]).flattened(from: 1), mode: mode).logSoftmax(dim: 1)
    }
}

@Suite("State dicts")
struct StateDictTests {
    struct Reference: Decodable { var input: TensorData; var log_probs: TensorData; var keys: [String] }

    @Test func keysEqualPyTorchStateDictKeysInOrder() throws {
        let reference = try Fixture.json(Reference.self, "small_net_reference.json", in: .module)
        let net = try SmallNet(generator: Generator(seed: 0))
        #expect(net.stateDict().map(\.name) == reference.keys)
    }

    @Test func pytorchWeightsLoadByNameAndGiveTheSameLogits() throws {
        let reference = try Fixture.json(Reference.self, "small_net_reference.json", in: .module)
        let weights = try SafeTensors.read(Fixture.url("small_net.safetensors", in: .module))
        let net = try SmallNet(generator: Generator(seed: 0))
        try net.load(stateDict: weights.tensors)
        let x = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let y = try GradMode.withoutGrad { try net.forward(x, mode: .inference) }
        #expect(y.shape == reference.log_probs.shape)
        expectClose(try y.scalars(as: Double.self), reference.log_probs.values, absolute: 1e-5, relative: 1e-5)
        #expect(try net.bn1.numBatchesTracked.itemInt() == 7)
    }

    @Test func strictLoadingNamesMissingAndUnexpectedKeysAndShapeMismatches() throws {
        let net = try SmallNet(generator: Generator(seed: 0))
        var state = Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.tensor) })
        state["fc.bias"] = nil
        state["head.weight"] = try Tensor.zeros([1])
        #expect(throws: ModuleError.stateDictMismatch(missing: ["fc.bias"], unexpected: ["head.weight"])) {
            try net.load(stateDict: state)
        }
        try net.load(stateDict: state, strict: false)
        state["fc.weight"] = try Tensor.zeros([3, 8])
        #expect(throws: ModuleError.shapeMismatch(key: "fc.weight", expected: [2, 8], found: [3, 8])) {
            try net.load(stateDict: state, strict: false)
        }
    }

    @Test func freezingStopsGradients() throws {
        let net = try SmallNet(generator: Generator(seed: 0))
        try net.freeze()
        #expect(net.trainableParameters.isEmpty)
        try net.fc.unfreeze()
        #expect(net.trainableParameters.count == 2)
        let y = try net.forward(Tensor.randn([1, 1, 4, 8, 8], generator: Generator(seed: 1)), mode: .training)
        try y.sum().backward()
        #expect(net.fc.weight.grad != nil)
        #expect(net.conv1.weight.grad == nil)
    }

    @Test func batchNormTrainingCountsBatches() throws {
        let bn = try BatchNorm3d(2)
        _ = try bn.forward(Tensor.randn([2, 2, 2, 2, 2], generator: Generator(seed: 2)), mode: .training)
        _ = try bn.forward(Tensor.randn([2, 2, 2, 2, 2], generator: Generator(seed: 3)), mode: .training)
        _ = try bn.forward(Tensor.randn([2, 2, 2, 2, 2], generator: Generator(seed: 4)), mode: .inference)
        #expect(try bn.numBatchesTracked.itemInt() == 2)
    }
}
