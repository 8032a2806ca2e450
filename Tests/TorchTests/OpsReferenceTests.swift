import Foundation
import Testing
import TestSupport
import Torch

/// Ops compared with PyTorch 1.13 outputs (scripts/fixtures/torch_fixtures.py → Fixtures/ops_reference.json).
@Suite("Ops vs PyTorch reference")
struct OpsReferenceTests {
    struct Case: Decodable {
        var input: TensorData?
        var weight: TensorData?
        var bias: TensorData?
        var output: TensorData?
        var stride: [Int]?
        var padding: [Int]?
        var dilation: [Int]?
        var size: [Int]?
        var running_mean: TensorData?
        var running_var: TensorData?
        var theta: TensorData?
        var grid: TensorData?
        var output_nearest_border: TensorData?
        var target: [Int64]?
        var target_shape: [Int]?
        var softmax: TensorData?
        var log_softmax: TensorData?
        var std_dim1: TensorData?
        var std_all_biased: TensorData?
        var topk2_values: TensorData?
        var topk2_indices: [Int64]?
        var sort_dim0: TensorData?
        var argmax_dim1: [Int64]?
        var norm: TensorData?
        var cumsum_dim1: TensorData?
    }

    struct File: Decodable {
        var torch_version: String
        var cases: [String: Case]
    }

    static let file: File? = try? Fixture.json(File.self, "ops_reference.json", in: .module)

    func fixture(_ name: String) throws -> Case {
        let file = try #require(Self.file, "ops_reference.json fixture missing")
        return try #require(file.cases[name], "case \(name) missing")
    }

    @Test(arguments: [ConvolutionBackend.libtorch, .automatic])
    func conv3dStridedPaddedDilated(backend: ConvolutionBackend) throws {
        let c = try fixture("conv3d")
        // float64 always takes libtorch's kernels; float32 `.automatic` takes oneDNN.
        let dtype: DType = backend == .libtorch ? .float64 : .float32
        let y = try reference(c.input!, dtype: dtype).convolution(
            weight: reference(c.weight!, dtype: dtype), bias: reference(c.bias!, dtype: dtype),
            stride: c.stride!, padding: c.padding!, dilation: c.dilation!, backend: backend)
        if dtype == .float64 { expectMatches(y, c.output!) } else { expectMatches(y, c.output!, absolute: 1e-4, relative: 1e-4) }
    }

    @Test func conv3dGroups() throws {
        let c = try fixture("conv3d_groups")
        let y = try reference(c.input!).convolution(weight: reference(c.weight!), stride: c.stride!, padding: c.padding!, groups: 2)
        expectMatches(y, c.output!)
        let y32 = try reference(c.input!, dtype: .float32).convolution(
            weight: reference(c.weight!, dtype: .float32), stride: c.stride!, padding: c.padding!, groups: 2, backend: .oneDNN)
        expectMatches(y32, c.output!, absolute: 1e-4, relative: 1e-4)
    }

    @Test func convTranspose3d() throws {
        let c = try fixture("conv_transpose3d")
        let y = try reference(c.input!).transposedConvolution(weight: reference(c.weight!), bias: reference(c.bias!),
                                                              stride: c.stride!, padding: [0, 0, 0])
        expectMatches(y, c.output!)
    }

    @Test func batchNormTrainingUpdatesRunningStatistics() throws {
        let c = try fixture("batch_norm_train")
        let mean = try Tensor.zeros([2], dtype: .float64), variance = try Tensor.ones([2], dtype: .float64)
        let y = try reference(c.input!).batchNorm(weight: reference(c.weight!), bias: reference(c.bias!),
                                                 runningMean: mean, runningVar: variance, training: true)
        expectMatches(y, c.output!)
        expectMatches(mean, c.running_mean!)
        expectMatches(variance, c.running_var!)
        let e = try fixture("batch_norm_eval")
        let z = try reference(e.input!).batchNorm(weight: reference(e.weight!), bias: reference(e.bias!),
                                                 runningMean: reference(e.running_mean!), runningVar: reference(e.running_var!),
                                                 training: false)
        expectMatches(z, e.output!)
    }

    @Test func instanceNorm() throws {
        let c = try fixture("instance_norm")
        expectMatches(try reference(c.input!).instanceNorm(weight: reference(c.weight!), bias: reference(c.bias!)), c.output!)
    }

    @Test func pooling() throws {
        let input = try reference(fixture("max_pool3d").input!)
        expectMatches(try input.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]), try fixture("max_pool3d").output!)
        expectMatches(try input.avgPool(kernel: [2, 2, 2]), try fixture("avg_pool3d").output!)
        expectMatches(try input.adaptiveAvgPool(outputSize: [2, 3, 1]), try fixture("adaptive_avg_pool3d").output!)
        expectMatches(try input.leakyReLU(slope: 0.01), try fixture("leaky_relu").output!)
    }

    @Test func interpolation() throws {
        let c = try fixture("interpolate_trilinear")
        let x = try reference(c.input!)
        expectMatches(try x.interpolated(size: c.size!, mode: .linear), c.output!)
        expectMatches(try x.interpolated(size: c.size!, mode: .linear, alignCorners: true), try fixture("interpolate_trilinear_aligned").output!)
        expectMatches(try x.interpolated(size: c.size!, mode: .nearest), try fixture("interpolate_nearest").output!)
    }

    @Test func affineGridAndGridSample() throws {
        let a = try fixture("affine_grid")
        let grid = try Tensor.affineGrid(theta: reference(a.theta!), size: a.size!)
        expectMatches(grid, a.output!)
        let g = try fixture("grid_sample")
        let x = try reference(g.input!)
        expectMatches(try x.gridSample(reference(g.grid!)), g.output!)
        expectMatches(try x.gridSample(reference(g.grid!), mode: .nearest, padding: .border), g.output_nearest_border!)
    }

    @Test func lossesAndSoftmax() throws {
        let c = try fixture("cross_entropy")
        let logits = try reference(c.input!)
        let target = try Tensor(c.target!)
        expectMatches(try logits.crossEntropy(target: target), c.output!)
        expectMatches(try logits.softmax(dim: 1), c.softmax!)
        expectMatches(try logits.logSoftmax(dim: 1), c.log_softmax!)
        let n = try fixture("nll_loss_3d")
        let loss = try reference(n.input!).nllLoss(target: Tensor(n.target!, shape: n.target_shape!), weight: reference(n.weight!))
        expectMatches(loss, n.output!)
    }

    @Test func reductions() throws {
        let c = try fixture("reductions")
        let x = try reference(c.input!)
        expectMatches(try x.std(dims: [1]), c.std_dim1!)
        expectMatches(try x.std(unbiased: false), c.std_all_biased!)
        let top = try x.topk(2, dim: 1)
        expectMatches(top.values, c.topk2_values!)
        #expect(try top.indices.scalars(as: Int64.self) == c.topk2_indices!)
        expectMatches(try x.sorted(dim: 0).values, c.sort_dim0!)
        #expect(try x.argmax(dim: 1).scalars(as: Int64.self) == c.argmax_dim1!)
        expectMatches(try x.norm(), c.norm!)
        expectMatches(try x.cumsum(dim: 1), c.cumsum_dim1!)
    }
}
