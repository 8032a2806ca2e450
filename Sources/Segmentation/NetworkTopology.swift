import Foundation

/// The U-Net shape nnU-Net v2 derives from a spacing and a patch size (`get_pool_and_conv_props`):
/// pooling per axis, strides and kernel sizes per stage, and the patch rounded up to a multiple of 2^pools.
///
/// Rules (nnU-Net v2, `network_topology.py`), per downsampling step while possible:
/// - an axis may be pooled while its feature map is ≥ 2 × the minimum edge (4) and its current spacing is
///   within 2× of the finest current spacing; a lone poolable axis also needs ≥ 3 × the minimum edge;
/// - an axis' kernel becomes 3 (and stays 3) once its spacing is within 2× of the finest, 1 before;
/// - pooling an axis doubles its spacing and halves (ceil) its size;
/// - the bottleneck always has kernel 3 on every axis.
public struct NetworkTopology: Codable, Sendable, Equatable {
    /// Downsamplings per axis (z, y, x).
    public var poolsPerAxis: [Int]
    /// Stride of each stage's first convolution; stage 0 is [1, 1, 1].
    public var strides: [[Int]]
    /// Kernel size of each stage's convolutions.
    public var kernelSizes: [[Int]]
    /// The patch, padded up to a multiple of `divisor` on each axis.
    public var patchSize: [Int]
    /// 2^poolsPerAxis: what every input size must divide by.
    public var divisor: [Int]

    /// The number of resolution stages (encoder depth).
    public var stageCount: Int { strides.count }

    /// A topology given as it is (e.g. read from another tool's plans): pools and divisor follow from `strides`.
    public init(strides: [[Int]], kernelSizes: [[Int]], patchSize: [Int]) {
        self.strides = strides
        self.kernelSizes = kernelSizes
        self.patchSize = patchSize
        divisor = (0..<patchSize.count).map { axis in strides.reduce(1) { $0 * ($1.count > axis ? $1[axis] : 1) } }
        poolsPerAxis = (0..<patchSize.count).map { axis in strides.filter { $0.count > axis && $0[axis] > 1 }.count }
    }

    /// Derives the topology.
    ///
    /// - Parameters:
    ///   - spacing: target spacing (z, y, x) mm.
    ///   - patchSize: the requested patch (may be fractional when it was clipped to a median shape).
    ///   - minimumFeatureMapEdge: nnU-Net v2 default 4 (`UNet_featuremap_min_edge_length`).
    ///   - maximumPoolsPerAxis: nnU-Net v2 passes 999999 (no limit).
    public init(spacing: [Double], patchSize: [Double], minimumFeatureMapEdge: Int = 4, maximumPoolsPerAxis: Int = .max) {
        let dimensions = spacing.count
        var currentSpacing = spacing
        var currentSize = patchSize
        var pools = [Int](repeating: 0, count: dimensions)
        var kernel = [Int](repeating: 1, count: dimensions)
        var strides: [[Int]] = [[Int](repeating: 1, count: dimensions)]
        var kernels: [[Int]] = []
        let minimumEdge = Double(minimumFeatureMapEdge)
        while true {
            var poolable = (0..<dimensions).filter { currentSize[$0] >= 2 * minimumEdge }
            guard let finestPoolable = poolable.map({ currentSpacing[$0] }).min() else { break }
            poolable = poolable.filter { currentSpacing[$0] / finestPoolable < 2 && pools[$0] < maximumPoolsPerAxis }
            if poolable.count == 1 && currentSize[poolable[0]] < 3 * minimumEdge { break }
            if poolable.isEmpty { break }
            let finest = currentSpacing.min() ?? 1
            for axis in 0..<dimensions where kernel[axis] != 3 && currentSpacing[axis] / finest < 2 { kernel[axis] = 3 }
            var stride = [Int](repeating: 1, count: dimensions)
            for axis in poolable {
                stride[axis] = 2
                pools[axis] += 1
                currentSpacing[axis] *= 2
                currentSize[axis] = (currentSize[axis] / 2).rounded(.up)
            }
            strides.append(stride)
            kernels.append(kernel)
        }
        kernels.append([Int](repeating: 3, count: dimensions))
        let divisor = pools.map { 1 << $0 }
        poolsPerAxis = pools
        self.strides = strides
        kernelSizes = kernels
        self.divisor = divisor
        self.patchSize = zip(patchSize, divisor).map { size, d in Int((size / Double(d)).rounded(.up)) * d }
    }

    /// Feature widths per stage: `min(maximum, base · 2^i)` (nnU-Net v2: base 32, maximum 320 in 3-D).
    public static func features(stages: Int, base: Int, maximum: Int) -> [Int] {
        (0..<stages).map { Swift.min(maximum, base << Swift.min($0, 30)) }
    }

    /// nnU-Net's memory proxy, `PlainConvUNet.compute_conv_feature_map_size` with deep supervision off (as the
    /// planner builds it): the number of feature-map elements written by every conv, transposed conv and the
    /// final segmentation layer for one sample of `patch`.
    public func featureMapElements(patch: [Int], features: [Int], classes: Int, convolutionsPerStage: Int = 2,
                                   convolutionsPerDecoderStage: Int = 2) -> Double {
        var total = 0.0
        var size = patch.map(Double.init)
        var stageSizes: [[Double]] = []
        for (s, stride) in strides.enumerated() {
            size = zip(size, stride).map { ($0 / Double($1)).rounded(.down) }
            stageSizes.append(size)
            total += Double(convolutionsPerStage * features[s]) * size.reduce(1, *)
        }
        for s in stride(from: strides.count - 2, through: 0, by: -1) {
            let voxels = stageSizes[s].reduce(1, *)
            total += Double(convolutionsPerDecoderStage * features[s]) * voxels  // decoder convs
            total += Double(features[s]) * voxels  // transposed conv
            if s == 0 { total += Double(classes) * voxels }  // segmentation output
        }
        return total
    }
}
