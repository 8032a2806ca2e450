import Torch

/// PyTorch `DistributedDataParallel`'s contract over a c10d `ProcessGroup`, for one model replica per process:
/// parameters and buffers broadcast from rank 0 at the start, gradients averaged over the ranks in buckets after
/// every backward, batch-norm buffers broadcast from rank 0 before every forward (DDP's `broadcast_buffers`).
///
/// Each rank computes the loss of its part of the global batch as a mean over that part; averaging the
/// gradients then gives the gradient of the mean over the global batch, so N processes take the steps one
/// process takes with the combined batch.
public final class DataParallel {
    public let group: ProcessGroup
    /// Bytes of gradient per all-reduce (PyTorch DDP's `bucket_cap_mb` default, 25 MiB).
    public let bucketCapBytes: Int

    public var rank: Int { group.rank }
    public var worldSize: Int { group.worldSize }
    public var isMain: Bool { group.rank == 0 }

    public init(group: ProcessGroup, bucketCapMiB: Double = 25) {
        self.group = group
        bucketCapBytes = max(1, Int(bucketCapMiB * 1024 * 1024))
    }

    /// Joins the ranks described by `environment`.
    public convenience init(_ environment: DistributedEnvironment, timeoutSeconds: Double, bucketCapMiB: Double = 25) throws {
        self.init(group: try ProcessGroup(masterAddress: environment.masterAddress, masterPort: environment.masterPort,
                                          rank: environment.rank, worldSize: environment.worldSize,
                                          timeoutSeconds: timeoutSeconds), bucketCapMiB: bucketCapMiB)
    }

    /// Makes every rank's module rank 0's: parameters and buffers, after checking that the replicas have the
    /// same parameter shapes.
    public func synchronizeModule(_ module: any Module) throws {
        let shapes = module.namedParameters().flatMap(\.tensor.shape)
        try agree(on: [Int64(shapes.count), Int64(shapes.reduce(0, &+))], what: "model parameter shapes")
        try GradMode.withoutGrad {
            try group.broadcast(module.namedParameters().map(\.tensor) + module.namedBuffers().map(\.tensor), root: 0)
        }
    }

    /// `torch.nn.SyncBatchNorm.convert_sync_batchnorm`: every batch norm of `module` normalises training batches
    /// with the statistics of the global batch (all ranks), so that N ranks train exactly as one process with the
    /// combined batch; returns how many layers were converted. Buffers then agree on every rank without
    /// `broadcastBuffers`.
    @discardableResult
    public func synchronizeBatchNorm(in module: any Module) -> Int {
        var converted = 0
        func visit(_ module: any Module) {
            if let norm = module as? BatchNorm3d {
                norm.synchronization = group
                converted += 1
            }
            for child in module.children { visit(child.module) }
        }
        visit(module)
        return converted
    }

    /// DDP's `broadcast_buffers`: running statistics and counters become rank 0's.
    public func broadcastBuffers(_ module: any Module) throws {
        let buffers = module.namedBuffers().map(\.tensor)
        guard !buffers.isEmpty else { return }
        try GradMode.withoutGrad { try group.broadcast(buffers, root: 0) }
    }

    /// Replaces every parameter's gradient by its mean over the ranks, all-reducing the gradients as flat
    /// buckets of at most `bucketCapBytes` in reverse parameter order (the order backward produces them, as
    /// DDP's reducer does). Parameters without a gradient are skipped; every rank must skip the same ones.
    public func averageGradients(_ parameters: [Tensor]) throws {
        let gradients = parameters.reversed().compactMap(\.grad)
        try agree(on: [Int64(gradients.count)], what: "number of parameters with a gradient")
        guard worldSize > 1, !gradients.isEmpty else { return }
        var bucket: [Tensor] = [], bytes = 0
        for gradient in gradients {
            let size = gradient.count * gradient.dtype.byteSize
            if !bucket.isEmpty, bytes + size > bucketCapBytes {
                try reduce(bucket)
                bucket = []
                bytes = 0
            }
            bucket.append(gradient)
            bytes += size
        }
        if !bucket.isEmpty { try reduce(bucket) }
    }

    private func reduce(_ bucket: [Tensor]) throws {
        try GradMode.withoutGrad {
            let flat = try Tensor.cat(bucket.map { try $0.reshaped([-1]) }, dim: 0)
            try group.allReduceSum([flat])
            try flat.multiplyInPlace(1 / Double(worldSize))
            var offset = 0
            for gradient in bucket {
                try gradient.copy(from: flat.narrow(0, start: offset, length: gradient.count).reshaped(gradient.shape))
                offset += gradient.count
            }
        }
    }

    /// Sums a few numbers over the ranks (a loss for the log, counts).
    public func sum(_ values: [Double]) throws -> [Double] {
        let tensor = try Tensor(values)
        try group.allReduceSum([tensor])
        return try tensor.scalars()
    }

    /// Checks that every rank holds the same integers; names the first that differ.
    ///
    /// - Throws: `DistributedError.ranksDisagree` naming `what` and rank 0's values.
    public func agree(on values: [Int64], what: String) throws {
        guard worldSize > 1 else { return }
        let reference = try Tensor(values)
        try group.broadcast([reference], root: 0)
        let rankZero: [Int64] = try reference.scalars()
        let differs = try Tensor([Int64(rankZero == values ? 0 : 1)])
        try group.allReduceSum([differs])
        let disagreeing: [Int64] = try differs.scalars()
        if disagreeing[0] > 0 {
            throw DistributedError.ranksDisagree("\(what): rank 0 has \(rankZero), rank \(rank) has \(values)"
                                                 + (rankZero == values ? " (another rank differs)" : ""))
        }
    }

    /// The contiguous part `rank` of a global batch.
    ///
    /// - Throws: `DistributedError.batchNotDivisible` unless the batch splits evenly.
    public func part<T>(of batch: [T]) throws -> [T] {
        Array(batch[try partRange(count: batch.count)])
    }

    /// The indices of rank's part of a global batch of `count`.
    public func partRange(count: Int) throws -> Range<Int> {
        guard count % worldSize == 0 else { throw DistributedError.batchNotDivisible(batch: count, worldSize: worldSize) }
        let size = count / worldSize
        return (rank * size)..<((rank + 1) * size)
    }
}
