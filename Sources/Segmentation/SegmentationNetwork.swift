import NN

/// A 3-D segmentation network that the sliding window can run: full-resolution logits for a patch.
public protocol SegmentationNetwork: Module {
    /// Full-resolution logits (N, classes, z, y, x) of an (N, C, z, y, x) input whose sizes divide by `divisor`.
    func logits(_ input: Tensor) throws -> Tensor
    /// The product of the strides per axis (z, y, x).
    var divisor: [Int] { get }
    /// Output channels (classes including background).
    var classCount: Int { get }
}

extension PlainConvUNet: SegmentationNetwork {
    public var classCount: Int { architecture.classes }
}
