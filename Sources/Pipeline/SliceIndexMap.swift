import Imaging

/// Turns slice indices of the grid the classifier saw into slice indices of the input's own grid (its z
/// axis, the stored slices a viewer pages through), so that `report.json` indexes the scan as stored.
///
/// A lesion's slice range is taken from its voxels, so it is exact for any storage. An ABC/2 slice is an
/// axial slice: it maps onto the input when the input's slices are axial too (either order); for a scan
/// stored sagittally or coronally there is no such slice and the index stays that of the axial grid.
struct SliceIndexMap {
    let reorientation: Reorientation

    init(_ reorientation: Reorientation) {
        self.reorientation = reorientation
    }

    /// `abc` with its slice on the input's z axis when the input is stored axially.
    func onInput(_ abc: ABCOver2?) -> ABCOver2? {
        guard var abc, reorientation.sourceAxis[2] == 2 else { return abc }
        if reorientation.flipped[2] { abc.slice = reorientation.source.shape.z - 1 - abc.slice }
        return abc
    }

    /// First and last input slice holding each component's voxels, keyed by component id.
    func inputSliceRanges(of components: ComponentLabeling) -> [Int: [Int]] {
        var ranges: [Int: [Int]] = [:]
        let shape = reorientation.target.shape
        var offset = 0
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    defer { offset += 1 }
                    let id = Int(components.componentIDs[offset])
                    guard id > 0 else { continue }
                    let slice = reorientation.sourceIndex(ofTarget: VoxelIndex(z: z, y: y, x: x)).z
                    let range = ranges[id] ?? [slice, slice]
                    ranges[id] = [min(range[0], slice), max(range[1], slice)]
                }
            }
        }
        return ranges
    }
}
