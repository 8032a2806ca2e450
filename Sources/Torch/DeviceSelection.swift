import CTorch

/// Which device a command runs its networks on, as asked for (`--device`, `NEOICH_DEVICE`): `cpu`, `cuda`
/// (`cuda:N` for another GPU) or `auto` (the first GPU when libtorch has CUDA and sees one, else the CPU).
public enum DeviceChoice: Sendable, Equatable, CustomStringConvertible {
    case cpu
    case cuda(Int)
    case auto

    /// The environment variable read when no `--device` is given.
    public static let environmentVariable = "NEOICH_DEVICE"

    /// Parses `cpu`, `cuda`, `cuda:N` or `auto` (case-insensitive, surrounding spaces ignored).
    public init?(_ text: String) {
        let text = trimmedLowercase(text)
        if text == "auto" { self = .auto; return }
        switch Device(text) {
        case .cpu?: self = .cpu
        case .cuda(let index)?: self = .cuda(index)
        case nil: return nil
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let index): index == 0 ? "cuda" : "cuda:\(index)"
        case .auto: "auto"
        }
    }

    /// The choice of a command: `flag` when given, else `NEOICH_DEVICE`, else `auto`.
    ///
    /// - Throws: `DeviceError.invalidChoice` for a value that is none of `cpu`, `cuda`, `cuda:N`, `auto`, naming
    ///   where it came from.
    public static func from(flag: String?, environment: [String: String]) throws -> DeviceChoice {
        if let flag {
            guard let choice = DeviceChoice(flag) else { throw DeviceError.invalidChoice(flag, source: "--device") }
            return choice
        }
        if let value = environment[environmentVariable], !trimmedLowercase(value).isEmpty {
            guard let choice = DeviceChoice(value) else { throw DeviceError.invalidChoice(value, source: environmentVariable) }
            return choice
        }
        return .auto
    }

    /// The device this choice means on a machine whose libtorch sees `cudaDevices` GPUs (`hasCUDA` false: a
    /// CPU-only libtorch).
    ///
    /// - Throws: `DeviceError.cudaUnavailable` when CUDA is asked for and libtorch has none, or the GPU index
    ///   does not exist.
    public func resolve(hasCUDA: Bool, cudaDevices: Int) throws -> Device {
        switch self {
        case .cpu:
            return .cpu
        case .auto:
            return hasCUDA && cudaDevices > 0 ? .cuda(0) : .cpu
        case .cuda(let index):
            guard hasCUDA, cudaDevices > 0 else {
                throw DeviceError.cudaUnavailable(requested: self, reason: CUDAInfo.absenceReason(hasCUDA: hasCUDA))
            }
            guard index < cudaDevices else {
                throw DeviceError.cudaUnavailable(requested: self, reason: "this machine has \(cudaDevices) CUDA device(s) (cuda:0…cuda:\(cudaDevices - 1))")
            }
            return .cuda(index)
        }
    }

    /// The device this choice means on this machine.
    public func resolve() throws -> Device {
        try resolve(hasCUDA: Runtime.hasCUDA, cudaDevices: Runtime.cudaDeviceCount)
    }
}

/// Numerical precision of inference: `fp32` everywhere; `fp16` and `bf16` as libtorch's autocast on CUDA
/// (convolutions and matrix products in the lower precision, reductions and normalisation in float32, as
/// `torch.autocast`).
public enum Precision: String, Sendable, Equatable, CaseIterable, Codable {
    case fp32
    case fp16
    case bf16

    /// Parses `fp32`, `fp16` or `bf16` (also `float32`, `float16`, `half`, `bfloat16`).
    public init?(argument text: String) {
        switch trimmedLowercase(text) {
        case "fp32", "float32", "float": self = .fp32
        case "fp16", "float16", "half": self = .fp16
        case "bf16", "bfloat16": self = .bf16
        default: return nil
        }
    }

    /// The autocast dtype (nil for fp32).
    public var autocastType: DType? {
        switch self {
        case .fp32: nil
        case .fp16: .float16
        case .bf16: .bfloat16
        }
    }

    /// Fails unless this precision can run on `device` through this option: lower precisions are CUDA-only.
    public func validate(for device: Device) throws {
        if self != .fp32, device == .cpu { throw DeviceError.precisionUnsupported(self, device: device) }
    }
}

/// Runs network code in a precision on a device.
public enum Autocast {
    /// Runs `body` with libtorch's autocast for `device` in `precision` (fp32: `body` as it is), restoring the
    /// previous state afterwards. Autocast is per thread, as grad mode: `body` must not hop threads.
    ///
    /// - Throws: `DeviceError.precisionUnsupported` for fp16/bf16 on the CPU.
    public static func run<R>(_ precision: Precision, on device: Device, _ body: () throws -> R) throws -> R {
        try precision.validate(for: device)
        guard let dtype = precision.autocastType else { return try body() }
        let (type, _) = device.code
        var previousEnabled = false
        var previousType = CT_FLOAT32
        try check(ct_autocast_enter(type, dtype.code, &previousEnabled, &previousType), "autocast enter")
        defer { _ = ct_autocast_exit(type, previousEnabled, previousType) }
        return try body()
    }

