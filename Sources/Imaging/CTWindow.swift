/// A CT display window: HU `center ± width/2` maps to black…white.
public struct CTWindow: Sendable, Equatable, Codable {
    /// Window level (centre), HU.
    public var center: Double
    /// Window width, HU (> 0).
    public var width: Double

    public init(center: Double, width: Double) {
        self.center = center
        self.width = width
    }

    /// Brain: level 40, width 80.
    public static let brain = CTWindow(center: 40, width: 80)
    /// Blood (hemorrhage): level 60, width 120.
    public static let blood = CTWindow(center: 60, width: 120)
    /// Bone: level 600, width 2800.
    public static let bone = CTWindow(center: 600, width: 2800)

    /// The grey level (0…255) of a HU value.
    @inline(__always)
    public func gray(_ hu: Float) -> UInt8 {
        let t = (Double(hu) - (center - width / 2)) / width
        return UInt8((min(max(t, 0), 1) * 255).rounded())
    }
}
