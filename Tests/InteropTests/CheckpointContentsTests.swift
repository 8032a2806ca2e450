import Foundation
import Testing
import TestSupport
@testable import Interop
import NN

/// Tensors of every storage type and view, and the Python structure of an nnU-Net v2 checkpoint, as torch.save
/// wrote them (scripts/fixtures/interop_fixtures.py).
@Suite("Checkpoint contents")
struct CheckpointContentsTests {
    struct ZooEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var values: [Double]
    }

    @Test func everyDtypeAndViewMatchesTorch() throws {
        let expected = try Fixture.json([String: ZooEntry].self, "tensor_zoo.json", in: .module)
        let checkpoint = try TorchCheckpoint.load(Fixture.url("tensor_zoo.pt", in: .module))
        let tensors = try #require(checkpoint.tensorDictionary)
        #expect(tensors.count == expected.count)
        let names: [String: String] = ["float32": "float32", "float64": "float64", "float16": "float16", "bfloat16": "bfloat16",
                                       "int64": "int64", "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8", "bool": "bool"]
        for (name, tensor) in tensors {
            let reference = try #require(expected[name], "\(name) not in the reference")
            #expect(tensor.dtype.description == names[reference.dtype], "\(name): \(tensor.dtype) vs \(reference.dtype)")
            #expect(tensor.shape == reference.shape, "\(name)")
            #expect(try tensor.to(.float64).flattened().scalars(as: Double.self) == reference.values, "\(name)")
        }
        // Views sharing one storage are separate tensors afterwards.
        let zoo = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        try zoo["offset_view"]!.fill(-1)
        #expect(try zoo["shared_whole"]!.scalars(as: Float.self)[3] == 3)
    }

    @Test func nnUNetCheckpointStructureIsRead() throws {
        let value = try TorchCheckpoint.load(Fixture.url("nnunet_like_checkpoint.pth", in: .module))
        #expect(value["trainer_name"]?.stringValue == "nnUNetTrainer")
        #expect(value["inference_allowed_mirroring_axes"]?.elements?.compactMap(\.intValue) == [0, 1, 2])
        #expect(value["current_epoch"]?.intValue == 1000)
        #expect(value["_best_ema"]?.doubleValue == 0.875)
        #expect(value["logging"]?["mean_fg_dice"]?.elements?.compactMap(\.doubleValue) == [0.5, 0.625])
        #expect(value["logging"]?["ema_fg_dice"]?.elements?.compactMap(\.doubleValue) == [0.25])
        #expect(value["logging"]?["epoch_end_timestamps"]?.elements?.compactMap(\.intValue) == [7])
        let initArgs = try #require(value["init_args"])
        #expect(initArgs["configuration"]?.stringValue == "3d_fullres")
        #expect(initArgs["plans"]?["configurations"]?["3d_fullres"]?["patch_size"]?.elements?.compactMap(\.intValue) == [20, 160, 160])
        guard case .object("torch.device", let args)? = initArgs["device"] else { Issue.record("device: \(String(describing: initArgs["device"]))"); return }
        #expect(args.first?.stringValue == "cpu")
        guard case .set(let labels)? = value["labels"], case .set(let frozen)? = value["frozen"] else { Issue.record("sets"); return }
        #expect(Set(labels.compactMap(\.intValue)) == [1, 2])
        #expect(frozen.compactMap(\.stringValue) == ["a"])
        guard case .bigInt(let big)? = value["big"] else { Issue.record("big int"); return }
        #expect(big == [0, 0, 0, 0, 0, 0, 0, 0, 0x40])  // 2**70, little-endian two's complement
        #expect(value["negative"]?.intValue == -5)
        guard case .bytes(let raw)? = value["raw"] else { Issue.record("bytes"); return }
        #expect(raw == [0, 1, 255])
        #expect(value["pi"]?.doubleValue == 3.25)
        if case .none? = value["grad_scaler_state"] {} else { Issue.record("grad_scaler_state should be None") }
        let weights = try #require(value["network_weights"]?.tensorDictionary)
        #expect(weights.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(weights[0].tensor.shape == [2, 1, 3, 3, 3])
        guard case .dict(let state)? = value["optimizer_state"]?["state"], case .int(0) = state.first?.key else { Issue.record("optimizer state"); return }
        #expect(state.first?.value["momentum_buffer"]?.tensorValue?.shape == [2])
    }
}
