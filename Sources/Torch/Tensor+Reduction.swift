import CTorch

extension Tensor {
    func reduce(_ op: ct_reduce_op, _ name: String, dims: [Int], keepDims: Bool, correction: Int = 1) throws -> Tensor {
        try withInt64s(dims) { d, n in
            try Tensor.make(name) { ct_tensor_reduce(handle, op, d, n, keepDims, Int64(correction), $0) }
        }
    }

    /// Sum over `dims` (all elements when empty).
    public func sum(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_SUM, "sum", dims: dims, keepDims: keepDims)
    }

    public func mean(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_MEAN, "mean", dims: dims, keepDims: keepDims)
    }

    /// Maximum value over `dims` (all elements when empty).
    public func max(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_AMAX, "amax", dims: dims, keepDims: keepDims)
    }

    public func min(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_AMIN, "amin", dims: dims, keepDims: keepDims)
    }

    /// Product over all elements, or along one dimension.
    public func product(dim: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_PROD, "prod", dims: dim.map { [$0] } ?? [], keepDims: keepDims)
    }

    /// Standard deviation; `unbiased` divides by n − 1 (PyTorch's default).
    public func std(dims: [Int] = [], unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_STD, "std", dims: dims, keepDims: keepDims, correction: unbiased ? 1 : 0)
    }

    public func variance(dims: [Int] = [], unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_VAR, "var", dims: dims, keepDims: keepDims, correction: unbiased ? 1 : 0)
    }

    /// Euclidean norm.
    public func norm(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_NORM2, "norm", dims: dims, keepDims: keepDims)
    }

    public func all(dim: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_ALL, "all", dims: dim.map { [$0] } ?? [], keepDims: keepDims)
    }

    public func any(dim: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try reduce(CT_ANY, "any", dims: dim.map { [$0] } ?? [], keepDims: keepDims)
    }

    /// Maximum along `dim` with the index where it occurs.
    public func max(dim: Int, keepDims: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let (v, i) = try Tensor.makePair("max") { ct_tensor_max_dim(handle, Int64(dim), keepDims, $0, $1) }
        return (v, i)
    }

    public func min(dim: Int, keepDims: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let (v, i) = try Tensor.makePair("min") { ct_tensor_min_dim(handle, Int64(dim), keepDims, $0, $1) }
        return (v, i)
    }

    /// Index of the maximum along `dim`, or in the flattened tensor when `dim` is nil.
    public func argmax(dim: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try Tensor.make("argmax") { ct_tensor_argmax(handle, Int64(dim ?? -100), keepDims, $0) }
    }

    public func argmin(dim: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try Tensor.make("argmin") { ct_tensor_argmin(handle, Int64(dim ?? -100), keepDims, $0) }
    }

    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let (v, i) = try Tensor.makePair("topk") { ct_tensor_topk(handle, Int64(k), Int64(dim), largest, sorted, $0, $1) }
        return (v, i)
    }

    public func sorted(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let (v, i) = try Tensor.makePair("sort") { ct_tensor_sort(handle, Int64(dim), descending, $0, $1) }
        return (v, i)
    }

    public func cumsum(dim: Int) throws -> Tensor {
        try Tensor.make("cumsum") { ct_tensor_cumsum(handle, Int64(dim), $0) }
    }

    /// Same shape and exactly the same values.
    public func equals(_ other: Tensor) throws -> Bool {
        var result = false
        try check(ct_tensor_equal(handle, other.handle, &result), "equal")
        return result
    }

    /// `|a − b| ≤ atol + rtol·|b|` everywhere (PyTorch's `allclose`).
    public func isClose(to other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) throws -> Bool {
        var result = false
        try check(ct_tensor_allclose(handle, other.handle, rtol, atol, &result), "allclose")
        return result
    }
}
