import Foundation
import Imaging
import NN

/// What to do with the predicted mask before it is returned.
public enum PostProcessing: String, Codable, Sendable, CaseIterable {
    /// Every predicted component is kept (nnU-Net's default).
    case keepAll
    /// Only the connected ICH ∪ PHE region holding the largest ICH component is kept (26-connectivity).
    case largestICH
}

extension PostProcessing {
    /// Keeps the ICH ∪ PHE component that holds the largest ICH component.
    public func apply(to labels: LabelMap) -> LabelMap {
        guard self == .largestICH else { return labels }
        let ich = ConnectedComponents.label(labels, value: LesionLabel.ich.rawValue)
        guard let largest = ich.largest, let seedIndex = ich.componentIDs.firstIndex(of: Int32(largest.id)) else { return labels }
        let lesion = ConnectedComponents.label(labels)
        let keep = lesion.componentIDs[seedIndex]
        var out = labels
        out.withUnsafeMutableVoxels { v in
            for i in 0..<v.count where lesion.componentIDs[i] != keep { v[i] = 0 }
        }
        return out
    }
}

/// Options of `SlidingWindowPredictor`; defaults are nnU-Net v2's `nnUNetPredictor` unless noted.
public struct PredictionConfiguration: Sendable, Equatable {
    /// Tile step as a fraction of the patch: 0.5.
    public var stepFraction = 0.5
    /// Average the logits of all 8 axis flips: on (nnU-Net `use_mirroring`).
    public var mirroring = true
    /// NeoICH: skip tiles with no voxel above `airThresholdHU` (outside the head); they predict background.
    public var skipAirTiles = true
    /// Voxels at or below this are air.
    public var airThresholdHU = -500.0
    public var postProcessing = PostProcessing.keepAll
    /// How the network runs: by default its compiled oneDNN graph (libtorch for networks that cannot be compiled),
    /// with the 8 mirrored copies of a tile as one batch.
    public var engine = InferenceEngine.automatic
    /// NeoICH: where the network, the tiles and the accumulators live; the network is moved there.
    public var device = Device.cpu
    /// NeoICH: fp16/bf16 run the network under autocast (CUDA only); the accumulators stay float32.
    public var precision = Precision.fp32

    public init(mirroring: Bool = true, skipAirTiles: Bool = true, postProcessing: PostProcessing = .keepAll,
                device: Device = .cpu, precision: Precision = .fp32) {
        self.mirroring = mirroring
        self.skipAirTiles = skipAirTiles
        self.postProcessing = postProcessing
        self.device = device
        self.precision = precision
    }
}

/// nnU-Net's sliding-window inference on one CT: normalise, resample to the plans' spacing, pad to at least
/// one patch, run overlapping tiles (step 0.5) weighted by a Gaussian (σ = patch/8, peak 10), optionally
/// mirrored, resample the logits back to the scan's grid (trilinear), argmax. The scan is seen in the plans'
/// training orientation (`SegmentationPlans.trainingOrientation`) whatever its storage order; the mask is
/// returned on the input's grid with its geometry, so it opens aligned with the scan.
public struct SlidingWindowPredictor {
    public let network: any SegmentationNetwork
    public let plans: SegmentationPlans
    public var configuration: PredictionConfiguration

    public init(network: any SegmentationNetwork, plans: SegmentationPlans, configuration: PredictionConfiguration = .init()) {
        self.network = network
        self.plans = plans
        self.configuration = configuration
    }

    /// Tiles run and skipped by the last call (for reports and benchmarks).
    public struct TileCounts: Sendable, Equatable {
        public var run: Int
        public var skipped: Int
    }

    /// The label map (0 background, 1 ICH, 2 PHE) on `ct`'s grid.
    ///
    /// - Throws: `ImagingError.invalidSpacing` for a zero, negative or non-finite spacing.
    public func predict(_ ct: Volume<Float>, id: String = "CT") throws -> LabelMap {
        try predictWithCounts(ct, id: id).labels
    }

