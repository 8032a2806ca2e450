import CTorch

/// A c10d process group: libtorch's `ProcessGroupGloo` (CPU tensors) over a `TCPStore` that rank 0 serves.
///
/// Collectives work in place on CPU tensors and return only when every rank has taken part. A rank that has
/// died or stopped answering turns into a thrown `TorchError` on the others after at most `timeoutSeconds`
/// (gloo reports a closed connection at once, a silent peer at the timeout), never into a hang.
public final class ProcessGroup: @unchecked Sendable {
    let handle: OpaquePointer
    public let rank: Int
    public let worldSize: Int
    public let timeoutSeconds: Double

    /// Meets the other ranks: rank 0 serves the store on `masterPort`, the others connect to
    /// `masterAddress:masterPort`; every rank must arrive within the timeout.
    ///
    /// - Throws: `TorchError` when the ranks do not meet in time or the arguments are out of range.
    public init(masterAddress: String, masterPort: Int, rank: Int, worldSize: Int, timeoutSeconds: Double) throws {
        var out: OpaquePointer?
        let milliseconds = Int64((timeoutSeconds * 1000).rounded())
        try check(ct_process_group_gloo_create(masterAddress, Int32(clamping: masterPort), Int64(rank), Int64(worldSize),
                                               milliseconds, &out), "process_group_gloo")
        guard let out else { throw TorchError("no process group returned", operation: "process_group_gloo") }
        handle = out
        self.rank = rank
        self.worldSize = worldSize
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { ct_process_group_free(handle) }

    /// Every tensor becomes its sum over the ranks.
    public func allReduceSum(_ tensors: [Tensor]) throws {
        try withHandles(tensors) { try check(ct_process_group_allreduce_sum(handle, $0, $1), "all_reduce") }
    }

    /// Every tensor becomes rank `root`'s.
    public func broadcast(_ tensors: [Tensor], root: Int = 0) throws {
        try withHandles(tensors) { try check(ct_process_group_broadcast(handle, $0, $1, Int64(root)), "broadcast") }
    }

    /// Training-mode batch normalisation of `input` (N, C, …) with the mean and variance of the global batch, the
    /// inputs of every rank together (`torch.nn.SyncBatchNorm`); differentiable, its backward all-reduces as well.
    /// `runningMean` and `runningVar` are updated in place with the global statistics (unbiased variance).
    /// Every rank must call it at the same point of its forward pass.
    public func syncBatchNorm(_ input: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                              momentum: Double, eps: Double) throws -> Tensor {
        try withExtendedLifetime((input, weight, bias, runningMean, runningVar)) {
            try Tensor.make("sync_batch_norm input \(input.shape)") {
                ct_sync_batch_norm(handle, input.handle, weight.handle, bias.handle, runningMean.handle, runningVar.handle,
                                   momentum, eps, $0)
            }
        }
    }

    /// Returns when every rank has called it.
    public func barrier() throws {
        try check(ct_process_group_barrier(handle), "barrier")
    }

    private func withHandles(_ tensors: [Tensor], _ body: (UnsafePointer<OpaquePointer?>?, Int64) throws -> Void) throws {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        try withExtendedLifetime(tensors) {
            try handles.withUnsafeBufferPointer { try body($0.baseAddress, Int64($0.count)) }
        }
    }
}
