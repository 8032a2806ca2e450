import CTorch

/// An n-dimensional array backed by libtorch.
///
/// A `Tensor` owns exactly one libtorch handle and frees it when released; a second owner of the same data is
/// made explicitly with `shallowCopy()`. Views (`reshape`, `narrow`, `permute`, …) share storage with their
/// source, as in PyTorch. Every op exists as a throwing method that reports libtorch's message as a
/// `TorchError`; the arithmetic and comparison operators trap with that message instead.
///
/// Reading from several threads is safe; mutating a tensor (in-place ops, `requiresGrad`) while another thread
/// uses it is not, as in libtorch.
public final class Tensor: @unchecked Sendable {
    let handle: OpaquePointer

    /// Takes ownership of a handle returned by the C ABI.
    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ct_tensor_free(handle)
    }

    /// Number of tensor handles alive in this process; tests use it to prove that nothing leaks.
    public static var liveCount: Int { Int(ct_live_tensors()) }

    /// Handles created minus handles freed on the calling thread: a leak check that tensors made by other
    /// threads (tests running in parallel) cannot disturb.
    public static var liveCountOnThisThread: Int { Int(ct_live_tensors_this_thread()) }

    /// A new handle on the same tensor (same storage, same autograd identity).
    public func shallowCopy() throws -> Tensor {
        try Tensor.make("shallow_copy") { ct_tensor_shallow_clone(handle, $0) }
    }

    // MARK: - Metadata

    /// Sizes along each dimension.
    public var shape: [Int] {
        var dim: Int64 = 0
        checkedMetadata(ct_tensor_sizes(handle, nil, 0, &dim), "sizes")
        var sizes = [Int64](repeating: 0, count: Int(dim))
        checkedMetadata(sizes.withUnsafeMutableBufferPointer { ct_tensor_sizes(handle, $0.baseAddress, dim, &dim) }, "sizes")
        return sizes.map(Int.init)
    }

    /// Strides in elements along each dimension.
    public var strides: [Int] {
        var dim: Int64 = 0
        checkedMetadata(ct_tensor_strides(handle, nil, 0, &dim), "strides")
        var values = [Int64](repeating: 0, count: Int(dim))
        checkedMetadata(values.withUnsafeMutableBufferPointer { ct_tensor_strides(handle, $0.baseAddress, dim, &dim) }, "strides")
        return values.map(Int.init)
    }

    public var rank: Int {
        var dim: Int64 = 0
        checkedMetadata(ct_tensor_dim(handle, &dim), "dim")
        return Int(dim)
    }

    public var count: Int {
        var n: Int64 = 0
        checkedMetadata(ct_tensor_numel(handle, &n), "numel")
        return Int(n)
    }

    public var dtype: DType {
        var code = CT_FLOAT32
        checkedMetadata(ct_tensor_dtype(handle, &code), "dtype")
        do { return try DType(code: code) } catch { fatalError("\(error)") }
    }

    public var device: Device {
        var type = CT_CPU
        var index: Int64 = 0
        checkedMetadata(ct_tensor_device(handle, &type, &index), "device")
        return type == CT_CUDA ? .cuda(Int(index)) : .cpu
    }

    /// libtorch's version counter of the data: it grows with every in-place change (an optimizer step, a
    /// `copy_`, a loaded state dict), so a cache derived from the values can tell that they changed.
    public var version: Int {
        var value: Int64 = 0
        checkedMetadata(ct_tensor_version(handle, &value), "_version")
        return Int(value)
    }

    public var isContiguous: Bool {
        var flag = false
        checkedMetadata(ct_tensor_is_contiguous(handle, &flag), "is_contiguous")
        return flag
    }

    // MARK: - Reading values

    /// The elements in row-major order, converted to `T` if the tensor has another dtype.
    public func scalars<T: TensorScalar>(as type: T.Type = T.self) throws -> [T] {
        let source = dtype == T.dtype ? self : try to(T.dtype)
        let n = source.count
        if n == 0 { return [] }
        return try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            try check(ct_tensor_copy_to_buffer(source.handle, buffer.baseAddress, Int64(n * T.dtype.byteSize)), "scalars")
            initialized = n
        }
    }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var value = 0.0
        try check(ct_tensor_item_double(handle, &value), "item")
        return value
    }

    /// The value of a one-element integer tensor.
    public func itemInt() throws -> Int {
        var value: Int64 = 0
        try check(ct_tensor_item_int64(handle, &value), "item")
        return Int(value)
    }

    /// Calls `body` with the tensor's contiguous CPU data, without copying when it is already contiguous.
    public func withUnsafeBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) throws -> R {
        guard dtype == T.dtype else {
            throw TorchError("tensor is \(dtype), not \(T.dtype)", operation: "withUnsafeBufferPointer")
        }
        let source = isContiguous && device == .cpu ? self : try contiguous().to(device: .cpu)
        var pointer: UnsafeMutableRawPointer?
        try check(ct_tensor_data_ptr(source.handle, &pointer), "data_ptr")
        let typed = pointer.map { UnsafeBufferPointer(start: $0.assumingMemoryBound(to: T.self), count: source.count) }
        return try withExtendedLifetime(source) { try body(typed ?? UnsafeBufferPointer(start: nil, count: 0)) }
    }

    /// Calls `body` with a mutable pointer to this tensor's own storage (CPU, contiguous, dtype `T`).
    public func withUnsafeMutableBufferPointer<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) throws -> R {
        guard dtype == T.dtype, isContiguous, device == .cpu else {
            throw TorchError("needs a contiguous CPU \(T.dtype) tensor, got \(dtype) contiguous=\(isContiguous) on \(device)",
                             operation: "withUnsafeMutableBufferPointer")
        }
        var pointer: UnsafeMutableRawPointer?
        try check(ct_tensor_data_ptr(handle, &pointer), "data_ptr")
        let typed = pointer.map { UnsafeMutableBufferPointer(start: $0.assumingMemoryBound(to: T.self), count: count) }
        return try body(typed ?? UnsafeMutableBufferPointer(start: nil, count: 0))
    }

    // MARK: - Helpers for the C ABI

    /// Calls a C ABI function that returns one tensor through its last argument.
    @inline(__always)
    static func make(_ operation: @autoclosure () -> String, _ body: (UnsafeMutablePointer<OpaquePointer?>) -> ct_status) throws -> Tensor {
        var out: OpaquePointer?
        try check(body(&out), operation())
        guard let out else { throw TorchError("no tensor returned", operation: operation()) }
        return Tensor(handle: out)
    }

    /// Calls a C ABI function that returns two tensors (values and indices).
    @inline(__always)
    static func makePair(
        _ operation: @autoclosure () -> String,
        _ body: (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) -> ct_status
    ) throws -> (Tensor, Tensor) {
        var first: OpaquePointer?
        var second: OpaquePointer?
        try check(body(&first, &second), operation())
        guard let first, let second else { throw TorchError("no tensor returned", operation: operation()) }
        return (Tensor(handle: first), Tensor(handle: second))
    }
}

// MARK: - Printing

extension Tensor: CustomStringConvertible {
    /// libtorch's own rendering of the values.
    public var description: String {
        var needed: Int64 = 0
        guard ct_tensor_to_string(handle, nil, 0, &needed) == CT_OK, needed > 0 else { return "Tensor(?)" }
        var buffer = [CChar](repeating: 0, count: Int(needed))
        _ = ct_tensor_to_string(handle, &buffer, needed, nil)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Converts `[Int]` to the C ABI's `int64_t` lists.
@inline(__always)
func withInt64s<R>(_ values: [Int], _ body: (UnsafePointer<Int64>?, Int64) throws -> R) rethrows -> R {
    let converted = values.map(Int64.init)
    return try converted.withUnsafeBufferPointer { try body($0.baseAddress, Int64($0.count)) }
}

/// Passes an optional tensor as a nullable handle.
@inline(__always)
func optionalHandle(_ tensor: Tensor?) -> OpaquePointer? { tensor?.handle }
