import CTorch

/// Padding modes of `Tensor.padded` (PyTorch's `F.pad` modes).
public enum PaddingMode: Int32, Sendable {
    case constant = 0, reflect = 1, replicate = 2
}

extension Tensor {
    public func reshaped(_ shape: [Int]) throws -> Tensor {
        try withInt64s(shape) { s, n in try Tensor.make("reshape \(self.shape) → \(shape)") { ct_tensor_reshape(handle, s, n, $0) } }
    }

    /// A view with another shape; fails unless the memory layout allows it (use `reshaped` otherwise).
    public func view(_ shape: [Int]) throws -> Tensor {
        try withInt64s(shape) { s, n in try Tensor.make("view \(self.shape) → \(shape)") { ct_tensor_view(handle, s, n, $0) } }
    }

    public func permuted(_ dims: [Int]) throws -> Tensor {
        try withInt64s(dims) { d, n in try Tensor.make("permute") { ct_tensor_permute(handle, d, n, $0) } }
    }

    public func transposed(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        try Tensor.make("transpose") { ct_tensor_transpose(handle, Int64(dim0), Int64(dim1), $0) }
    }

    /// `length` elements along `dim` starting at `start` (a view).
    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        try Tensor.make("narrow") { ct_tensor_narrow(handle, Int64(dim), Int64(start), Int64(length), $0) }
    }

    /// Elements `start..<end` along `dim` with a step (a view); negative indices count from the end.
    public func slice(_ dim: Int, _ start: Int, _ end: Int, step: Int = 1) throws -> Tensor {
        try Tensor.make("slice") { ct_tensor_slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step), $0) }
    }

    /// The sub-tensor at `index` along `dim`, with that dimension removed (a view).
    public func select(_ dim: Int, _ index: Int) throws -> Tensor {
        try Tensor.make("select") { ct_tensor_select(handle, Int64(dim), Int64(index), $0) }
    }

    public func indexSelect(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.make("index_select") { ct_tensor_index_select(handle, Int64(dim), index.handle, $0) }
    }

    public func gather(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.make("gather") { ct_tensor_gather(handle, Int64(dim), index.handle, $0) }
    }

    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        try Tensor.make("masked_select") { ct_tensor_masked_select(handle, mask.handle, $0) }
    }

    public func maskedFill(_ mask: Tensor, _ value: Double) throws -> Tensor {
        try Tensor.make("masked_fill") { ct_tensor_masked_fill(handle, mask.handle, value, $0) }
    }

    /// Indices of non-zero elements, shape (count, rank).
    public func nonzero() throws -> Tensor {
        try Tensor.make("nonzero") { ct_tensor_nonzero(handle, $0) }
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) {
            try handles.withUnsafeBufferPointer { list in
                try make("cat") { ct_tensor_cat(list.baseAddress, Int64(list.count), Int64(dim), $0) }
            }
        }
    }

    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) {
            try handles.withUnsafeBufferPointer { list in
                try make("stack") { ct_tensor_stack(list.baseAddress, Int64(list.count), Int64(dim), $0) }
            }
        }
    }

    /// Pads the last dimensions; `padding` is in PyTorch's `F.pad` order (last dimension first, before/after pairs).
    public func padded(_ padding: [Int], mode: PaddingMode = .constant, value: Double = 0) throws -> Tensor {
        try withInt64s(padding) { p, n in try Tensor.make("pad") { ct_tensor_pad(handle, p, n, mode.rawValue, value, $0) } }
    }

    public func flipped(_ dims: [Int]) throws -> Tensor {
        try withInt64s(dims) { d, n in try Tensor.make("flip") { ct_tensor_flip(handle, d, n, $0) } }
    }

    /// Broadcasts singleton dimensions to `shape` (a view; -1 keeps a size).
    public func expanded(_ shape: [Int]) throws -> Tensor {
        try withInt64s(shape) { s, n in try Tensor.make("expand") { ct_tensor_expand(handle, s, n, $0) } }
    }

    public func repeated(_ repeats: [Int]) throws -> Tensor {
        try withInt64s(repeats) { r, n in try Tensor.make("repeat") { ct_tensor_repeat(handle, r, n, $0) } }
    }

    public func squeezed(_ dim: Int) throws -> Tensor {
        try Tensor.make("squeeze") { ct_tensor_squeeze(handle, Int64(dim), $0) }
    }

    public func unsqueezed(_ dim: Int) throws -> Tensor {
        try Tensor.make("unsqueeze") { ct_tensor_unsqueeze(handle, Int64(dim), $0) }
    }

    public func flattened(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try Tensor.make("flatten") { ct_tensor_flatten(handle, Int64(start), Int64(end), $0) }
    }
}
