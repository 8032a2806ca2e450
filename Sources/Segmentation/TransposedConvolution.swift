import NN

/// How the decoder upsamples.
public enum UpsamplingMethod: String, Codable, Sendable {
    /// libtorch's `conv_transpose3d`.
    case libtorch
    /// A transposed convolution whose kernel equals its stride (nnU-Net's only case) is a matrix product
    /// followed by a reshuffle: every input voxel writes its own k_z·k_y·k_x output block, blocks never
    /// overlap. Same values and gradients as `libtorch`; measured on the 2-core machine (libtorch 1.13) it
    /// is not faster (forward 1–3× slower, forward+backward 0.7–1.1×), so `libtorch` is the default.
    case matmul
}

extension Tensor {
    /// `conv_transpose3d(self, weight, bias, stride: kernel)` for a weight (C_in, C_out, k_z, k_y, k_x) whose
    /// kernel equals the stride and without padding, computed as one batched matrix product.
    ///
    /// `out[n, o, d·k_z + a, h·k_y + b, w·k_x + c] = Σ_i x[n, i, d, h, w] · W[i, o, a, b, c] + bias[o]`.
    func kernelStrideTransposedConvolution(weight: Tensor, bias: Tensor?) throws -> Tensor {
        let s = shape, k = Array(weight.shape[2...])
        guard rank == 5, weight.rank == 5, s[1] == weight.shape[0] else {
            throw TorchError("input \(s) and weight \(weight.shape) do not fit a 3-D transposed convolution", operation: "conv_transpose_matmul")
        }
        let (n, inputs, outputs) = (s[0], s[1], weight.shape[1])
        let (d, h, w) = (s[2], s[3], s[4])
        let blocks = outputs * k[0] * k[1] * k[2]
        let columns = try reshaped([n, inputs, d * h * w])
        let matrix = try weight.reshaped([inputs, blocks]).transposed(0, 1)
        var y = try matrix.matmul(columns)  // (n, C_out·k, d·h·w)
        y = try y.reshaped([n, outputs, k[0], k[1], k[2], d, h, w])
            .permuted([0, 1, 5, 2, 6, 3, 7, 4])
            .reshaped([n, outputs, d * k[0], h * k[1], w * k[2]])
        if let bias { y = try y.adding(bias.reshaped([1, outputs, 1, 1, 1])) }
        return y
    }
}
