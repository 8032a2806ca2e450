import Foundation
import Random
import Torch

/// nnU-Net's training augmentations (batchgenerators defaults, REFERENCES §5) on libtorch tensors.
///
/// Applied per sample in nnU-Net's order: rotation/scaling (one `affine_grid` + `grid_sample`, bilinear on
/// the image, nearest on labels, zero padding), Gaussian noise, Gaussian blur, multiplicative brightness,
/// contrast, simulated low resolution, inverted gamma, gamma, mirroring. Differences from batchgenerators:
/// the spatial transform works on the patch itself (nnU-Net samples a larger patch and crops), low
/// resolution upsamples trilinearly (nnU-Net: cubic), and blur uses one σ for all blurred axes.
public struct Augmentation: Codable, Sendable, Equatable {
    public var rotationProbability = 0.2
    /// ±30° about every axis; ±180° in-plane only when the patch is flat (`anisotropic`).
    public var rotationDegrees = 30.0
    public var inPlaneRotationDegrees = 180.0
    public var scalingProbability = 0.2
    public var scalingRange = [0.7, 1.4]
    public var noiseProbability = 0.1
    /// Variance of the Gaussian noise, normalised units.
    public var noiseVarianceRange = [0.0, 0.1]
    public var blurProbability = 0.2
    public var blurSigmaRange = [0.5, 1.0]
    public var brightnessProbability = 0.15
    public var brightnessRange = [0.75, 1.25]
    public var contrastProbability = 0.15
    public var contrastRange = [0.75, 1.25]
    public var lowResolutionProbability = 0.25
    public var lowResolutionZoomRange = [0.5, 1.0]
    public var invertedGammaProbability = 0.1
    public var gammaProbability = 0.3
    public var gammaRange = [0.7, 1.5]
    public var mirrorProbability = 0.5

    /// nnU-Net v2's defaults.
    public init() {}

    /// No augmentation at all.
    public static var none: Augmentation {
        var a = Augmentation()
        a.rotationProbability = 0; a.scalingProbability = 0; a.noiseProbability = 0; a.blurProbability = 0
        a.brightnessProbability = 0; a.contrastProbability = 0; a.lowResolutionProbability = 0
        a.invertedGammaProbability = 0; a.gammaProbability = 0; a.mirrorProbability = 0
        return a
    }

    /// Augments images that have no label map (the classifier's masked lesion crops, 001_… §2.7).
    public func apply(images: Tensor, anisotropic: Bool, random: inout SplitMix64, generator: Generator) throws -> Tensor {
        let shape = images.shape
        let unlabelled = try Tensor.zeros([shape[0]] + Array(shape.dropFirst(2)), dtype: .int64)
        return try apply(images: images, labels: unlabelled, anisotropic: anisotropic, random: &random, generator: generator).images
    }

    /// Augments a batch.
    ///
    /// - Parameters:
    ///   - images: (N, 1, z, y, x) float32.
    ///   - labels: (N, z, y, x) int64.
    ///   - anisotropic: in-plane rotation and in-plane blur / low resolution only (nnU-Net's dummy-2D rule).
    ///   - random: decisions and parameters; `generator` draws the noise.
    public func apply(images: Tensor, labels: Tensor, anisotropic: Bool, random: inout SplitMix64,
               generator: Generator) throws -> (images: Tensor, labels: Tensor) {
        var outImages: [Tensor] = [], outLabels: [Tensor] = []
        for n in 0..<images.shape[0] {
            var x = try images.narrow(0, start: n, length: 1)
            var y = try labels.narrow(0, start: n, length: 1).to(.float32).unsqueezed(1)
            (x, y) = try spatial(x, y, anisotropic: anisotropic, random: &random)
            x = try intensity(x, anisotropic: anisotropic, random: &random, generator: generator)
            for axis in 2...4 where random.chance(mirrorProbability) {
                x = try x.flipped([axis])
                y = try y.flipped([axis])
            }
            outImages.append(x)
            outLabels.append(try y.squeezed(1).to(.int64))
        }
        return (try Tensor.cat(outImages, dim: 0), try Tensor.cat(outLabels, dim: 0))
    }

    private func spatial(_ x: Tensor, _ y: Tensor, anisotropic: Bool, random: inout SplitMix64) throws -> (Tensor, Tensor) {
        let rotate = random.chance(rotationProbability), scale = random.chance(scalingProbability)
        guard rotate || scale else { return (x, y) }
        // Rotation R and scale s act on centred voxel coordinates in (x, y, z) order: p_in = s · R · p_out.
        var r: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        if rotate {
            if anisotropic {
                r = Self.rotation(axis: 2, radians: random.uniform(-inPlaneRotationDegrees, inPlaneRotationDegrees) * .pi / 180)
            } else {
                for axis in 0..<3 {
                    r = Self.multiply(Self.rotation(axis: axis, radians: random.uniform(-rotationDegrees, rotationDegrees) * .pi / 180), r)
                }
            }
        }
        let s = scale ? random.uniform(scalingRange[0], scalingRange[1]) : 1
        // affine_grid works in normalised coordinates u = v / (size / 2): θ = D⁻¹ · s·R · D.
        let sizes = [Double(x.shape[4]), Double(x.shape[3]), Double(x.shape[2])]
        var theta: [Float] = []
        for i in 0..<3 {
            for j in 0..<3 { theta.append(Float(s * r[i][j] * sizes[j] / sizes[i])) }
            theta.append(0)
        }
        let grid = try Tensor.affineGrid(theta: Tensor(theta, shape: [1, 3, 4]), size: x.shape)
        return (try x.gridSample(grid, mode: .bilinear, padding: .zeros),
                try y.gridSample(grid, mode: .nearest, padding: .zeros))
    }

