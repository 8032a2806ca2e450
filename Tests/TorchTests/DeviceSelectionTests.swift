import CTorch
import Testing
@testable import Torch

/// `--device` / `NEOICH_DEVICE`, `--precision`, autocast scopes and moving tensors, on this machine's libtorch.
/// On a CPU-only libtorch (Debian's) every CUDA request must fail with a message naming what is missing.
@Suite("Device selection")
struct DeviceSelectionTests {
    @Test func parsesDeviceChoices() {
        #expect(DeviceChoice("cpu") == .cpu)
        #expect(DeviceChoice("cuda") == .cuda(0))
        #expect(DeviceChoice("cuda:1") == .cuda(1))
        #expect(DeviceChoice(" AUTO ") == .auto)
        #expect(DeviceChoice("CUDA:0") == .cuda(0))
        for bad in ["", "gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0", "mps"] {
            #expect(DeviceChoice(bad) == nil, "\(bad)")
        }
        #expect(DeviceChoice.cuda(0).description == "cuda")
        #expect(DeviceChoice.cuda(2).description == "cuda:2")
    }

    @Test func theFlagWinsOverTheEnvironmentWhichWinsOverAuto() throws {
        #expect(try DeviceChoice.from(flag: nil, environment: [:]) == .auto)
        #expect(try DeviceChoice.from(flag: nil, environment: ["NEOICH_DEVICE": "  "]) == .auto)
        #expect(try DeviceChoice.from(flag: nil, environment: ["NEOICH_DEVICE": "cuda:1"]) == .cuda(1))
        #expect(try DeviceChoice.from(flag: "cpu", environment: ["NEOICH_DEVICE": "cuda"]) == .cpu)
        #expect(try DeviceChoice.from(flag: "auto", environment: ["NEOICH_DEVICE": "cpu"]) == .auto)
        #expect(throws: DeviceError.invalidChoice("gpu", source: "NEOICH_DEVICE")) {
            try DeviceChoice.from(flag: nil, environment: ["NEOICH_DEVICE": "gpu"])
        }
        // A bad environment value does not matter when the flag is given.
        #expect(try DeviceChoice.from(flag: "cpu", environment: ["NEOICH_DEVICE": "gpu"]) == .cpu)
        #expect(throws: DeviceError.invalidChoice("tpu", source: "--device")) { try DeviceChoice.from(flag: "tpu", environment: [:]) }
    }

    /// The resolution rule itself, for machines with and without GPUs.
    @Test func resolvesAgainstWhatLibtorchSees() throws {
        #expect(try DeviceChoice.auto.resolve(hasCUDA: false, cudaDevices: 0) == .cpu)
        #expect(try DeviceChoice.auto.resolve(hasCUDA: true, cudaDevices: 0) == .cpu)
        #expect(try DeviceChoice.auto.resolve(hasCUDA: true, cudaDevices: 2) == .cuda(0))
        #expect(try DeviceChoice.cpu.resolve(hasCUDA: true, cudaDevices: 2) == .cpu)
        #expect(try DeviceChoice.cuda(1).resolve(hasCUDA: true, cudaDevices: 2) == .cuda(1))
        do {
            _ = try DeviceChoice.cuda(2).resolve(hasCUDA: true, cudaDevices: 2)
            Issue.record("cuda:2 of 2 GPUs resolved")
        } catch let error as DeviceError {
            #expect(error.description.contains("2 CUDA device(s)"), "\(error)")
        }
        do {
            _ = try DeviceChoice.cuda(0).resolve(hasCUDA: true, cudaDevices: 0)
            Issue.record("cuda without a GPU resolved")
        } catch let error as DeviceError {
            #expect(error.description.contains("sees no GPU"), "\(error)")
        }
    }

    @Test func onThisMachine() throws {
        let auto = try DeviceChoice.auto.resolve()
        if Runtime.hasCUDA && Runtime.cudaDeviceCount > 0 {
            #expect(auto == .cuda(0))
            #expect(CUDAInfo.devices.count == Runtime.cudaDeviceCount)
            #expect(CUDAInfo.versions.cudaRuntime != nil)
        } else {
            #expect(auto == .cpu)
            #expect(CUDAInfo.devices.isEmpty)
            #expect(CUDAInfo.versions.cudaRuntime == nil && CUDAInfo.versions.cuDNN == nil)
            do {
                _ = try DeviceChoice.cuda(0).resolve()
                Issue.record("cuda resolved on a machine without CUDA")
            } catch let error as DeviceError {
                guard case .cudaUnavailable = error else { Issue.record("\(error)"); return }
                #expect(error.description.contains(Runtime.hasCUDA ? "sees no GPU" : "libtorch built without CUDA"), "\(error)")
                #expect(error.description.contains("--device cpu"), "\(error)")
            }
            // The C ABI refuses CUDA tensors with a message instead of crashing.
            #expect(throws: TorchError.self) { try Tensor.zeros([2], on: .cuda(0)) }
            #expect(throws: TorchError.self) { try CUDAInfo.synchronize(.cuda(0)) }
        }
    }

    @Test func parsesAndValidatesPrecisions() throws {
        #expect(Precision(argument: "fp32") == .fp32)
        #expect(Precision(argument: "FP16") == .fp16)
        #expect(Precision(argument: "half") == .fp16)
        #expect(Precision(argument: "bfloat16") == .bf16)
        #expect(Precision(argument: "fp8") == nil)
        #expect(Precision(argument: "") == nil)
        try Precision.fp32.validate(for: .cpu)
        try Precision.fp16.validate(for: .cuda(0))
        try Precision.bf16.validate(for: .cuda(0))
        #expect(throws: DeviceError.precisionUnsupported(.fp16, device: .cpu)) { try Precision.fp16.validate(for: .cpu) }
        #expect(throws: DeviceError.precisionUnsupported(.bf16, device: .cpu)) { try Precision.bf16.validate(for: .cpu) }
        #expect(DeviceError.precisionUnsupported(.bf16, device: .cpu).description.contains("only on CUDA"))
    }

    /// fp32 runs the body as it is; a lower precision on the CPU is refused before the body runs.
    @Test func autocastScopes() throws {
        var ran = false
        let x = try Tensor([Float(1), 2, 3, 4], shape: [2, 2])
        let product = try Autocast.run(.fp32, on: .cpu) { () throws -> Tensor in
            ran = true
            #expect(!Autocast.isEnabled(on: .cpu))
            return try x.matmul(x)
        }
        #expect(ran)
        #expect(product.dtype == .float32)
        #expect(try product.scalars(as: Float.self) == [7, 10, 15, 22])
        ran = false
        #expect(throws: DeviceError.self) { try Autocast.run(.fp16, on: .cpu) { ran = true } }
        #expect(!ran)
    }

    /// The autocast C entry points themselves (what `--precision` uses on CUDA), exercised on the CPU, where
    /// libtorch also has autocast: inside the scope a matmul runs in bfloat16, after it float32 again.
    @Test func autocastEntryPointsRestoreTheState() throws {
        let x = try Tensor([Float(1), 2, 3, 4], shape: [2, 2])
        var previousEnabled = true
        var previousType = CT_FLOAT16
        #expect(ct_autocast_enter(CT_CPU, CT_BFLOAT16, &previousEnabled, &previousType) == CT_OK)
        #expect(!previousEnabled)
        #expect(Autocast.isEnabled(on: .cpu))
        let inside = try x.matmul(x)
        #expect(ct_autocast_exit(CT_CPU, previousEnabled, previousType) == CT_OK)
        #expect(!Autocast.isEnabled(on: .cpu))
        #expect(inside.dtype == .bfloat16)
        #expect(try inside.to(.float32).scalars(as: Float.self) == [7, 10, 15, 22])
        #expect(try x.matmul(x).dtype == .float32)
        // Only the lower precisions are autocast types.
        #expect(ct_autocast_enter(CT_CPU, CT_FLOAT32, &previousEnabled, &previousType) == CT_ERROR)
    }

    @Test func movingKeepsIdentityValuesAndGradients() throws {
        let t = try Tensor([Float(1), -2, 3], shape: [3]).requiringGrad(true)
        let copy = try t.shallowCopy()
        try t.move(to: .cpu)
        #expect(t.device == .cpu)
        #expect(t.requiresGrad)
        #expect(try t.scalars(as: Float.self) == [1, -2, 3])
        #expect(try t.equals(copy))
        let zeros = try Tensor.zeros([2, 3], on: .cpu)
        #expect(zeros.shape == [2, 3] && zeros.device == .cpu && zeros.dtype == .float32)
        #expect(try zeros.scalars(as: Float.self) == [0, 0, 0, 0, 0, 0])
        let sevens = try Tensor.full([2], value: 7, dtype: .int64, on: .cpu)
        #expect(try sevens.scalars(as: Int64.self) == [7, 7])
        if !Runtime.hasCUDA {
            #expect(throws: TorchError.self) { try t.move(to: .cuda(0)) }
            #expect(t.device == .cpu)
            #expect(try t.scalars(as: Float.self) == [1, -2, 3])
        }
    }
}
