import CTorch

extension Tensor {
    /// Whether autograd records operations on this tensor.
    public var requiresGrad: Bool {
        var flag = false
        checkedMetadata(ct_tensor_requires_grad(handle, &flag), "requires_grad")
        return flag
    }

    /// Starts (or stops) recording operations on this leaf tensor; returns `self` for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        try check(ct_tensor_set_requires_grad(handle, flag), "requires_grad_")
        return self
    }

    public var isLeaf: Bool {
        var flag = false
        checkedMetadata(ct_tensor_is_leaf(handle, &flag), "is_leaf")
        return flag
    }

    /// The gradient accumulated by `backward()`, or nil.
    public var grad: Tensor? {
        var out: OpaquePointer?
        guard ct_tensor_grad(handle, &out) == CT_OK, let out else { return nil }
        return Tensor(handle: out)
    }

    /// Replaces (or clears, with nil) the accumulated gradient.
    public func setGrad(_ gradient: Tensor?) throws {
        try check(ct_tensor_set_grad(handle, gradient?.handle), "set_grad")
    }

    /// Keeps `.grad` for a non-leaf tensor after `backward()`.
    public func retainGrad() throws {
        try check(ct_tensor_retain_grad(handle), "retain_grad")
    }

    /// Back-propagates from this tensor (a scalar unless `gradient` is given) into the leaves' `.grad`.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws {
        try check(ct_tensor_backward(handle, gradient?.handle, retainGraph, createGraph), "backward")
    }
}

/// Gradients of `outputs` with respect to `inputs`, which may be any tensors in the graph (inputs or
/// intermediate activations), as `torch.autograd.grad`.
///
/// - Parameters:
///   - outputs: tensors to differentiate (scalars unless `gradOutputs` is given).
///   - inputs: tensors to differentiate with respect to.
///   - gradOutputs: the vector in the vector-Jacobian product, one per output; nil for scalar outputs.
///   - retainGraph: keep the graph for another call (e.g. a second method on the same forward).
///   - allowUnused: return nil for inputs that the outputs do not depend on instead of failing.
/// - Returns: one gradient per input (nil only when unused and `allowUnused`).
public func gradients(
    of outputs: [Tensor], withRespectTo inputs: [Tensor], gradOutputs: [Tensor]? = nil,
    retainGraph: Bool = false, createGraph: Bool = false, allowUnused: Bool = false
) throws -> [Tensor?] {
    let outs: [OpaquePointer?] = outputs.map { $0.handle }
    let ins: [OpaquePointer?] = inputs.map { $0.handle }
    let gradOuts: [OpaquePointer?]? = gradOutputs?.map { $0.handle }
    if let gradOutputs, gradOutputs.count != outputs.count {
        throw TorchError("\(gradOutputs.count) grad outputs for \(outputs.count) outputs", operation: "autograd.grad")
    }
    var results = [OpaquePointer?](repeating: nil, count: inputs.count)
    try withExtendedLifetime((outputs, inputs, gradOutputs)) {
        try outs.withUnsafeBufferPointer { o in
            try ins.withUnsafeBufferPointer { i in
                try results.withUnsafeMutableBufferPointer { r in
                    if let gradOuts {
                        try gradOuts.withUnsafeBufferPointer { g in
                            try check(ct_autograd_grad(o.baseAddress, Int64(o.count), i.baseAddress, Int64(i.count),
                                                       g.baseAddress, retainGraph, createGraph, allowUnused, r.baseAddress),
                                      "autograd.grad")
                        }
                    } else {
                        try check(ct_autograd_grad(o.baseAddress, Int64(o.count), i.baseAddress, Int64(i.count),
                                                   nil, retainGraph, createGraph, allowUnused, r.baseAddress),
                                  "autograd.grad")
                    }
                }
            }
        }
    }
    return results.map { $0.map { Tensor(handle: $0) } }
}

/// Convenience for one output and one input.
public func gradient(of output: Tensor, withRespectTo input: Tensor, retainGraph: Bool = false) throws -> Tensor {
    guard let g = try gradients(of: [output], withRespectTo: [input], retainGraph: retainGraph, allowUnused: true)[0] else {
        return try Tensor.zeros(input.shape, dtype: input.dtype)
    }
    return g
}

/// Autograd recording on this thread.
public enum GradMode {
    public static var isEnabled: Bool {
        var flag = true
        _ = ct_grad_mode_is_enabled(&flag)
        return flag
    }

    /// Runs `body` with autograd recording switched off (inference, optimizer steps), then restores the mode.
    public static func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
        try with(enabled: false, body)
    }

    /// Runs `body` with autograd recording on or off, then restores the previous mode.
    public static func with<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        var previous = true
        _ = ct_grad_mode_set_enabled(enabled, &previous)
        defer { _ = ct_grad_mode_set_enabled(previous, nil) }
        return try body()
    }
}