    private func intensity(_ input: Tensor, anisotropic: Bool, random: inout SplitMix64, generator: Generator) throws -> Tensor {
        var x = input
        if random.chance(noiseProbability) {
            let variance = random.uniform(noiseVarianceRange[0], noiseVarianceRange[1])
            x = try x.adding(Tensor.randn(x.shape, generator: generator).multiplying(variance.squareRoot()))
        }
        if random.chance(blurProbability) {
            x = try Self.gaussianBlur(x, sigma: random.uniform(blurSigmaRange[0], blurSigmaRange[1]), axes: anisotropic ? [3, 4] : [2, 3, 4])
        }
        if random.chance(brightnessProbability) {
            x = try x.multiplying(random.uniform(brightnessRange[0], brightnessRange[1]))
        }
        if random.chance(contrastProbability) {
            let factor = random.uniform(contrastRange[0], contrastRange[1])
            let mean = try x.mean().item(), low = try x.min().item(), high = try x.max().item()
            x = try x.subtracting(mean).multiplying(factor).adding(mean).clamped(min: low, max: high)
        }
        if random.chance(lowResolutionProbability) {
            let zoom = random.uniform(lowResolutionZoomRange[0], lowResolutionZoomRange[1])
            let size = Array(x.shape[2...])
            let small = size.enumerated().map { axis, n in anisotropic && axis == 0 ? n : Swift.max(1, Int((Double(n) * zoom).rounded())) }
            x = try x.interpolated(size: small, mode: .nearest).interpolated(size: size, mode: .linear)
        }
        if random.chance(invertedGammaProbability) { x = try gamma(x, inverted: true, random: &random) }
        if random.chance(gammaProbability) { x = try gamma(x, inverted: false, random: &random) }
        return x
    }

    /// batchgenerators' gamma with `retain_stats`: rescale to [0, 1], power γ, rescale back, restore mean and std.
    /// γ < 1 and γ > 1 are equally likely (γ from [0.7, 1) or [1, 1.5]).
    private func gamma(_ input: Tensor, inverted: Bool, random: inout SplitMix64) throws -> Tensor {
        let g = random.chance(0.5) && gammaRange[0] < 1 ? random.uniform(gammaRange[0], 1) : random.uniform(Swift.max(gammaRange[0], 1), gammaRange[1])
        var x = inverted ? try input.negated() : input
        let mean = try x.mean().item(), std = try x.std().item()
        let low = try x.min().item(), range = try x.max().item() - low
        x = try x.subtracting(low).dividing(range + 1e-7).clamped(min: 0).pow(g).multiplying(range).adding(low)
        let newMean = try x.mean().item(), newStd = try x.std().item()
        x = try x.subtracting(newMean).dividing(newStd + 1e-8).multiplying(std).adding(mean)
        return inverted ? try x.negated() : x
    }

    /// Separable Gaussian blur along `axes` (replicate padding, kernel radius ⌈3σ⌉).
    static func gaussianBlur(_ input: Tensor, sigma: Double, axes: [Int]) throws -> Tensor {
        let radius = Swift.max(1, Int((3 * sigma).rounded(.up)))
        var weights = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        var x = input
        for axis in axes {
            var shape = [1, 1, 1, 1, 1]
            shape[axis] = 2 * radius + 1
            var padding = [0, 0, 0, 0, 0, 0]  // F.pad order: x, y, z before/after pairs
            padding[(4 - axis) * 2] = radius
            padding[(4 - axis) * 2 + 1] = radius
            let kernel = try Tensor(weights.map(Float.init), shape: shape)
            x = try x.padded(padding, mode: .replicate).convolution(weight: kernel, stride: [1, 1, 1], padding: [0, 0, 0])
        }
        return x
    }

    static func rotation(axis: Int, radians a: Double) -> [[Double]] {
        let c = Foundation.cos(a), s = Foundation.sin(a)
        switch axis {
        case 0: return [[1, 0, 0], [0, c, -s], [0, s, c]]
        case 1: return [[c, 0, s], [0, 1, 0], [-s, 0, c]]
        default: return [[c, -s, 0], [s, c, 0], [0, 0, 1]]
        }
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }
}
