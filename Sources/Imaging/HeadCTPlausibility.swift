/// Whether a volume can plausibly be a head CT in Hounsfield units, from its values and extent alone.
///
/// The models were trained on head CTs in HU; given anything else (raw stored values without the rescale,
/// an MRI, a single slice, a body CT) they still return masks and probabilities, which look as certain as
/// real ones. This check runs before any model: findings that make the output meaningless refuse the scan
/// (`refusals`), findings that make it doubtful are reported with it (`warnings`, written into
/// `report.json`). The limits and their reasoning are in `HeadCTPlausibility.Limits`.
public struct HeadCTPlausibility: Sendable, Equatable {
    /// The limits, each with why it is where it is. Deliberately loose: a real head CT should never trip
    /// one, the tiny 8-slice test volumes may warn but are never refused.
    public enum Limits {
        /// Air is −1000 HU, and every head CT has air around the head (or −1024/−2048/−3024 padding
        /// outside the reconstruction circle); partial-volume air is still far below this. A scan with no
        /// voxel at or below it is not in HU: typically stored values without RescaleSlope/Intercept
        /// (0…4095, 12-bit) or display values (0…255). Refused.
        public static let airCeilingHU: Float = -500
        /// Voxels above `airCeilingHU` are the head (and table, pillow); a scan without any is empty. Refused.
        /// Fewer than this fraction of the image being head warns (the field of view is mostly air).
        public static let minimumHeadFraction = 0.01
        /// Brain, blood, CSF and edema lie within 0…100 HU; in a head CT they are the bulk of the head
        /// (≈ 60–80 % of the voxels above −500 HU, the rest scalp, skull, fat). Below this fraction of the
        /// head the values are not HU, or the image is not a head. Warns.
        public static let brainRangeHU: ClosedRange<Float> = 0...100
        public static let minimumBrainFraction = 0.2
        /// Cortical bone is 700–2000 HU; the skull is ≈ 5–15 % of the head's voxels at ≥ 300 HU. Under
        /// this fraction there is no skull in the image (skull-stripped, a crop, not a head). Warns.
        public static let boneFloorHU: Float = 300
        public static let minimumBoneFraction = 0.005
        /// An adult head is ≈ 140 mm (left–right) by 180 mm (front–back), a child's from ≈ 120 mm; a
        /// field of view narrower than this cannot hold one. Warns.
        public static let minimumHeadWidthMM = 120.0
        /// The head from skull base to vertex is ≈ 120–150 mm; a scan covering less than this along the
        /// superior–inferior axis shows a few slices of it at most. Warns.
        public static let minimumCraniocaudalCoverageMM = 40.0
        /// Head CTs cover ≈ 150–250 mm on every axis; beyond this the scan is of the body (or the spacing
        /// is in the wrong unit). Warns.
        public static let maximumExtentMM = 600.0
        /// Fewer slices along the superior–inferior axis than this (a scout, a few selected slices) warns.
        public static let minimumSliceCount = 10
        /// Fewer voxels than this on any axis: a point, a line or a single slice, on which a 3-D network
        /// and 3-D lesion measurements mean nothing. Refused.
        public static let minimumVoxelsPerAxis = 2
    }

    /// Findings that make any result meaningless, in plain words.
    public private(set) var refusals: [String] = []
    /// Findings that make the result doubtful, in plain words.
    public private(set) var warnings: [String] = []

    /// Checks `image` (values in HU, any orientation).
    public init(_ image: Volume<Float>) {
        let shape = image.shape
        if shape.array.contains(where: { $0 < Limits.minimumVoxelsPerAxis }) {
            refusals.append("grid \(shape) has fewer than \(Limits.minimumVoxelsPerAxis) voxels on an axis; a 3-D head CT is needed")
        }
        checkValues(image)
        checkExtent(image.geometry)
    }

    /// The warnings, after refusing the scan when any finding is a refusal.
    ///
    /// - Throws: `ImagingError.implausibleHeadCT` naming `file` and every refusal.
    public func warnings(file: String) throws -> [String] {
        guard refusals.isEmpty else {
            throw ImagingError.implausibleHeadCT(file: file, reason: refusals.joined(separator: "; "))
        }
        return warnings
    }