    /// The label map and how many tiles ran.
    ///
    /// The scan is first reoriented (axis permutation and flips, no interpolation) to the plans' training
    /// orientation, so that the storage order of a file does not change the result; the labels are mapped
    /// back onto `ct`'s own grid voxel for voxel.
    ///
    /// - Throws: `ImagingError.invalidSpacing` for a zero, negative or non-finite spacing,
    ///   `.invalidArgument` for a degenerate affine.
    public func predictWithCounts(_ ct: Volume<Float>, id: String = "CT") throws -> (labels: LabelMap, tiles: TileCounts) {
        try configuration.precision.validate(for: configuration.device)
        try network.move(to: configuration.device)
        let reorientation = try Reorientation(from: ct.geometry, to: plans.trainingOrientation)
        let (labels, counts) = try predictInTrainingOrientation(reorientation.apply(ct), id: id)
        return (reorientation.inverse(labels), counts)
    }

    /// The label map of a scan already in the training orientation, and how many tiles ran.
    private func predictInTrainingOrientation(_ ct: Volume<Float>, id: String) throws -> (labels: LabelMap, tiles: TileCounts) {
        let item = try PreprocessedCase(id: id, image: ct, labels: nil, plans: plans)
        var head: Tensor?
        if configuration.skipAirTiles {
            let mask = ct.map { Float($0 > Float(configuration.airThresholdHU) ? 1 : 0) }
            head = try Resampler.resample(mask, onto: item.geometry, method: .nearest).tensor()
        }
        let (logits, counts) = try GradMode.withoutGrad { try slidingWindowLogits(item.image, head: head) }
        let original = ct.shape.array
        let resized = logits.shape.dropFirst(2).elementsEqual(original)
            ? logits : try logits.interpolated(size: original, mode: .linear)
        var labels = try LabelMap(tensor: resized.argmax(dim: 1).to(.uint8).to(device: .cpu), geometry: ct.geometry)
        labels = configuration.postProcessing.apply(to: labels)
        return (labels, counts)
    }

    /// Logits (1, C, z, y, x) of a normalised (1, z, y, x) image on its own grid.
    func slidingWindowLogits(_ image: Tensor, head: Tensor?) throws -> (Tensor, TileCounts) {
        let shape = Array(image.shape.dropFirst()), patch = plans.patchSize
        // Centred zero padding up to one patch (nnU-Net's pad_nd_image).
        let padBefore = (0..<3).map { Swift.max(patch[$0] - shape[$0], 0) / 2 }
        let padAfter = (0..<3).map { Swift.max(patch[$0] - shape[$0], 0) - padBefore[$0] }
        let fPad = [padBefore[2], padAfter[2], padBefore[1], padAfter[1], padBefore[0], padAfter[0]]
        let device = configuration.device
        let padded = try image.unsqueezed(0).padded(fPad, mode: .constant, value: 0).to(device: device)
        // The air mask stays on the CPU: its per-tile maximum decides on the host whether a tile runs.
        let paddedHead = try head.map { try $0.reshaped([1, 1] + shape).padded(fPad, mode: .constant, value: 0) }
        let size = Array(padded.shape.dropFirst(2))
        let classes = plans.classCount
        let accumulated = try Tensor.zeros([1, classes] + size, on: device)
        let weights = try Tensor.zeros([1, 1] + size, on: device)
        let gaussian = try Self.gaussianImportance(patch: patch).to(device: device)
        var counts = TileCounts(run: 0, skipped: 0)
        let steps = (0..<3).map { Self.steps(size: size[$0], tile: patch[$0], stepFraction: configuration.stepFraction) }
        for z in steps[0] {
            for y in steps[1] {
                for x in steps[2] {
                    let origin = [z, y, x]
                    if let paddedHead, try Self.window(paddedHead, origin, patch).max().item() <= 0 {
                        counts.skipped += 1
                        continue
                    }
                    let tile = try Self.window(padded, origin, patch).contiguous()
                    let prediction = try predictTile(tile).multiplying(gaussian)
                    try Self.window(accumulated, origin, patch).addInPlace(prediction)
                    try Self.window(weights, origin, patch).addInPlace(gaussian)
                    counts.run += 1
                }
            }
        }
        // Voxels no tile covered (skipped air) are background: logit 1 for class 0, 0 elsewhere.
        let uncovered = try weights.eq(0)
        let background = try Tensor([Float(1)] + [Float](repeating: 0, count: classes - 1), shape: [1, classes, 1, 1, 1])
            .to(device: device)
        var logits = try accumulated.dividing(weights.clamped(min: 1e-8))
        logits = try Tensor.where(uncovered, background, logits)
        var result = logits
        for axis in 0..<3 where padBefore[axis] + padAfter[axis] > 0 {
            result = try result.narrow(axis + 2, start: padBefore[axis], length: shape[axis])
        }
        return (try result.contiguous(), counts)
    }

