/// Voxel neighbourhoods for connected components.
public enum Connectivity: Int, Sendable, Codable {
    /// Face neighbours (6), scipy.ndimage's default structure.
    case faces6 = 6
    /// Face, edge and corner neighbours (26), `generate_binary_structure(3, 3)`.
    case full26 = 26

    /// The already-visited neighbours in (z, y, x) raster order, as (dz, dy, dx) offsets.
    var backwardOffsets: [(Int, Int, Int)] {
        switch self {
        case .faces6:
            return [(-1, 0, 0), (0, -1, 0), (0, 0, -1)]
        case .full26:
            var offsets: [(Int, Int, Int)] = []
            for dz in -1...0 {
                for dy in -1...1 {
                    for dx in -1...1 {
                        if dz == 0 && (dy > 0 || (dy == 0 && dx >= 0)) { continue }
                        offsets.append((dz, dy, dx))
                    }
                }
            }
            return offsets
        }
    }
}

/// One connected component of a label map.
public struct Component: Sendable, Codable, Equatable {
    /// 1-based identifier; components are numbered in raster order of their first voxel (as scipy.ndimage.label).
    public var id: Int
    /// The number of voxels.
    public var voxelCount: Int
    /// `voxelCount` × voxel volume, in mL.
    public var volumeML: Double
    /// The smallest (z, y, x) index of the component, inclusive.
    public var boundingBoxMin: VoxelIndex
    /// The largest (z, y, x) index of the component, inclusive.
    public var boundingBoxMax: VoxelIndex
    /// The mean voxel position, (z, y, x).
    public var centroidVoxel: VoxelPoint
    /// The centroid in world millimetres (through the volume's affine).
    public var centroidWorldMM: WorldPointMM
}

/// The result of labelling: a component index per voxel and the components' measurements.
public struct ComponentLabeling: Sendable {
    /// Per voxel, in (z, y, x) order: 0 outside every component, else the component's `id`.
    public var componentIDs: [Int32]
    /// The components, by `id` (`components[id - 1]`).
    public var components: [Component]
    /// The grid the labelling was computed on.
    public var geometry: VolumeGeometry

    /// The component with the most voxels (first by id on ties), or `nil` when there is none.
    public var largest: Component? {
        components.max { $0.voxelCount < $1.voxelCount || ($0.voxelCount == $1.voxelCount && $0.id > $1.id) }
    }
}