    private mutating func checkValues(_ image: Volume<Float>) {
        var minimum = Float.infinity, maximum = -Float.infinity
        var head = 0, brain = 0, bone = 0
        image.withUnsafeVoxels { hu in
            for value in hu {
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
                guard value > Limits.airCeilingHU else { continue }
                head += 1
                if Limits.brainRangeHU.contains(value) { brain += 1 }
                if value >= Limits.boneFloorHU { bone += 1 }
            }
        }
        guard image.count > 0 else { return }
        let range = "values \(Self.format(minimum))…\(Self.format(maximum))"
        if minimum > Limits.airCeilingHU {
            var reason = "no voxel at or below \(Self.format(Limits.airCeilingHU)) HU (\(range)), so there is no air: not HU"
            if minimum >= 0 && maximum <= 255 {
                reason += " (0…255 looks like 8-bit display values)"
            } else if minimum >= 0 && maximum <= 4095 {
                reason += " (0…4095 looks like stored 12-bit values without the rescale slope and intercept)"
            }
            refusals.append(reason)
            return
        }
        guard head > 0 else {
            refusals.append("no voxel above \(Self.format(Limits.airCeilingHU)) HU (\(range)): the image holds no head")
            return
        }
        let headFraction = Double(head) / Double(image.count)
        if headFraction < Limits.minimumHeadFraction {
            warnings.append("only \(Self.percent(headFraction)) of the image is above \(Self.format(Limits.airCeilingHU)) HU: little or no head in the field of view")
        }
        let brainFraction = Double(brain) / Double(head)
        if brainFraction < Limits.minimumBrainFraction {
            warnings.append("only \(Self.percent(brainFraction)) of the head is within 0…100 HU (brain, blood); a head CT in HU has most of it there")
        }
        let boneFraction = Double(bone) / Double(head)
        if boneFraction < Limits.minimumBoneFraction {
            warnings.append("only \(Self.percent(boneFraction)) of the head is at or above \(Self.format(Limits.boneFloorHU)) HU: no skull in the image")
        }
    }

    private mutating func checkExtent(_ geometry: VolumeGeometry) {
        // World axis of each voxel axis (x, y, z) from the orientation code: L/R, P/A, I/S.
        let code = Array(geometry.orientationCode)
        let sizes = [geometry.shape.x, geometry.shape.y, geometry.shape.z]
        let spacing = [geometry.spacingMM.x, geometry.spacingMM.y, geometry.spacingMM.z]
        let names = ["left–right", "front–back", "superior–inferior"]
        for axis in 0..<3 {
            let extent = Double(sizes[axis]) * spacing[axis]
            let world: Int? = switch code.count == 3 ? code[axis] : "?" {
            case "L", "R": 0
            case "P", "A": 1
            case "I", "S": 2
            default: nil
            }
            let name = world.map { names[$0] } ?? "axis \(["x", "y", "z"][axis])"
            if extent > Limits.maximumExtentMM {
                warnings.append("the scan covers \(Self.format(extent)) mm \(name), more than the \(Self.format(Limits.maximumExtentMM)) mm of any head CT")
            }
            if (world == 0 || world == 1) && extent < Limits.minimumHeadWidthMM {
                warnings.append("the scan covers \(Self.format(extent)) mm \(name), less than a head (≈ 120–250 mm)")
            }
            if world == 2 && extent < Limits.minimumCraniocaudalCoverageMM {
                warnings.append("the scan covers \(Self.format(extent)) mm \(name), a few slices of a head (≈ 120–150 mm)")
            }
            if world == 2 && sizes[axis] < Limits.minimumSliceCount {
                warnings.append("only \(sizes[axis]) slices \(name); a head CT has tens")
            }
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.4g", value) }
    private static func format(_ value: Float) -> String { format(Double(value)) }
    private static func percent(_ fraction: Double) -> String { String(format: "%.2g %%", 100 * fraction) }
}
