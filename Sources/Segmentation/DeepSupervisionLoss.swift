import NN

/// nnU-Net v2's training loss: cross-entropy + soft Dice (`DC_and_CE_loss`, weights 1 and 1; Dice smooth
/// 1e-5 without background) at every decoder resolution, weighted 1/2^i from full resolution down, the
/// lowest output weighted 0, weights normalised to sum 1 (`DeepSupervisionWrapper`).
public struct DeepSupervisionLoss: Sendable {
    public var dice: SoftDiceLoss
    /// One weight per network output, full resolution first.
    public let weights: [Double]

    /// - Parameters:
    ///   - outputs: the number of deep-supervision outputs.
    ///   - batchDice: sum Dice over the batch (`plans.batchDice`).
    public init(outputs: Int, batchDice: Bool) {
        var w = (0..<outputs).map { 1 / Double(1 << $0) }
        if outputs > 1 { w[outputs - 1] = 0 }
        let total = w.reduce(0, +)
        weights = w.map { $0 / total }
        dice = SoftDiceLoss(smooth: 1e-5, includeBackground: false, batchDice: batchDice)
    }

    /// The weighted loss; targets are downsampled to each output's size by nearest neighbour.
    ///
    /// - Parameters:
    ///   - outputs: logits (N, C, …), full resolution first.
    ///   - target: (N, z, y, x) int64 at full resolution.
    public func callAsFunction(outputs: [Tensor], target: Tensor) throws -> Tensor {
        var total: Tensor?
        for (output, weight) in zip(outputs, weights) where weight > 0 {
            let size = Array(output.shape[2...])
            let t = size == Array(target.shape[1...]) ? target
                : try target.unsqueezed(1).to(.float32).interpolated(size: size, mode: .nearest).squeezed(1).to(.int64)
            let term = try output.crossEntropy(target: t).adding(dice(logits: output, target: t)).multiplying(weight)
            total = try total.map { try $0.adding(term) } ?? term
        }
        guard let total else { throw SegmentationError.invalidConfiguration(detail: "no network output to compute a loss on") }
        return total
    }
}