    /// Whether autocast is on for `device` in this thread.
    public static func isEnabled(on device: Device) -> Bool {
        var flag = false
        _ = ct_autocast_is_enabled(device.code.0, &flag)
        return flag
    }
}

/// Errors of device and precision selection.
public enum DeviceError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidChoice(String, source: String)
    case cudaUnavailable(requested: DeviceChoice, reason: String)
    case precisionUnsupported(Precision, device: Device)

    public var description: String {
        switch self {
        case .invalidChoice(let value, let source):
            "\(source): '\(value)' is not a device; use cpu, cuda, cuda:N or auto"
        case .cudaUnavailable(let requested, let reason):
            "device \(requested) requested but CUDA is not available: \(reason); use --device cpu or auto"
        case .precisionUnsupported(let precision, let device):
            "--precision \(precision.rawValue) runs only on CUDA (autocast); on \(device) inference is fp32"
        }
    }
}

/// One GPU as libtorch and the CUDA driver describe it.
public struct CUDADeviceInfo: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String
    /// Bytes; nil when the driver does not say.
    public var totalMemory: Int64?
    /// "9.0"; nil when the driver does not say.
    public var computeCapability: String?

    public init(index: Int, name: String, totalMemory: Int64?, computeCapability: String?) {
        self.index = index
        self.name = name
        self.totalMemory = totalMemory
        self.computeCapability = computeCapability
    }
}

/// The CUDA side of the loaded libtorch.
public enum CUDAInfo {
    /// The GPUs libtorch sees (none for a CPU-only libtorch).
    public static var devices: [CUDADeviceInfo] {
        guard Runtime.hasCUDA else { return [] }
        return (0..<Runtime.cudaDeviceCount).compactMap { index in
            var info = ct_cuda_device_info()
            guard ct_cuda_device_properties(Int64(index), &info) == CT_OK else { return nil }
            let name = withUnsafeBytes(of: info.name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return CUDADeviceInfo(
                index: index, name: name.isEmpty ? "CUDA device \(index)" : name,
                totalMemory: info.total_memory >= 0 ? info.total_memory : nil,
                computeCapability: info.capability_major >= 0 ? "\(info.capability_major).\(max(info.capability_minor, 0))" : nil)
        }
    }

    /// Versions as libtorch and the driver report them ("12.8", "9.10.2"); nil where there is none.
    public static var versions: (cudaRuntime: String?, cuDNN: String?, driver: String?) {
        var runtime: Int64 = 0, cudnn: Int64 = 0, driver: Int64 = 0
        _ = ct_cuda_versions(&runtime, &cudnn, &driver)
        func cuda(_ v: Int64) -> String? { v > 0 ? "\(v / 1000).\((v % 1000) / 10)" : nil }
        // cuDNN 8: major·1000 + minor·100 + patch; cuDNN 9: major·10000 + minor·100 + patch.
        let cudnnText: String? = cudnn <= 0 ? nil
            : cudnn >= 10000 ? "\(cudnn / 10000).\((cudnn % 10000) / 100).\(cudnn % 100)"
            : "\(cudnn / 1000).\((cudnn % 1000) / 100).\(cudnn % 100)"
        return (cuda(runtime), cudnnText, cuda(driver))
    }

    /// Why CUDA cannot be used here, in words.
    public static func absenceReason(hasCUDA: Bool) -> String {
        hasCUDA ? "libtorch has CUDA but sees no GPU (driver missing or CUDA_VISIBLE_DEVICES empty)"
            : "libtorch built without CUDA (\(Runtime.runtimeVersion)); build against a CUDA libtorch (scripts/build-gpu-binary)"
    }

    /// Waits until the GPU has run every queued kernel (for timings); nothing on the CPU.
    public static func synchronize(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        try check(ct_cuda_synchronize(Int64(index)), "cuda synchronize")
    }
}

extension Tensor {
    /// A tensor filled with `value` on `device`.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32, on device: Device) throws -> Tensor {
        let (type, index) = device.code
        return try withInt64s(shape) { s, n in
            try make("full on \(device)") { ct_tensor_full_on_device(s, n, value, dtype.code, type, index, $0) }
        }
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32, on device: Device) throws -> Tensor {
        try full(shape, value: 0, dtype: dtype, on: device)
    }

    /// Moves this tensor's data to `device` in place, keeping the handle, requires-grad and autograd identity
    /// (as `param.data = param.data.to(device)` in PyTorch). Nothing happens when it is already there.
    public func move(to device: Device) throws {
        guard self.device != device else { return }
        let moved = try to(device: device)
        try check(ct_tensor_set_data(handle, moved.handle), "set_data(\(device))")
    }
}

/// `text` without surrounding spaces and tabs, lowercased.
func trimmedLowercase(_ text: String) -> String {
    String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()).lowercased()
}
