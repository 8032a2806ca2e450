import ArgumentParser
import Foundation
import Output
import NN
import Torch

/// `neoich doctor`: what NeoICH runs on and where it looks for models and data.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the libtorch build, oneDNN, threads, CUDA, and where models and data are looked for."
    )

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try NeoICH.prepareEngine()
        let report = DoctorReport.collect(environment: ProcessInfo.processInfo.environment)
        print(json ? try report.jsonText() : report.text)
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

/// The facts `neoich doctor` reports, collected without side effects so that tests can check them.
struct DoctorReport: Codable {
    var neoichVersion: String
    var libtorchCompiled: String
    var libtorchRuntime: String
    var oneDNN: Bool
    /// The fused inference graphs: oneDNN version and instruction set, and whether bfloat16 is offered.
    var fusedInference: String
    var threads: Int
    var availableCores: Int
    var cuda: Bool
    var cudaDevices: Int
    /// The GPUs libtorch sees (empty without CUDA), with `gpuSummary` saying why in words.
    var gpus: [CUDADeviceInfo]
    var gpuSummary: String
    /// CUDA runtime, cuDNN and driver versions ("12.8", "9.10.2", "12.9"); nil without CUDA.
    var cudaRuntime: String?
    var cuDNN: String?
    var cudaDriver: String?
    /// The device `--device auto` picks here ("cpu" or "cuda:0").
    var autoDevice: String
    /// `NEOICH_DEVICE` as set, and the device it picks (or why it cannot).
    var deviceEnvironment: String?
    var configuredDevice: String
    var modelDirectories: [String]
    var dataDirectory: String
    var dcm2niix: String?
    var problems: [String]

    static func collect(environment: [String: String]) -> DoctorReport {
        var problems: [String] = []
        if (try? Runtime.checkVersion()) == nil {
            problems.append("libtorch version mismatch: built against \(Runtime.compiledVersion), loaded \(Runtime.runtimeVersion)")
        }
        if !Runtime.hasOneDNN { problems.append("libtorch has no oneDNN: 3-D convolutions will be about 10× slower") }
        let dcm2niix = executable(named: "dcm2niix", path: environment["PATH"] ?? "/usr/bin:/bin")
        if dcm2niix == nil { problems.append("dcm2niix not found: DICOM import unavailable (scripts/install-deps installs it)") }
        let gpus = CUDAInfo.devices
        let versions = CUDAInfo.versions
        let autoDevice = (try? DeviceChoice.auto.resolve()) ?? .cpu
        let configuredDevice: String
        do { configuredDevice = "\(try DeviceChoice.from(flag: nil, environment: environment).resolve())" } catch {
            configuredDevice = "unusable: \(error)"
            problems.append("\(DeviceChoice.environmentVariable): \(error)")
        }
        return DoctorReport(
            neoichVersion: NeoICH.version,
            libtorchCompiled: Runtime.compiledVersion,
            libtorchRuntime: Runtime.runtimeVersion,
            oneDNN: Runtime.hasOneDNN,
            fusedInference: FusedPrecision.float32.isAvailable
                ? "\(FusedPrecision.library); float32\(FusedPrecision.bfloat16.isAvailable ? " and bfloat16" : ", no bfloat16 (the CPU lacks avx512_bf16)"); engine by default: \(InferenceEngine.automatic)"
                : "\(FusedPrecision.library); engine by default: \(InferenceEngine.automatic)",
            threads: Runtime.threads,
            availableCores: Runtime.availableCores,
            cuda: Runtime.hasCUDA,
            cudaDevices: Runtime.cudaDeviceCount,
            gpus: gpus,
            gpuSummary: gpuSummary(gpus),
            cudaRuntime: versions.cudaRuntime,
            cuDNN: versions.cuDNN,
            cudaDriver: versions.driver,
            autoDevice: "\(autoDevice)",
            deviceEnvironment: environment[DeviceChoice.environmentVariable],
            configuredDevice: configuredDevice,
            modelDirectories: modelDirectories(environment: environment),
            dataDirectory: environment["NEOICH_DATA"] ?? FileManager.default.currentDirectoryPath + "/data",
            dcm2niix: dcm2niix,
            problems: problems
        )
    }

    /// The GPUs in one line: "none (libtorch built without CUDA)", or name, memory and compute capability of each.
    static func gpuSummary(_ gpus: [CUDADeviceInfo], hasCUDA: Bool = Runtime.hasCUDA) -> String {
        guard hasCUDA else { return "none (libtorch built without CUDA)" }
        guard !gpus.isEmpty else { return "none (libtorch has CUDA but sees no GPU)" }
        return gpus.map { gpu in
            var parts = ["cuda:\(gpu.index) \(gpu.name)"]
            if let bytes = gpu.totalMemory { parts.append(String(format: "%.1f GiB", Double(bytes) / 1_073_741_824)) }
            if let capability = gpu.computeCapability { parts.append("compute capability \(capability)") }
            return parts.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// `NEOICH_MODELS` (colon-separated) first, then `Models/` in the working directory.
    static func modelDirectories(environment: [String: String]) -> [String] {
        var directories = (environment["NEOICH_MODELS"] ?? "").split(separator: ":").map(String.init)
        directories.append(FileManager.default.currentDirectoryPath + "/Models")
        return directories
    }

    static func executable(named name: String, path: String) -> String? {
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    var text: String {
        var lines = [
            "NeoICH \(neoichVersion)",
            "libtorch      built against \(libtorchCompiled), loaded \(libtorchRuntime)",
            "oneDNN        \(oneDNN ? "available (used for every CPU convolution)" : "MISSING")",
            "fused graphs  \(fusedInference)",
            "threads       \(threads) intra-op (cores available: \(availableCores); set NEOICH_THREADS to change)",
            "CUDA          \(cuda ? "\(cudaDevices) device(s), runtime \(cudaRuntime ?? "?"), cuDNN \(cuDNN ?? "none"), driver \(cudaDriver ?? "?")" : "not available (CPU build)")",
            "GPU           \(gpuSummary)",
            "device        auto → \(autoDevice); \(deviceEnvironment.map { "NEOICH_DEVICE=\($0) → \(configuredDevice)" } ?? "NEOICH_DEVICE unset (auto)")",
            "models        \(modelDirectories.joined(separator: ", "))",
            "data          \(dataDirectory)",
            "dcm2niix      \(dcm2niix ?? "not found")",
        ]
        lines.append(problems.isEmpty ? "status        ok" : "problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        return lines.joined(separator: "\n")
    }

    func jsonText() throws -> String {
        String(decoding: try JSONFile.data(self), as: UTF8.self)
    }
}