/// 3-D connected-component labelling by one raster scan with union-find, then one relabelling pass.
///
/// Numbering follows scipy.ndimage.label (raster order of each component's first voxel), so results can
/// be compared with it directly.
public enum ConnectedComponents {
    /// Labels the components of the voxels of `labels` equal to `label` (any non-zero value when `nil`).
    ///
    /// - Parameters:
    ///   - labels: a label map (or any UInt8 mask).
    ///   - label: the value that makes a voxel foreground; `nil` for every non-zero voxel.
    ///   - connectivity: 6 (faces) or 26 (faces, edges, corners).
    /// - Returns: per-voxel component ids and per-component count, volume, bounding box and centroids.
    public static func label(_ labels: LabelMap, value label: UInt8? = nil,
                             connectivity: Connectivity = .full26) -> ComponentLabeling {
        let shape = labels.shape
        let count = shape.count
        var ids = [Int32](repeating: 0, count: count)
        var parent: [Int32] = [0]  // parent[0] unused: 0 means background
        let offsets = connectivity.backwardOffsets
        let nx = shape.x, ny = shape.y, nz = shape.z
        let strideZ = nx * ny

        labels.withUnsafeVoxels { voxels in
            ids.withUnsafeMutableBufferPointer { idBuffer in
                @inline(__always) func isForeground(_ v: UInt8) -> Bool {
                    if let label { return v == label }
                    return v != 0
                }
                @inline(__always) func find(_ start: Int32) -> Int32 {
                    var root = start
                    while parent[Int(root)] != root { root = parent[Int(root)] }
                    var node = start
                    while parent[Int(node)] != root {
                        let next = parent[Int(node)]
                        parent[Int(node)] = root
                        node = next
                    }
                    return root
                }
                for z in 0..<nz {
                    for y in 0..<ny {
                        let row = z * strideZ + y * nx
                        for x in 0..<nx {
                            let offset = row + x
                            guard isForeground(voxels[offset]) else { continue }
                            var current: Int32 = 0
                            for (dz, dy, dx) in offsets {
                                let zz = z + dz, yy = y + dy, xx = x + dx
                                guard zz >= 0, yy >= 0, yy < ny, xx >= 0, xx < nx else { continue }
                                let neighbour = idBuffer[offset + dz * strideZ + dy * nx + dx]
                                guard neighbour != 0 else { continue }
                                if current == 0 {
                                    current = find(neighbour)
                                } else {
                                    let a = find(current), b = find(neighbour)
                                    if a != b {
                                        // Keep the smaller (earlier) root so numbering stays in raster order.
                                        if a < b { parent[Int(b)] = a } else { parent[Int(a)] = b; current = b }
                                    }
                                }
                            }
                            if current == 0 {
                                current = Int32(parent.count)
                                parent.append(current)
                            }
                            idBuffer[offset] = current
                        }
                    }
                }
            }
        }

        // Final ids: roots in increasing provisional order = raster order of first voxels.
        var final = [Int32](repeating: 0, count: parent.count)
        var next: Int32 = 0
        for provisional in 1..<max(1, parent.count) {
            var root = Int32(provisional)
            while parent[Int(root)] != root { root = parent[Int(root)] }
            if root == Int32(provisional) {
                next += 1
                final[provisional] = next
            } else {
                final[provisional] = final[Int(root)]
            }
        }
        let componentCount = Int(next)
        var voxelCounts = [Int](repeating: 0, count: componentCount + 1)
        var sums = [(z: Double, y: Double, x: Double)](repeating: (0, 0, 0), count: componentCount + 1)
        var lows = [VoxelIndex](repeating: VoxelIndex(z: .max, y: .max, x: .max), count: componentCount + 1)
        var highs = [VoxelIndex](repeating: VoxelIndex(z: .min, y: .min, x: .min), count: componentCount + 1)
        ids.withUnsafeMutableBufferPointer { idBuffer in
            for z in 0..<nz {
                for y in 0..<ny {
                    let row = z * strideZ + y * nx
                    for x in 0..<nx where idBuffer[row + x] != 0 {
                        let id = final[Int(idBuffer[row + x])]
                        idBuffer[row + x] = id
                        let c = Int(id)
                        voxelCounts[c] += 1
                        sums[c].z += Double(z)
                        sums[c].y += Double(y)
                        sums[c].x += Double(x)
                        lows[c] = VoxelIndex(z: min(lows[c].z, z), y: min(lows[c].y, y), x: min(lows[c].x, x))
                        highs[c] = VoxelIndex(z: max(highs[c].z, z), y: max(highs[c].y, y), x: max(highs[c].x, x))
                    }
                }
            }
        }
        let voxelML = labels.spacingMM.voxelVolumeML
        let components = (0..<componentCount).map { index -> Component in
            let c = index + 1
            let n = Double(voxelCounts[c])
            let centroid = VoxelPoint(z: sums[c].z / n, y: sums[c].y / n, x: sums[c].x / n)
            return Component(
                id: c, voxelCount: voxelCounts[c], volumeML: n * voxelML,
                boundingBoxMin: lows[c], boundingBoxMax: highs[c], centroidVoxel: centroid,
                centroidWorldMM: labels.geometry.world(ofVoxel: centroid))
        }
        return ComponentLabeling(componentIDs: ids, components: components, geometry: labels.geometry)
    }
}
