import Foundation
import Imaging
import NN

/// What `NNUNetEnsemblePredictor` returns for one scan.
public struct NNUNetPrediction {
    /// NeoICH labels (0, 1 ICH, 2 PHE) on the scan's grid.
    public var labels: LabelMap
    /// Softmax probabilities (channels in the model's label order, z, y, x) on the scan's grid.
    public var probabilities: Tensor
    /// Tiles run per fold.
    public var tiles: Int
}

/// `nnUNetPredictor` on one scan, as nnU-Net v2 does it: the voxel array as stored (nnU-Net never reorients),
/// `transpose_forward`, crop to the non-zero bounding box, CTNormalization, resampling to the configuration's
/// spacing (`NNUNetResampler`), sliding window (step 0.5, Gaussian σ = patch/8) with test-time mirroring over the
/// checkpoint's allowed axes, the folds' logits averaged, logits resampled back, softmax, argmax, crop and
/// transpose reverted.
///
/// nnU-Net accumulates tile logits in float16; so does this predictor by default (`halfPrecision`).
public struct NNUNetEnsemblePredictor {
    public let model: NNUNetResultsFolder
    /// nnU-Net's `tile_step_size`: 0.5.
    public var stepFraction: Double
    /// nnU-Net's `use_mirroring`: on.
    public var mirroring: Bool
    /// How the networks run: their compiled oneDNN graphs by default (libtorch for networks that cannot be compiled).
    public var engine = InferenceEngine.automatic
    /// Round the tile accumulators, the fold mean and the resampled logits to float16 as nnU-Net v2 does (its
    /// `predicted_logits` and `n_predictions` are float16 tensors): on, so that probabilities match nnU-Net's.
    public var halfPrecision: Bool
    /// Where the folds' networks, the tiles and the accumulators live; the networks are moved there.
    public var device: Device
    /// fp16/bf16 run the networks under autocast (CUDA only, as nnU-Net does on a GPU); fp32 by default.
    public var precision: Precision

    public init(model: NNUNetResultsFolder, mirroring: Bool = true, stepFraction: Double = 0.5, halfPrecision: Bool = true,
                device: Device = .cpu, precision: Precision = .fp32) {
        self.model = model
        self.mirroring = mirroring
        self.stepFraction = stepFraction
        self.halfPrecision = halfPrecision
        self.device = device
        self.precision = precision
    }

