/// The shape of a 3-D ResNet (He et al. 2016, 3-D as in MONAI's `monai.networks.nets.ResNet`).
public struct ResNet3DConfiguration: Codable, Sendable, Equatable {
    public enum Block: String, Codable, Sendable {
        /// Two 3×3×3 convolutions (ResNet-18/34).
        case basic
        /// 1×1×1 → 3×3×3 → 1×1×1 with 4× expansion (ResNet-50).
        case bottleneck

        var expansion: Int { self == .basic ? 1 : 4 }
    }

    /// How a residual branch changes channels or resolution.
    public enum Shortcut: String, Codable, Sendable {
        /// Strided average pooling plus zero channels (no parameters).
        case a = "A"
        /// 1×1×1 strided convolution plus batch norm (MONAI's default).
        case b = "B"
    }

    public var block: Block
    /// Blocks per stage; ResNet-34 is [3, 4, 6, 3].
    public var layers: [Int]
    /// Channels of the first stage; later stages double it. MONAI: 64.
    public var width: Int
    public var inputChannels: Int
    public var classes: Int
    /// Stem kernel (z, y, x). MONAI default 7.
    public var stemKernel: [Int]
    /// Stem stride (z, y, x); (1, 2, 2) suits 5 mm slices. MONAI's default is 1 on every axis.
    public var stemStride: [Int]
    public var maxPool: Bool
    public var shortcut: Shortcut
    /// Bias on the shortcut's 1×1×1 convolution: MONAI's `bias_downsample` (default true); MedicalNet has none.
    public var downsampleBias: Bool

    public init(block: Block, layers: [Int], width: Int = 64, inputChannels: Int = 1, classes: Int = 2,
                stemKernel: [Int] = [7, 7, 7], stemStride: [Int] = [1, 2, 2], maxPool: Bool = true, shortcut: Shortcut = .b,
                downsampleBias: Bool = true) {
        self.block = block
        self.layers = layers
        self.width = width
        self.inputChannels = inputChannels
        self.classes = classes
        self.stemKernel = stemKernel
        self.stemStride = stemStride
        self.maxPool = maxPool
        self.shortcut = shortcut
        self.downsampleBias = downsampleBias
    }

    public static func resnet18(width: Int = 64) -> Self { .init(block: .basic, layers: [2, 2, 2, 2], width: width) }
    /// The classifier of 001_… (ResNet-34).
    public static func resnet34(width: Int = 64) -> Self { .init(block: .basic, layers: [3, 4, 6, 3], width: width) }
    public static func resnet50(width: Int = 64) -> Self { .init(block: .bottleneck, layers: [3, 4, 6, 3], width: width) }

    /// Stage widths (MONAI's `block_inplanes`).
    public var stageWidths: [Int] { (0..<layers.count).map { width << $0 } }
}
