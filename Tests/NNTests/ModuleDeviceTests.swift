import Testing
@testable import NN

/// `Module.move(to:)`: parameters and buffers keep their identity, values, requires-grad and gradients, so that
/// an optimizer made before or after the move updates the same tensors.
@Suite("Module devices")
struct ModuleDeviceTests {
    final class Small: Module {
        let linear: Linear
        let norm: BatchNorm3d
        init() throws {
            linear = try Linear(4, 2, generator: Generator(seed: 3))
            norm = try BatchNorm3d(2)
        }
        var children: [(name: String, module: any Module)] { [("linear", linear), ("norm", norm)] }
    }

    @Test func aModelAndItsInputMovedToTheCPURoundTripEqual() throws {
        let model = try Small()
        let input = try Tensor((0..<12).map { Float($0) / 7 - 0.5 }, shape: [3, 4])
        let before = try model.linear.forward(input, mode: .inference)
        let tensors = model.stateDict().map(\.tensor)
        let values = try tensors.map { try $0.clone() }
        // A gradient from a backward pass travels with its parameter.
        try model.linear.forward(input, mode: .training).sum().backward()
        let gradient = try #require(model.linear.parameters.first?.grad).clone()

        try model.move(to: .cpu)
        let moved = try input.to(device: .cpu)

        #expect(model.device == .cpu)
        #expect(moved.device == .cpu)
        let after = model.stateDict().map(\.tensor)
        #expect(zip(tensors, after).allSatisfy { $0 === $1 }, "move(to:) must keep the tensors' identity")
        for (value, tensor) in zip(values, after) { #expect(try tensor.equals(value)) }
        let trainable = model.parameters.allSatisfy { $0.requiresGrad }
        #expect(trainable)
        #expect(try #require(model.linear.parameters.first?.grad).equals(gradient))
        #expect(try model.linear.forward(moved, mode: .inference).equals(before))
    }

    @Test func aMoveToAMissingGPUFailsAndLeavesTheModelOnTheCPU() throws {
        guard !Runtime.hasCUDA else { return }
        let model = try Small()
        let values = try model.stateDict().map { try $0.tensor.clone() }
        do {
            try model.move(to: .cuda(0))
            Issue.record("moved to CUDA on a CPU-only libtorch")
        } catch let error as TorchError {
            #expect(error.description.contains("CUDA"), "\(error)")
        }
        #expect(model.device == .cpu)
        for (value, tensor) in zip(values, model.stateDict().map(\.tensor)) { #expect(try tensor.equals(value)) }
    }
}
