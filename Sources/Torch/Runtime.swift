import CTorch

/// The libtorch build NeoICH runs on, and its process-wide settings.
public enum Runtime {
    /// The libtorch version of the headers NeoICH was compiled against.
    public static var compiledVersion: String {
        var pointer: UnsafePointer<CChar>?
        _ = ct_version_compiled(&pointer)
        return pointer.map { String(cString: $0) } ?? "unknown"
    }

    /// The libtorch version reported by the library loaded at run time.
    public static var runtimeVersion: String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = ct_version_runtime(&buffer, Int64(buffer.count))
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Fails with a clear message when the loaded libtorch is not the one NeoICH was built against.
    public static func checkVersion() throws {
        let compiled = compiledVersion, loaded = runtimeVersion
        guard compiled == loaded || loaded == "unknown" else {
            throw TorchError("NeoICH was built against libtorch \(compiled) but loaded libtorch \(loaded); rebuild "
                + "(make clean build) or point LIBTORCH_LIB at the matching library", operation: "version check")
        }
    }

    /// libtorch's build summary (`torch.__config__.show()`).
    public static var buildConfiguration: String {
        var needed: Int64 = 0
        _ = ct_build_config(nil, 0, &needed)
        var buffer = [CChar](repeating: 0, count: Int(max(needed, 1)))
        _ = ct_build_config(&buffer, needed, nil)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether libtorch has oneDNN (MKLDNN), which NeoICH uses for every CPU convolution.
    public static var hasOneDNN: Bool {
        var flag = false
        _ = ct_mkldnn_available(&flag)
        return flag
    }

    public static var hasCUDA: Bool {
        var flag = false
        _ = ct_cuda_available(&flag)
        return flag
    }

    public static var cudaDeviceCount: Int {
        var n: Int64 = 0
        _ = ct_cuda_device_count(&n)
        return Int(n)
    }

    /// Intra-op threads (convolutions, reductions). NeoICH sets it to the available cores at start-up.
    public static var threads: Int {
        get {
            var n: Int64 = 1
            _ = ct_get_num_threads(&n)
            return Int(n)
        }
    }

    public static func setThreads(_ n: Int) throws {
        try check(ct_set_num_threads(Int64(n)), "set_num_threads")
    }

    /// The cores this process may use (affinity-aware on Linux).
    public static var availableCores: Int {
        ProcessInfoCores.available
    }

    /// Sets the intra-op thread count to `NEOICH_THREADS` if set, else to the available cores.
    public static func configureThreads(environment: [String: String]) throws {
        let requested = environment["NEOICH_THREADS"].flatMap(Int.init) ?? availableCores
        try setThreads(max(1, requested))
    }
}