    /// Segments one scan.
    ///
    /// - Parameter progress: called after each tile with (tiles done, tiles in all).
    /// - Throws: `ImagingError.invalidSpacing` for a zero, negative or non-finite spacing, `TorchError` from the
    ///   networks.
    public func predict(_ ct: Volume<Float>, id: String = "CT", progress: (Int, Int) -> Void = { _, _ in }) throws -> NNUNetPrediction {
        for (axis, value) in zip(["z", "y", "x"], ct.spacingMM.array) where !(value.isFinite && value > 0) {
            throw ImagingError.invalidSpacing(file: id, axis: axis, value: value)
        }
        let plans = model.plans
        let forward = plans.transposeForward
        let backward = (0..<3).map { axis in forward.firstIndex(of: axis) ?? axis }
        let spacing = forward.map { ct.spacingMM.array[$0] }
        var image = try ct.tensor().reshaped(ct.shape.array).permuted(forward).contiguous()
        let fullShape = Array(image.shape)

        // crop_to_nonzero: the bounding box of voxels ≠ 0.
        let box = try Self.nonzeroBox(image)
        for axis in 0..<3 { image = try image.narrow(axis, start: box[axis].lowerBound, length: box[axis].count) }
        image = try plans.normalization.apply(image.contiguous())
        let croppedShape = Array(image.shape)
        let newShape = (0..<3).map { Int((spacing[$0] / plans.spacingMM[$0] * Double(croppedShape[$0])).rounded(.toNearestOrEven)) }
        var values = try image.scalars(as: Float.self)
        values = NNUNetResampler.resample(values, channels: 1, shape: croppedShape, to: newShape, resampling: plans.dataResampling,
                                          currentSpacing: spacing, newSpacing: plans.spacingMM)
        let resampled = try Tensor(values, shape: [1, 1] + newShape)

        try precision.validate(for: device)
        for network in model.networks { try network.move(to: device) }
        let (logits, tiles) = try GradMode.withoutGrad { try slidingWindowLogits(resampled, progress: progress) }
        let classes = model.labelNames.count
        var logitValues = try logits.scalars(as: Float.self)
        if newShape != croppedShape {
            logitValues = NNUNetResampler.resample(logitValues, channels: classes, shape: newShape, to: croppedShape,
                                                   resampling: plans.probabilityResampling, currentSpacing: plans.spacingMM,
                                                   newSpacing: spacing)
            // nnU-Net's resampling writes into an array of the logits' dtype (float16).
            if halfPrecision { logitValues = try half(Tensor(logitValues, shape: [logitValues.count])).scalars(as: Float.self) }
        }
        let probabilities = try Tensor(logitValues, shape: [classes] + croppedShape).softmax(dim: 0)
        let indices = try probabilities.argmax(dim: 0)

        // Revert the crop (background probability 1 outside the box), then the transposition.
        var padding: [Int] = []
        for axis in [2, 1, 0] { padding += [box[axis].lowerBound, fullShape[axis] - box[axis].upperBound] }
        let background = try probabilities.narrow(0, start: 0, length: 1).padded(padding, mode: .constant, value: 1)
        var full = background
        if classes > 1 {
            full = try Tensor.cat([background, probabilities.narrow(0, start: 1, length: classes - 1).padded(padding, mode: .constant, value: 0)], dim: 0)
        }
        full = try full.permuted([0] + backward.map { $0 + 1 }).contiguous()
        let labelIndices = try indices.to(.float32).unsqueezed(0).padded(padding, mode: .constant, value: 0).squeezed(0)
            .permuted(backward).contiguous().scalars(as: Float.self)
        let lookup = model.neoICHLabels
        let labels = try LabelMap(geometry: ct.geometry, voxels: labelIndices.map { lookup[Int($0)] })
        return NNUNetPrediction(labels: labels, probabilities: full, tiles: tiles)
    }

    /// The half-open index ranges per axis holding every voxel ≠ 0 (the whole array when there is none).
    static func nonzeroBox(_ image: Tensor) throws -> [Range<Int>] {
        let shape = Array(image.shape)
        let mask = try image.ne(0)
        var box: [Range<Int>] = []
        for axis in 0..<3 {
            let others = (0..<3).filter { $0 != axis }
            let profile = try mask.to(.float32).max(dims: others).scalars(as: Float.self)
            guard let first = profile.firstIndex(where: { $0 > 0 }), let last = profile.lastIndex(where: { $0 > 0 }) else {
                return shape.map { 0..<$0 }
            }
            box.append(first..<(last + 1))
        }
        return box
    }

