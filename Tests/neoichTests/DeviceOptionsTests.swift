import Foundation
import Testing
import Torch
@testable import neoich

/// `--device`, `NEOICH_DEVICE` and `--precision` on every command that runs a network.
@Suite("neoich --device and --precision")
struct DeviceOptionsTests {
    /// The demo models (serve and watch check at parse time that both folders are complete).
    static let models: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ["--segmentation-model", root.appendingPathComponent("Models/segmentation").path,
                "--classifier-model", root.appendingPathComponent("Models/classifier").path]
    }()

    /// Each command that runs a network, with the arguments it needs to parse.
    static let commands: [[String]] = [
        ["segment", "ct.nii.gz", "-o", "m.nii.gz"],
        ["segment", "--cohort", "cases", "-o", "masks"],
        ["predict", "ct.nii.gz", "-o", "out"],
        ["predict", "--cohort", "cases", "-o", "out"],
        ["train-seg", "Dataset001_X", "-o", "run"],
        ["train-cls", "--dataset", "d", "--out", "o"],
        ["evaluate-cls", "--dataset", "d", "--model", "m", "--out", "o"],
        ["finetune", "--model", "m", "--external-dataset", "e", "--out", "o", "--draws", "2"],
        ["explain", "--weights", "w.safetensors", "--model-card", "c.json", "--crop", "c.nii.gz", "--crop-labels", "l.nii.gz",
         "--output", "x"],
        ["faithfulness", "--weights", "w.safetensors", "--model-card", "c.json", "--crop", "c.nii.gz", "--crop-labels", "l.nii.gz",
         "--output", "f.json"],
        ["serve"] + models,
        ["watch", "--orthanc", "http://127.0.0.1:9", "--state", "w.json", "-o", "out"] + models,
    ]

    /// The device options a parsed command carries.
    static func deviceOptions(_ command: Any) -> DeviceOptions? {
        switch command {
        case let c as Segment: c.inference.device
        case let c as Predict: c.inference.device
        case let c as Serve: c.inference.device
        case let c as Watch: c.inference.device
        case let c as TrainSeg: c.device
        case let c as TrainCls: c.device
        case let c as EvaluateCls: c.device
        case let c as Finetune: c.device
        case let c as ExplainCommand: c.input.device
        case let c as FaithfulnessCommand: c.input.device
        default: nil
        }
    }

    @Test(arguments: commands)
    func everyNetworkCommandTakesDevice(_ arguments: [String]) throws {
        let parsed = try NeoICH.parseAsRoot(arguments + ["--device", "cuda:1"])
        let options = try #require(Self.deviceOptions(parsed), "\(arguments[0]) has no --device")
        #expect(try options.choice(environment: ["NEOICH_DEVICE": "cpu"]) == .cuda(1))
        let plain = try #require(Self.deviceOptions(NeoICH.parseAsRoot(arguments)))
        #expect(try plain.choice(environment: ["NEOICH_DEVICE": "cpu"]) == .cpu)
        #expect(try plain.choice(environment: [:]) == .auto)
        #expect(throws: (any Error).self) { try NeoICH.parseAsRoot(arguments + ["--device", "gpu"]) }
    }

    @Test func autoIsTheCPUWithoutCUDAAndCUDAIsAClearRuntimeFailure() throws {
        let segment = try #require(try NeoICH.parseAsRoot(["segment", "ct.nii.gz", "-o", "m.nii.gz"]) as? Segment)
        guard !(Runtime.hasCUDA && Runtime.cudaDeviceCount > 0) else { return }
        #expect(try segment.inference.device.resolve(environment: [:]) == .cpu)
        #expect(try segment.inference.resolve(environment: ["NEOICH_DEVICE": "auto"]) == (.cpu, .fp32))
        do {
            _ = try segment.inference.device.resolve(environment: ["NEOICH_DEVICE": "cuda"])
            Issue.record("NEOICH_DEVICE=cuda resolved without CUDA")
        } catch let error as RuntimeFailure {
            #expect(error.description.contains("device cuda requested but CUDA is not available"), "\(error)")
            #expect(error.description.contains(Runtime.hasCUDA ? "sees no GPU" : "libtorch built without CUDA"), "\(error)")
        }
        // A bad environment value is a usage error naming the variable.
        do {
            _ = try segment.inference.device.resolve(environment: ["NEOICH_DEVICE": "gpu"])
            Issue.record("NEOICH_DEVICE=gpu resolved")
        } catch let error as RuntimeFailure {
            Issue.record("a bad NEOICH_DEVICE is a usage error, not a runtime failure: \(error)")
        } catch {
            #expect("\(error)".contains("NEOICH_DEVICE: 'gpu' is not a device"), "\(error)")
        }
    }

    @Test func precisionIsValidated() throws {
        #expect(throws: (any Error).self) { try NeoICH.parseAsRoot(["segment", "ct.nii.gz", "-o", "m", "--precision", "fp8"]) }
        let half = try #require(try NeoICH.parseAsRoot(["predict", "ct.nii.gz", "-o", "o", "--precision", "fp16", "--device", "cpu"]) as? Predict)
        do {
            _ = try half.inference.resolve(environment: [:])
            Issue.record("fp16 accepted on the CPU")
        } catch {
            #expect("\(error)".contains("--precision fp16 runs only on CUDA"), "\(error)")
        }
        let bf16 = try #require(try NeoICH.parseAsRoot(["serve", "--precision", "bf16"] + Self.models) as? Serve)
        #expect(bf16.inference.precision == "bf16")
        let single = try #require(try NeoICH.parseAsRoot(["watch", "--orthanc", "http://h", "--state", "s", "-o", "o", "--device", "cpu"]
                                                         + Self.models) as? Watch)
        #expect(try single.inference.resolve(environment: [:]) == (.cpu, .fp32))
    }
}
