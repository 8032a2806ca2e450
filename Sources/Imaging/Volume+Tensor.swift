import Foundation
import Torch

extension VoxelType {
    /// The tensor element type with the same layout.
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .int16: .int16
        case .uint8: .uint8
        }
    }
}

extension Volume {
    /// The voxels as a (z, y, x) tensor that shares this volume's memory (no copy).
    ///
    /// The tensor keeps the storage alive. It aliases the volume: treat it as read-only (call `clone()` before
    /// writing), since the volume's copy-on-write cannot see writes made through libtorch.
    public func tensor() throws -> Tensor {
        try Tensor(borrowing: UnsafeMutableRawPointer(buffer.baseAddress), shape: shape.array,
                   dtype: Voxel.voxelType.dtype, owner: buffer)
    }

    /// A volume holding a copy of a tensor's values on `geometry`'s grid.
    ///
    /// - Parameters:
    ///   - tensor: any tensor with `geometry.shape.count` elements (e.g. (z, y, x) or (1, 1, z, y, x)); converted
    ///     to `Voxel`'s dtype if needed (values are truncated towards zero for integer voxels, as libtorch does).
    /// - Throws: `ImagingError.voxelCountMismatch` when the element count differs.
    public init(tensor: Tensor, geometry: VolumeGeometry) throws {
        guard tensor.count == geometry.shape.count else {
            throw ImagingError.voxelCountMismatch(expected: geometry.shape.count, actual: tensor.count)
        }
        let source = tensor.dtype == Voxel.voxelType.dtype ? tensor : try tensor.to(Voxel.voxelType.dtype)
        let buffer = try source.withUnsafeRawBytes { raw in
            VoxelBuffer<Voxel>(copying: raw.bindMemory(to: Voxel.self))
        }
        try self.init(geometry: geometry, buffer: buffer)
    }
}