    /// Fold-averaged logits (1, C, z, y, x) of a normalised (1, 1, z, y, x) image, and the tiles run.
    ///
    /// Each fold is accumulated on its own, as nnU-Net runs one fold after the other, so that the float16
    /// rounding (`halfPrecision`) happens at the same steps as in nnU-Net.
    func slidingWindowLogits(_ image: Tensor, progress: (Int, Int) -> Void) throws -> (Tensor, Int) {
        let shape = Array(image.shape.dropFirst(2)), patch = model.plans.patchSize
        let padBefore = (0..<3).map { Swift.max(patch[$0] - shape[$0], 0) / 2 }
        let padAfter = (0..<3).map { Swift.max(patch[$0] - shape[$0], 0) - padBefore[$0] }
        let padded = try image.padded([padBefore[2], padAfter[2], padBefore[1], padAfter[1], padBefore[0], padAfter[0]],
                                      mode: .constant, value: 0).to(device: device)
        let size = Array(padded.shape.dropFirst(2))
        let classes = model.labelNames.count
        let accumulated = try model.networks.map { _ in try Tensor.zeros([1, classes] + size, on: device) }
        let weights = try Tensor.zeros([1, 1] + size, on: device)
        var gaussian = try SlidingWindowPredictor.gaussianImportance(patch: patch)
        if halfPrecision {
            // nnU-Net's compute_gaussian casts to float16 and then replaces zeros by the smallest non-zero value.
            let rounded = try half(gaussian)
            let smallest = try Tensor.where(rounded.eq(0), Tensor.full(rounded.shape, 1e4), rounded).min().item()
            gaussian = try Tensor.where(rounded.eq(0), Tensor.full(rounded.shape, smallest), rounded)
        }
        gaussian = try gaussian.to(device: device)
        let steps = (0..<3).map { SlidingWindowPredictor.steps(size: size[$0], tile: patch[$0], stepFraction: stepFraction) }
        let total = steps.map(\.count).reduce(1, *)
        var done = 0
        for z in steps[0] {
            for y in steps[1] {
                for x in steps[2] {
                    let origin = [z, y, x]
                    let tile = try SlidingWindowPredictor.window(padded, origin, patch).contiguous()
                    for (network, sum) in zip(model.networks, accumulated) {
                        let target = try SlidingWindowPredictor.window(sum, origin, patch)
                        let updated = try target.adding(mirrored(network, tile).multiplying(gaussian))
                        try target.copy(from: halfPrecision ? half(updated) : updated)
                    }
                    let target = try SlidingWindowPredictor.window(weights, origin, patch)
                    let updated = try target.adding(gaussian)
                    try target.copy(from: halfPrecision ? half(updated) : updated)
                    done += 1
                    progress(done, total)
                }
            }
        }
        var result: Tensor?
        for sum in accumulated {
            var logits = try sum.dividing(weights)
            if halfPrecision { logits = try half(logits) }
            result = try result.map { halfPrecision ? try half($0.adding(logits)) : try $0.adding(logits) } ?? logits
        }
        guard var mean = result else { throw SegmentationError.invalidConfiguration(detail: "no fold to predict with") }
        if accumulated.count > 1 {
            mean = try mean.dividing(Double(accumulated.count))
            if halfPrecision { mean = try half(mean) }
        }
        for axis in 0..<3 where padBefore[axis] + padAfter[axis] > 0 {
            mean = try mean.narrow(axis + 2, start: padBefore[axis], length: shape[axis])
        }
        return (try mean.to(device: .cpu).contiguous(), total)
    }

    /// Values rounded to float16 (kept as float32).
    func half(_ tensor: Tensor) throws -> Tensor { try tensor.to(.float16).to(.float32) }

    /// nnU-Net's `_internal_maybe_mirror_and_predict`: the mean over the tile and every combination of flips of
    /// the allowed axes.
    func mirrored(_ network: any SegmentationNetwork, _ tile: Tensor) throws -> Tensor {
        func logits(_ input: Tensor) throws -> Tensor {
            try network.logits(input, engine: engine, precision: precision, on: device)
        }
        var sum = try logits(tile)
        guard mirroring, let axes = model.mirroringAxes, !axes.isEmpty else { return sum }
        let dims = axes.map { $0 + 2 }
        var combinations: [[Int]] = []
        for count in 1...dims.count { combinations += Self.combinations(dims, count) }
        for flip in combinations {
            sum = try sum.adding(logits(tile.flipped(flip)).flipped(flip))
        }
        return try sum.dividing(Double(combinations.count + 1))
    }

    /// `itertools.combinations(items, count)`, in its order.
    static func combinations(_ items: [Int], _ count: Int) -> [[Int]] {
        guard count > 0 else { return [[]] }
        guard items.count >= count else { return [] }
        var result: [[Int]] = []
        for (i, first) in items.enumerated() {
            for rest in combinations(Array(items[(i + 1)...]), count - 1) { result.append([first] + rest) }
        }
        return result
    }
}
