/// Soft Dice loss as nnU-Net v2's `MemoryEfficientSoftDiceLoss`: `−mean_c (2·Σ p·y + s) / max(Σ p + Σ y + s, 1e-8)`.
///
/// Probabilities come from a softmax over the class axis; background is excluded by default; with
/// `batchDice` the sums run over the batch as well (nnU-Net's choice for 3-D full-resolution plans).
public struct SoftDiceLoss: Sendable {
    /// nnU-Net v2 default: 1e-5.
    public var smooth: Double = 1e-5
    /// nnU-Net v2 default: false (foreground classes only).
    public var includeBackground = false
    public var batchDice = true

    public init(smooth: Double = 1e-5, includeBackground: Bool = false, batchDice: Bool = true) {
        self.smooth = smooth
        self.includeBackground = includeBackground
        self.batchDice = batchDice
    }

    /// - Parameters:
    ///   - logits: (N, C, spatial…) raw network outputs.
    ///   - target: (N, spatial…) integer class labels.
    /// - Returns: a scalar loss in [−1, 0].
    public func callAsFunction(logits: Tensor, target: Tensor) throws -> Tensor {
        let classes = logits.shape[1]
        let probabilities = try logits.softmax(dim: 1)
        let labelShape = [target.shape[0], 1] + target.shape.dropFirst()
        let classIndex = try Tensor.arange(0, Double(classes), dtype: target.dtype)
            .reshaped([1, classes] + Array(repeating: 1, count: logits.rank - 2))
        let oneHot = try target.reshaped(labelShape).eq(classIndex).to(logits.dtype)
        let first = includeBackground ? 0 : 1
        let p = try probabilities.narrow(1, start: first, length: classes - first)
        let y = try oneHot.narrow(1, start: first, length: classes - first)
        let spatial = Array(2..<logits.rank)
        let axes = batchDice ? [0] + spatial : spatial
        let intersection = try p.multiplying(y).sum(dims: axes)
        let denominator = try p.sum(dims: axes).adding(y.sum(dims: axes)).adding(smooth).clamped(min: 1e-8)
        let dice = try intersection.multiplying(2).adding(smooth).dividing(denominator)
        return try dice.mean().negated()
    }
}
