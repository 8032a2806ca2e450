import Foundation

/// One smooth bump on a unit-sphere radius function: `amplitude · exp(sharpness · (dir · direction − 1))`.
public struct RadialBump: Sendable, Codable, Equatable {
    public var direction: [Double]
    public var amplitude: Double
    public var sharpness: Double

    @inline(__always)
    func value(_ x: Double, _ y: Double, _ z: Double) -> Double {
        amplitude * exp(sharpness * (x * direction[0] + y * direction[1] + z * direction[2] - 1))
    }
}

/// One plane wave of a clot's density texture: `cos(k · x + phase)` with `k` in rad/mm.
public struct TextureWave: Sendable, Codable, Equatable {
    public var k: [Double]
    public var phase: Double
}

/// One intracerebral hemorrhage and its perihematomal edema, in head coordinates (mm; u to the patient's left,
/// v anterior, w superior).
///
/// The clot is a star-shaped body: in the elongated frame `q = (x − centre) / elongation`, a point is clot when
/// `|q| < radius · (1 + Σ clot bumps(q̂))`. The edema is a shell of thickness `rimMM · (1 + Σ finger bumps)`
/// around it, scaled by `greyMatterFactor` in grey matter and absent in CSF, bone and air.
public struct HemorrhageSpec: Sendable, Codable, Equatable {
    public var location: HemorrhageLocation
    public var centre: [Double]
    public var elongation: [Double]
    public var radiusMM: Double
    public var clotBumps: [RadialBump]
    public var rimMM: Double
    public var fingerBumps: [RadialBump]
    public var greyMatterFactor: Double
    /// Target volumes the shape was solved for, mL (the label map measures slightly differently).
    public var targetICHML: Double
    public var targetPHEML: Double
    /// Mean clot density, texture amplitude, tumour fraction and tumour density, HU.
    public var meanHU: Double
    public var textureHU: Double
    public var tumourFraction: Double
    public var tumourHU: Double
    public var textureWaves: [TextureWave]
    public var tumourWaves: [TextureWave]
    /// Edema hypodensity relative to the brain it replaces, HU.
    public var edemaDropHU: Double
    /// Hematocrit level (anticoagulation): blood posterior to v < level is denser by `levelContrastHU`.
    public var fluidLevelV: Double?
    public var levelContrastHU: Double
    /// Blood also fills the dependent part of the ipsilateral lateral ventricle.
    public var ventricularExtension: Bool

    /// The largest distance from the centre that clot or edema can reach, mm.
    public var reachMM: Double {
        let clotMax = radiusMM * (1 + clotBumps.reduce(0) { $0 + max(0, $1.amplitude) })
        let rimMax = rimMM * (1 + fingerBumps.reduce(0) { $0 + max(0, $1.amplitude) })
        return (clotMax + rimMax) * (elongation.max() ?? 1) + 1
    }

    /// The clot radius factor `1 + Σ bumps` in direction (x, y, z) (unit vector).
    @inline(__always)
    func clotFactor(_ x: Double, _ y: Double, _ z: Double) -> Double {
        var f = 1.0
        for bump in clotBumps { f += bump.value(x, y, z) }
        return max(f, 0.3)
    }

    @inline(__always)
    func fingerFactor(_ x: Double, _ y: Double, _ z: Double) -> Double {
        var f = 1.0
        for bump in fingerBumps { f += bump.value(x, y, z) }
        return f
    }

    // MARK: - Solving the shape for target volumes

    /// 256 near-uniform directions (Fibonacci sphere) for the volume integrals.
    static let sphereDirections: [(Double, Double, Double)] = (0..<256).map { i in
        let z = 1 - (Double(i) + 0.5) / 128
        let r = (1 - z * z).squareRoot(), phi = Double(i) * Double.pi * (3 - 5.0.squareRoot())
        return (r * cos(phi), r * sin(phi), z)
    }

    /// Sets `radiusMM` and `rimMM` so that the clot holds `ichML` and the edema shell `pheML / efficiency`
    /// (`efficiency` is the expected share of the shell that falls in brain where edema can form).
    mutating func solveShape(ichML: Double, pheML: Double, efficiency: Double) {
        let dirs = Self.sphereDirections
        let clot = dirs.map { clotFactor($0.0, $0.1, $0.2) }
        let fingers = dirs.map { fingerFactor($0.0, $0.1, $0.2) }
        let meanCube = clot.reduce(0) { $0 + $1 * $1 * $1 } / Double(dirs.count)
        // Elongation has product 1, so it preserves volume. Volumes in mm³: mL × 1000.
        radiusMM = cbrt(ichML * 1000 / (4 / 3 * Double.pi * meanCube))
        let shellTarget = pheML * 1000 / max(efficiency, 0.2)
        func shell(_ t: Double) -> Double {
            var total = 0.0
            for i in 0..<dirs.count {
                let inner = radiusMM * clot[i], outer = inner + t * fingers[i]
                total += outer * outer * outer - inner * inner * inner
            }
            return 4 / 3 * Double.pi * total / Double(dirs.count)
        }
        var low = 0.0, high = 200.0
        for _ in 0..<50 {
            let mid = (low + high) / 2
            if shell(mid) < shellTarget { low = mid } else { high = mid }
        }
        rimMM = (low + high) / 2
        targetICHML = ichML
        targetPHEML = pheML
    }
}
