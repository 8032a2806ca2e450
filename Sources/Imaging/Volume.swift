/// A 3-D image: voxels in one contiguous (z, y, x) buffer (x fastest) plus the geometry that places them.
///
/// HU volumes are `Volume<Float>` or `Volume<Int16>`, label maps `Volume<UInt8>` (`LabelMap`). The value
/// semantics are copy-on-write: copies share `buffer` until one of them is mutated.
///
/// The memory layout equals NIfTI's (x fastest, then y, then z), so reading and writing never transpose;
/// only the axis names change at the file boundary. The buffer can be wrapped by a tensor of shape
/// `shape.array` without a copy (see `VoxelBuffer`).
public struct Volume<Voxel: VoxelScalar>: Sendable {
    /// Shape, spacing and transforms.
    public var geometry: VolumeGeometry
    /// The voxel storage, shared between copies until one is mutated.
    public private(set) var buffer: VoxelBuffer<Voxel>

    /// A volume over `geometry` with every voxel equal to `value`.
    public init(geometry: VolumeGeometry, repeating value: Voxel = .zero) {
        self.geometry = geometry
        buffer = VoxelBuffer(count: geometry.shape.count, repeating: value)
    }

    /// A volume over `geometry` holding `voxels` in (z, y, x) order.
    ///
    /// - Throws: `ImagingError.voxelCountMismatch` when `voxels.count ≠ geometry.shape.count`.
    public init(geometry: VolumeGeometry, voxels: [Voxel]) throws {
        guard voxels.count == geometry.shape.count else {
            throw ImagingError.voxelCountMismatch(expected: geometry.shape.count, actual: voxels.count)
        }
        self.geometry = geometry
        buffer = VoxelBuffer(voxels)
    }

    /// A volume that adopts `buffer` (no copy).
    ///
    /// - Throws: `ImagingError.voxelCountMismatch` when the buffer does not have `geometry.shape.count` elements.
    public init(geometry: VolumeGeometry, buffer: VoxelBuffer<Voxel>) throws {
        guard buffer.count == geometry.shape.count else {
            throw ImagingError.voxelCountMismatch(expected: geometry.shape.count, actual: buffer.count)
        }
        self.geometry = geometry
        self.buffer = buffer
    }

    /// Grid size (z, y, x).
    public var shape: VolumeShape { geometry.shape }
    /// Spacing in mm (z, y, x).
    public var spacingMM: SpacingMM { geometry.spacingMM }
    /// The number of voxels.
    public var count: Int { buffer.count }

    /// The voxel at (z, y, x). Indices must be in range (checked in debug builds).
    @inline(__always)
    public subscript(z: Int, y: Int, x: Int) -> Voxel {
        get {
            assert(shape.contains(VoxelIndex(z: z, y: y, x: x)), "voxel (\(z), \(y), \(x)) outside \(shape)")
            return buffer.baseAddress[shape.offset(z: z, y: y, x: x)]
        }
        set {
            assert(shape.contains(VoxelIndex(z: z, y: y, x: x)), "voxel (\(z), \(y), \(x)) outside \(shape)")
            makeUnique()
            buffer.baseAddress[shape.offset(z: z, y: y, x: x)] = newValue
        }
    }

    /// The voxel at a linear (z, y, x) offset.
    @inline(__always)
    public subscript(offset offset: Int) -> Voxel {
        get {
            precondition(offset >= 0 && offset < count, "offset \(offset) outside 0..<\(count)")
            return buffer.baseAddress[offset]
        }
        set {
            precondition(offset >= 0 && offset < count, "offset \(offset) outside 0..<\(count)")
            makeUnique()
            buffer.baseAddress[offset] = newValue
        }
    }

    /// All voxels in (z, y, x) order (a copy).
    public var voxels: [Voxel] { Array(buffer.bufferPointer) }

    /// Calls `body` with the voxels (read-only, no copy).
    public func withUnsafeVoxels<R>(_ body: (UnsafeBufferPointer<Voxel>) throws -> R) rethrows -> R {
        try withExtendedLifetime(buffer) { try body(buffer.bufferPointer) }
    }

    /// Calls `body` with the voxels for writing (copies the buffer first if it is shared).
    public mutating func withUnsafeMutableVoxels<R>(
        _ body: (UnsafeMutableBufferPointer<Voxel>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(buffer) {
            try body(UnsafeMutableBufferPointer(start: buffer.baseAddress, count: buffer.count))
        }
    }

    /// A volume on the same geometry with `transform` applied to every voxel.
    public func map<T: VoxelScalar>(_ transform: (Voxel) throws -> T) rethrows -> Volume<T> {
        var out = Volume<T>(geometry: geometry)
        try withUnsafeVoxels { source in
            try out.withUnsafeMutableVoxels { target in
                for i in 0..<source.count { target[i] = try transform(source[i]) }
            }
        }
        return out
    }

    /// The smallest and largest voxel values, or `nil` for an empty volume.
    public var range: (min: Voxel, max: Voxel)? {
        withUnsafeVoxels { v in
            guard var lo = v.first else { return nil }
            var hi = lo
            for value in v {
                if value < lo { lo = value }
                if value > hi { hi = value }
            }
            return (lo, hi)
        }
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
    }
}