    /// Logits of one tile, averaged over the 8 flips when mirroring (float32 whatever the precision).
    func predictTile(_ tile: Tensor) throws -> Tensor {
        let flips = [[2], [3], [4], [2, 3], [2, 4], [3, 4], [2, 3, 4]]
        guard configuration.mirroring else { return try logits(tile) }
        if case .fused = configuration.engine, configuration.device == .cpu {
            // One batch of the tile and its 7 flips: the weights are read once for all 8.
            let batch = try Tensor.cat([tile] + flips.map { try tile.flipped($0) }, dim: 0)
            let outputs = try logits(batch)
            var sum = try outputs.narrow(0, start: 0, length: 1)
            for (i, axes) in flips.enumerated() {
                sum = try sum.adding(outputs.narrow(0, start: i + 1, length: 1).flipped(axes))
            }
            return try sum.dividing(8)
        }
        var sum = try logits(tile)
        for axes in flips {
            sum = try sum.adding(logits(tile.flipped(axes)).flipped(axes))
        }
        return try sum.dividing(8)
    }

    /// The network's float32 logits of a batch, in the configured precision.
    func logits(_ input: Tensor) throws -> Tensor {
        try network.logits(input, engine: configuration.engine, precision: configuration.precision, on: configuration.device)
    }

    static func window(_ tensor: Tensor, _ origin: [Int], _ size: [Int]) throws -> Tensor {
        try tensor.narrow(2, start: origin[0], length: size[0]).narrow(3, start: origin[1], length: size[1])
            .narrow(4, start: origin[2], length: size[2])
    }

    /// nnU-Net's `compute_steps_for_sliding_window`: ⌈(size − tile) / (tile · step)⌉ + 1 evenly spread origins.
    static func steps(size: Int, tile: Int, stepFraction: Double) -> [Int] {
        guard size > tile else { return [0] }
        let count = Int((Double(size - tile) / (Double(tile) * stepFraction)).rounded(.up)) + 1
        let actual = Double(size - tile) / Double(count - 1)
        return (0..<count).map { Int((actual * Double($0)).rounded(.toNearestOrEven)) }
    }

    /// nnU-Net's `compute_gaussian`: a Gaussian centred on `patch / 2` with σ = patch / 8 per axis (truncated
    /// at 4σ as SciPy's `gaussian_filter`), scaled to peak 10, zeros replaced by the smallest non-zero value.
    /// Shape (1, 1, z, y, x).
    static func gaussianImportance(patch: [Int]) throws -> Tensor {
        var profiles: [[Double]] = []
        for n in patch {
            let sigma = Double(n) / 8, centre = n / 2
            let radius = Int(4 * sigma + 0.5)
            profiles.append((0..<n).map { i in
                abs(i - centre) > radius ? 0 : Foundation.exp(-Double((i - centre) * (i - centre)) / (2 * sigma * sigma))
            })
        }
        var values = [Float](repeating: 0, count: patch.reduce(1, *))
        var k = 0
        for a in profiles[0] { for b in profiles[1] { for c in profiles[2] { values[k] = Float(10 * a * b * c); k += 1 } } }
        let smallest = values.filter { $0 > 0 }.min() ?? 1
        for i in values.indices where values[i] == 0 { values[i] = smallest }
        return try Tensor(values, shape: [1, 1] + patch)
    }
}
