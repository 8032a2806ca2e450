/// Which hemorrhage each ICH and PHE voxel belongs to, when a scan holds several lesions.
///
/// Lesions are the 26-connected components of ICH (label 1). Each PHE voxel (label 2) goes to the lesion
/// whose hemorrhage it is connected to through edema by the shortest path: a breadth-first propagation
/// from all ICH voxels at once, stepping only through PHE voxels (26-neighbourhood, one step per voxel,
/// so distance is counted in voxels). Edema around two hematomas is therefore split along the line
/// halfway between them; ties go to the lesion reached first (lower id). PHE not connected to any ICH
/// through edema (an island) belongs to no lesion and is reported as `unassignedPHEVoxels`.
///
/// This is NeoICH's rule, not the paper's: 001_… §2.5 used one crop of the largest lesion and kept all
/// ICH∪PHE voxels inside it.
public struct LesionAssignment: Sendable {
    /// The ICH components (lesions), numbered as `ConnectedComponents.label` numbers them.
    public var lesions: ComponentLabeling
    /// Per voxel, (z, y, x) order: the lesion id of every ICH voxel and of every assigned PHE voxel, else 0.
    public var owner: [Int32]
    /// PHE voxel count per lesion (`phe[id - 1]`).
    public var pheVoxelCounts: [Int]
    /// PHE voxels that reach no ICH through edema.
    public var unassignedPHEVoxels: Int

    /// Computes lesions and assigns edema.
    ///
    /// - Parameters:
    ///   - labels: a label map with 0 background, 1 ICH, 2 PHE.
    ///   - connectivity: neighbourhood for ICH components (26 by default; propagation always uses 26).
    public init(labels: LabelMap, connectivity: Connectivity = .full26) {
        lesions = ConnectedComponents.label(labels, value: LesionLabel.ich.rawValue, connectivity: connectivity)
        let shape = labels.shape
        var owner = lesions.componentIDs
        var queue: [Int32] = []
        queue.reserveCapacity(owner.count / 8)
        for (offset, id) in owner.enumerated() where id != 0 { queue.append(Int32(offset)) }
        var pheCounts = [Int](repeating: 0, count: lesions.components.count)
        let nx = shape.x, ny = shape.y, nz = shape.z
        let phe = LesionLabel.phe.rawValue
        labels.withUnsafeVoxels { voxels in
            var head = 0
            while head < queue.count {
                let offset = Int(queue[head])
                head += 1
                let id = owner[offset]
                let z = offset / (nx * ny), y = (offset / nx) % ny, x = offset % nx
                for dz in -1...1 {
                    let zz = z + dz
                    guard zz >= 0 && zz < nz else { continue }
                    for dy in -1...1 {
                        let yy = y + dy
                        guard yy >= 0 && yy < ny else { continue }
                        for dx in -1...1 {
                            let xx = x + dx
                            guard xx >= 0 && xx < nx else { continue }
                            let neighbour = (zz * ny + yy) * nx + xx
                            guard voxels[neighbour] == phe && owner[neighbour] == 0 else { continue }
                            owner[neighbour] = id
                            pheCounts[Int(id) - 1] += 1
                            queue.append(Int32(neighbour))
                        }
                    }
                }
            }
        }
        let totalPHE = labels.withUnsafeVoxels { v in v.reduce(0) { $0 + ($1 == phe ? 1 : 0) } }
        self.owner = owner
        pheVoxelCounts = pheCounts
        unassignedPHEVoxels = totalPHE - pheCounts.reduce(0, +)
    }
}
