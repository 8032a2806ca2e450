import ArgumentParser
import Foundation
import Torch

/// `--device cpu|cuda|cuda:N|auto` of every command that runs a network; without it `NEOICH_DEVICE`, else
/// `auto` (the first GPU of a CUDA libtorch, else the CPU).
struct DeviceOptions: ParsableArguments {
    @Option(name: .customLong("device"), help: ArgumentHelp(
        "Where networks run: cpu, cuda (cuda:N), or auto (a GPU when libtorch has CUDA and sees one, else the CPU).",
        discussion: "Default: $NEOICH_DEVICE, else auto.", valueName: "device"))
    var device: String?

    func validate() throws {
        if let device, DeviceChoice(device) == nil { throw ValidationError("--device \(device): use cpu, cuda, cuda:N or auto") }
    }

    /// The choice: the flag, else `NEOICH_DEVICE`, else auto.
    ///
    /// - Throws: `ValidationError` (exit 64) for a value that names no device.
    func choice(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DeviceChoice {
        do { return try DeviceChoice.from(flag: device, environment: environment) } catch let error as DeviceError {
            throw ValidationError(error.description)
        }
    }

    /// The device to run on.
    ///
    /// - Throws: `ValidationError` (exit 64) for a value that names no device; `RuntimeFailure` (exit 1) when CUDA is
    ///   asked for and this libtorch or machine has none, naming what is missing.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Device {
        let choice = try choice(environment: environment)
        do { return try choice.resolve() } catch let error as DeviceError {
            throw RuntimeFailure(error.description)
        }
    }
}

/// `--device` plus `--precision fp32|fp16|bf16` of the commands that run inference.
struct InferenceDeviceOptions: ParsableArguments {
    @OptionGroup var device: DeviceOptions
    @OptionGroup var engine: InferenceOptions
    @Option(help: ArgumentHelp(
        "Inference precision: fp32; fp16 / bf16 through libtorch's autocast on CUDA; bf16 on the CPU runs the fused oneDNN graphs in bfloat16 (CPUs with avx512_bf16 only).",
        valueName: "precision"))
    var precision = "fp32"

    func validate() throws {
        if Precision(argument: precision) == nil { throw ValidationError("--precision \(precision): use fp32, fp16 or bf16") }
    }

    /// The device and precision to run with.
    ///
    /// - Throws: as `DeviceOptions.resolve`, and `ValidationError` (exit 64) for fp16/bf16 on the CPU.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (Device, Precision) {
        guard let precision = Precision(argument: precision) else {
            throw ValidationError("--precision \(self.precision): use fp32, fp16 or bf16")
        }
        let device = try device.resolve(environment: environment)
        // On the CPU, bfloat16 is the fused graphs' precision (libtorch's CPU autocast is not used).
        if device == .cpu && precision == .bf16 {
            try engine.apply(bfloat16: true)
            return (device, .fp32)
        }
        do { try precision.validate(for: device) } catch let error as DeviceError { throw ValidationError(error.description) }
        try engine.apply(bfloat16: false)
        return (device, precision)
    }
}
