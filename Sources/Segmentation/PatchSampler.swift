import Stats
import Torch

/// nnU-Net's training batches: random patches, the last third of each batch forced to contain foreground
/// (`oversample_foreground_percent` 0.33: sample j is forced when j ≥ round(N · (1 − 0.33))), centred on a
/// random voxel of a random foreground class present in the case; padded with 0 (image) and background
/// where a patch extends past the volume.
struct PatchSampler {
    let cases: [PreprocessedCase]
    let patchSize: [Int]
    let foregroundFraction: Double

    /// A batch of `size`; with `part`, only those samples of it are cut out (one rank's part of a global batch in
    /// data-parallel training), after drawing every sample's random numbers so that all ranks stay in step.
    func batch(size: Int, random: inout SplitMix64, part: Range<Int>? = nil) throws -> (images: Tensor, labels: Tensor) {
        var images: [Tensor] = [], labels: [Tensor] = []
        let randomCount = Int((Double(size) * (1 - foregroundFraction)).rounded(.toNearestOrEven))
        for j in 0..<size {
            let item = cases[random.below(cases.count)]
            let lower = window(in: item, forceForeground: j >= randomCount, random: &random)
            guard part?.contains(j) ?? true else { continue }
            let (image, label) = try cut(item, lower: lower)
            images.append(image)
            labels.append(label)
        }
        return (try Tensor.stack(images, dim: 0), try Tensor.stack(labels, dim: 0))
    }

    /// One (1, z, y, x) image patch and (z, y, x) label patch.
    func patch(from item: PreprocessedCase, forceForeground: Bool, random: inout SplitMix64) throws -> (Tensor, Tensor) {
        try cut(item, lower: window(in: item, forceForeground: forceForeground, random: &random))
    }

    /// The lower corner of a patch (draws the random numbers of one sample).
    func window(in item: PreprocessedCase, forceForeground: Bool, random: inout SplitMix64) -> [Int] {
        let shape = item.geometry.shape.array
        var lower = [Int](repeating: 0, count: 3)
        let classes = item.classLocations.indices.filter { $0 > 0 && !item.classLocations[$0].isEmpty }
        if forceForeground, !classes.isEmpty {
            let locations = item.classLocations[classes[random.below(classes.count)]]
            var offset = locations[random.below(locations.count)]
            var voxel = [0, 0, 0]
            voxel[2] = offset % shape[2]; offset /= shape[2]
            voxel[1] = offset % shape[1]; voxel[0] = offset / shape[1]
            for axis in 0..<3 {
                lower[axis] = Swift.min(Swift.max(voxel[axis] - patchSize[axis] / 2, Swift.min(0, shape[axis] - patchSize[axis])),
                                        Swift.max(0, shape[axis] - patchSize[axis]))
            }
        } else {
            for axis in 0..<3 { lower[axis] = random.below(Swift.max(0, shape[axis] - patchSize[axis]) + 1) }
        }
        return lower
    }

    /// The image and label patches at `lower`.
    func cut(_ item: PreprocessedCase, lower: [Int]) throws -> (Tensor, Tensor) {
        guard let labels = item.labels else {
            throw SegmentationError.invalidInput(file: item.id, detail: "training case has no labels")
        }
        return (try Self.crop(item.image, lower: lower, size: patchSize, leading: 1),
                try Self.crop(labels, lower: lower, size: patchSize, leading: 0))
    }

    /// The window `lower ..< lower + size` of the last three axes, zero-padded where it leaves the tensor.
    static func crop(_ tensor: Tensor, lower: [Int], size: [Int], leading: Int) throws -> Tensor {
        var x = tensor
        var padding: [Int] = []
        for axis in (0..<3).reversed() {
            let dim = leading + axis, n = tensor.shape[dim]
            let start = Swift.max(lower[axis], 0), end = Swift.min(lower[axis] + size[axis], n)
            x = try x.narrow(dim, start: start, length: Swift.max(end - start, 0))
            padding += [start - lower[axis], lower[axis] + size[axis] - end]
        }
        if padding.contains(where: { $0 != 0 }) { x = try x.padded(padding, mode: .constant, value: 0) }
        return try x.contiguous()
    }
}
