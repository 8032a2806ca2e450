import CTorch

extension Tensor {
    // MARK: - From Swift values

    /// A tensor holding a copy of `values`, shaped `shape` (a 1-D tensor when `shape` is nil).
    public convenience init<T: TensorScalar>(_ values: [T], shape: [Int]? = nil) throws {
        let shape = shape ?? [values.count]
        guard shape.reduce(1, *) == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TorchError("\(values.count) values do not fill shape \(shape)", operation: "init")
        }
        var out: OpaquePointer?
        try values.withUnsafeBytes { bytes in
            try withInt64s(shape) { sizes, ndim in
                try check(ct_tensor_from_buffer(bytes.baseAddress, sizes, ndim, T.dtype.code, &out), "from_buffer")
            }
        }
        guard let out else { throw TorchError("no tensor returned", operation: "init") }
        self.init(handle: out)
    }

    /// A 0-dimensional tensor.
    public convenience init<T: TensorScalar>(scalar: T) throws {
        try self.init([scalar], shape: [])
    }

    /// Wraps memory owned by `owner` without copying. The tensor keeps `owner` alive for as long as libtorch
    /// holds the storage, so the caller must not free or move the memory while `owner` lives.
    public convenience init(
        borrowing data: UnsafeMutableRawPointer, shape: [Int], dtype: DType, owner: AnyObject
    ) throws {
        let context = Unmanaged.passRetained(owner).toOpaque()
        var out: OpaquePointer?
        let status = withInt64s(shape) { sizes, ndim in
            ct_tensor_from_blob(data, sizes, ndim, dtype.code, { context in
                if let context { Unmanaged<AnyObject>.fromOpaque(context).release() }
            }, context, &out)
        }
        guard status == CT_OK, let out else {
            Unmanaged<AnyObject>.fromOpaque(context).release()
            throw TorchError(String(cString: ct_last_error()), operation: "from_blob")
        }
        self.init(handle: out)
    }

    // MARK: - Factories

    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try withInt64s(shape) { s, n in try make("zeros") { ct_tensor_zeros(s, n, dtype.code, $0) } }
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try withInt64s(shape) { s, n in try make("ones") { ct_tensor_ones(s, n, dtype.code, $0) } }
    }

    /// Uninitialised memory; every element must be written before it is read.
    public static func empty(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try withInt64s(shape) { s, n in try make("empty") { ct_tensor_empty(s, n, dtype.code, $0) } }
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        try withInt64s(shape) { s, n in try make("full") { ct_tensor_full(s, n, value, dtype.code, $0) } }
    }

    /// `start, start + step, …` below `end`.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .int64) throws -> Tensor {
        try make("arange") { ct_tensor_arange(start, end, step, dtype.code, $0) }
    }

    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) throws -> Tensor {
        try make("linspace") { ct_tensor_linspace(start, end, Int64(steps), dtype.code, $0) }
    }

    public static func eye(_ n: Int, dtype: DType = .float32) throws -> Tensor {
        try make("eye") { ct_tensor_eye(Int64(n), dtype.code, $0) }
    }

    // MARK: - Random (seeded through an explicit generator)

    /// Uniform on [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil) throws -> Tensor {
        try withInt64s(shape) { s, n in
            try make("rand") { ct_tensor_rand(s, n, dtype.code, generator?.handle, $0) }
        }
    }

    /// Standard normal.
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil) throws -> Tensor {
        try withInt64s(shape) { s, n in
            try make("randn") { ct_tensor_randn(s, n, dtype.code, generator?.handle, $0) }
        }
    }

    /// Integers uniform on [low, high).
    public static func randint(
        _ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator? = nil
    ) throws -> Tensor {
        try withInt64s(shape) { s, n in
            try make("randint") { ct_tensor_randint(Int64(low), Int64(high), s, n, dtype.code, generator?.handle, $0) }
        }
    }

    /// A random permutation of 0..<n.
    public static func randperm(_ n: Int, generator: Generator? = nil) throws -> Tensor {
        try make("randperm") { ct_tensor_randperm(Int64(n), generator?.handle, $0) }
    }

    /// 0/1 draws with the probabilities in `self`.
    public func bernoulli(generator: Generator? = nil) throws -> Tensor {
        try Tensor.make("bernoulli") { ct_tensor_bernoulli(handle, generator?.handle, $0) }
    }

    // MARK: - Conversion and copies

    public func to(_ dtype: DType) throws -> Tensor {
        try Tensor.make("to(\(dtype))") { ct_tensor_to_dtype(handle, dtype.code, $0) }
    }

    public func to(device: Device) throws -> Tensor {
        let (type, index) = device.code
        return try Tensor.make("to(\(device))") { ct_tensor_to_device(handle, type, index, $0) }
    }

    public func contiguous() throws -> Tensor {
        try Tensor.make("contiguous") { ct_tensor_contiguous(handle, $0) }
    }

    /// A deep copy (new storage) that stays in the autograd graph.
    public func clone() throws -> Tensor {
        try Tensor.make("clone") { ct_tensor_clone(handle, $0) }
    }

    /// Same storage, cut from the autograd graph.
    public func detached() throws -> Tensor {
        try Tensor.make("detach") { ct_tensor_detach(handle, $0) }
    }

    /// Copies `source` into this tensor's storage (broadcasting, converting dtype).
    public func copy(from source: Tensor) throws {
        try check(ct_tensor_copy_(handle, source.handle), "copy_")
    }

    public func fill(_ value: Double) throws {
        try check(ct_tensor_fill_(handle, value), "fill_")
    }

    public func zero() throws {
        try check(ct_tensor_zero_(handle), "zero_")
    }
}

extension Tensor {
    /// A tensor holding a copy of raw bytes in the element type's native (little-endian) layout.
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        let elements = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), elements * dtype.byteSize == bytes.count else {
            throw TorchError("\(bytes.count) bytes do not hold a \(dtype) tensor of shape \(shape)", operation: "init(bytes:)")
        }
        var out: OpaquePointer?
        try withInt64s(shape) { sizes, ndim in
            try check(ct_tensor_from_buffer(bytes.baseAddress, sizes, ndim, dtype.code, &out), "from_buffer")
        }
        guard let out else { throw TorchError("no tensor returned", operation: "init(bytes:)") }
        self.init(handle: out)
    }

    /// Calls `body` with the tensor's bytes, contiguous on the CPU (copied only when needed).
    public func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let source = isContiguous && device == .cpu ? self : try contiguous().to(device: .cpu)
        var pointer: UnsafeMutableRawPointer?
        try check(ct_tensor_data_ptr(source.handle, &pointer), "data_ptr")
        return try withExtendedLifetime(source) {
            try body(UnsafeRawBufferPointer(start: pointer, count: source.count * source.dtype.byteSize))
        }
    }
}
