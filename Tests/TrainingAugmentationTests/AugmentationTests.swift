import Foundation
@testable import TrainingAugmentation
import Random
import TestSupport
import Testing
import Torch

@Suite("Augmentation")
struct AugmentationTests {
    static func batch() throws -> (Tensor, Tensor) {
        let g = try Generator(seed: 5)
        let images = try Tensor.randn([2, 1, 8, 16, 16], generator: g)
        let labels = try Tensor.randint(0, 3, [2, 8, 16, 16], generator: g)
        return (images, labels)
    }

    @Test("no augmentation is the identity; mirroring with p = 1 flips all three axes of image and labels")
    func identityAndMirror() throws {
        let (images, labels) = try Self.batch()
        var random = SplitMix64(seed: 1)
        let same = try Augmentation.none.apply(images: images, labels: labels, anisotropic: false, random: &random,
                                                            generator: Generator(seed: 1))
        #expect(try same.images.equals(images) && same.labels.equals(labels))
        var mirror = Augmentation.none
        mirror.mirrorProbability = 1
        let flipped = try mirror.apply(images: images, labels: labels, anisotropic: false, random: &random, generator: Generator(seed: 1))
        #expect(try flipped.images.equals(images.flipped([2, 3, 4])))
        #expect(try flipped.labels.equals(labels.flipped([1, 2, 3])))
    }

    @Test("rotation and scaling keep labels integral and in {0, 1, 2}; every transform keeps shapes")
    func spatialLabels() throws {
        let (images, labels) = try Self.batch()
        var all = Augmentation()
        for keyPath in [\Augmentation.rotationProbability, \.scalingProbability, \.noiseProbability, \.blurProbability,
                        \.brightnessProbability, \.contrastProbability, \.lowResolutionProbability, \.gammaProbability] {
            all[keyPath: keyPath] = 1
        }
        var random = SplitMix64(seed: 2)
        for anisotropic in [false, true] {
            let out = try all.apply(images: images, labels: labels, anisotropic: anisotropic, random: &random, generator: Generator(seed: 2))
            #expect(out.images.shape == images.shape && out.labels.shape == labels.shape)
            let values = Set(try out.labels.scalars(as: Int64.self))
            #expect(values.isSubset(of: [0, 1, 2]))
            #expect(try out.images.isFinite().all().item() == 1)
        }
    }

    @Test("rotation and scaling move image and labels together: an image that is its label map stays aligned")
    func spatialAlignment() throws {
        // A 2-label box (ICH inside PHE) as labels, and the image = 100 × label; after every spatial transform
        // the image at the transformed ICH voxels must still be high and at background voxels low.
        var labelValues = [Int64](repeating: 0, count: 8 * 32 * 32)
        for z in 2..<6 { for y in 8..<24 { for x in 6..<20 {
            let inner = (4..<5).contains(z) || ((11..<21).contains(y) && (9..<17).contains(x))
            labelValues[(z * 32 + y) * 32 + x] = inner ? 1 : 2
        } } }
        let labels = try Tensor(labelValues, shape: [1, 8, 32, 32])
        let images = try labels.to(.float32).multiplying(100).unsqueezed(1)
        var spatial = Augmentation.none
        spatial.rotationProbability = 1
        spatial.scalingProbability = 1
        var random = SplitMix64(seed: 9)
        for anisotropic in [false, true] {
            for trial in 0..<4 {
                let out = try spatial.apply(images: images, labels: labels, anisotropic: anisotropic, random: &random,
                                            generator: Generator(seed: UInt64(trial)))
                let image = try out.images.scalars(as: Float.self), label = try out.labels.scalars(as: Int64.self)
                let ich = label.indices.filter { label[$0] == 1 }, background = label.indices.filter { label[$0] == 0 }
                #expect(!ich.isEmpty)
                let meanICH = ich.map { Double(image[$0]) }.reduce(0, +) / Double(max(ich.count, 1))
                let meanBackground = background.map { Double(image[$0]) }.reduce(0, +) / Double(max(background.count, 1))
                #expect(meanICH > 60, "anisotropic \(anisotropic), trial \(trial): image at ICH labels \(meanICH)")
                #expect(meanBackground < 20, "anisotropic \(anisotropic), trial \(trial): image at background \(meanBackground)")
            }
        }
    }

    @Test("in-plane rotation by 90° moves a voxel as the rotation matrix says")
    func rotation90() throws {
        // A square 1×1×5×8×8 patch; with θ = D⁻¹ R D (square, so θ = R) a 90° rotation maps output (x, y) to
        // input (−y, x) about the centre: the voxel at input (y=1, x=5) lands at output (y=2, x=6) with centre 3.5.
        let theta = Augmentation.rotation(axis: 2, radians: .pi / 2)
        expectClose(theta[0][1], -1, absolute: 1e-12)
        expectClose(theta[1][0], 1, absolute: 1e-12)
        var values = [Float](repeating: 0, count: 5 * 8 * 8)
        values[(2 * 8 + 1) * 8 + 5] = 1
        let input = try Tensor(values, shape: [1, 1, 5, 8, 8])
        let flat: [Float] = theta.flatMap { row in row.map(Float.init) + [0] }
        let grid = try Tensor.affineGrid(theta: Tensor(flat, shape: [1, 3, 4]), size: [1, 1, 5, 8, 8])
        let out = try input.gridSample(grid, mode: .nearest).scalars(as: Float.self)
        // output (x, y) samples input (x_in, y_in) = (−y, x) in centred coordinates: input (x=5, y=1) is centred
        // (1.5, −2.5), reached from output centred (x=−2.5, y=−1.5) = voxel (x=1, y=2).
        #expect(out[(2 * 8 + 2) * 8 + 1] == 1)
        #expect(out.reduce(0, +) == 1)
    }

    @Test("Gaussian blur keeps a constant and the total of a delta")
    func blur() throws {
        let constant = try Tensor.full([1, 1, 6, 9, 9], 3)
        let blurred = try Augmentation.gaussianBlur(constant, sigma: 0.8, axes: [2, 3, 4])
        expectClose(try blurred.scalars(as: Float.self), [Float](repeating: 3, count: 6 * 81), absolute: 1e-5)
        // A delta at least one kernel radius (⌈3σ⌉ = 3) from every border keeps its total.
        var values = [Float](repeating: 0, count: 9 * 81)
        values[(4 * 9 + 4) * 9 + 4] = 1
        let delta = try Augmentation.gaussianBlur(Tensor(values, shape: [1, 1, 9, 9, 9]), sigma: 0.7, axes: [2, 3, 4])
        expectClose(try delta.sum().item(), 1, absolute: 1e-5)
    }
}
