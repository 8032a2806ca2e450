import Foundation

/// A `HemorrhageSpec` prepared for voxel queries: clot, tumour and edema membership and their HU.
final class LesionField: Sendable {
    let spec: HemorrhageSpec
    let centre: (Double, Double, Double)
    let inverseElongation: (Double, Double, Double)
    let reach2: Double
    let side: Int8
    /// The tumour field level above which clot voxels are tumour tissue (a standard-normal quantile).
    let tumourThreshold: Double
    private let waveNorm: Double

    init(_ spec: HemorrhageSpec) {
        self.spec = spec
        centre = (spec.centre[0], spec.centre[1], spec.centre[2])
        inverseElongation = (1 / spec.elongation[0], 1 / spec.elongation[1], 1 / spec.elongation[2])
        reach2 = spec.reachMM * spec.reachMM
        side = spec.centre[0] >= 0 ? 1 : -1
        tumourThreshold = spec.tumourFraction > 0 ? Self.upperQuantile(spec.tumourFraction) : .infinity
        waveNorm = (2 / Double(max(spec.textureWaves.count, 1))).squareRoot()
    }

    /// The z with P(N(0,1) > z) = p, by bisection on erfc.
    static func upperQuantile(_ p: Double) -> Double {
        var low = -8.0, high = 8.0
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if 0.5 * erfc(mid / 2.0.squareRoot()) > p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    @inline(__always)
    private func field(_ waves: [TextureWave], _ dx: Double, _ dy: Double, _ dz: Double) -> Double {
        var s = 0.0
        for wave in waves { s += cos(wave.k[0] * dx + wave.k[1] * dy + wave.k[2] * dz + wave.phase) }
        return s * waveNorm
    }

    /// The HU of clot at offset (dx, dy, dz) from the centre and normalised radius `edge` (0 centre, 1 rim).
    @inline(__always)
    func bloodHU(_ dx: Double, _ dy: Double, _ dz: Double, v: Double, edge: Double) -> (hu: Double, tumour: Bool) {
        let texture = spec.textureHU * field(spec.textureWaves, dx, dy, dz)
        if tumourThreshold.isFinite && field(spec.tumourWaves, dx, dy, dz) > tumourThreshold {
            return (spec.tumourHU + 0.5 * texture, true)
        }
        var hu = spec.meanHU + texture
        if edge > 0.75 { hu -= 16 * (edge - 0.75) }  // serum extrusion at the clot margin
        if let level = spec.fluidLevelV { hu += v < level ? spec.levelContrastHU / 2 : -spec.levelContrastHU / 2 }
        return (hu, false)
    }

    /// Overwrites the anatomy with clot (label 1) or edema (label 2) where this lesion reaches; clot of any
    /// lesion wins over edema.
    @inline(__always)
    func apply(u: Double, v: Double, w: Double, to sample: inout AnatomySample, label: inout UInt8) {
        if label == 1 { return }
        let dx = u - centre.0, dy = v - centre.1, dz = w - centre.2
        if dx * dx + dy * dy + dz * dz > reach2 { return }
        let qx = dx * inverseElongation.0, qy = dy * inverseElongation.1, qz = dz * inverseElongation.2
        let r = (qx * qx + qy * qy + qz * qz).squareRoot()
        let (nx, ny, nz) = r > 1e-9 ? (qx / r, qy / r, qz / r) : (0.0, 0.0, 1.0)
        let clotRadius = spec.radiusMM * spec.clotFactor(nx, ny, nz)
        let parenchyma = sample.tissue == .whiteMatter || sample.tissue == .greyMatter || sample.tissue == .deepGrey
            || sample.tissue == .edema
        if r < clotRadius && (parenchyma || sample.tissue == .csf || sample.tissue == .calcification) {
            let blood = bloodHU(dx, dy, dz, v: v, edge: r / clotRadius)
            sample = AnatomySample(tissue: blood.tumour ? .tumour : .hemorrhage, hu: blood.hu)
            label = 1
            return
        }
        guard parenchyma, label == 0 else { return }
        let thickness = spec.rimMM * spec.fingerFactor(nx, ny, nz)
            * (sample.tissue == .whiteMatter ? 1 : spec.greyMatterFactor)
        if r < clotRadius + thickness {
            let across = (r - clotRadius) / max(thickness, 1e-6)
            sample = AnatomySample(tissue: .edema, hu: sample.hu - spec.edemaDropHU * (1.15 - 0.35 * across))
            label = 2
        }
    }

    /// Fills the dependent (posterior) part of the ipsilateral lateral ventricle with blood.
    @inline(__always)
    func extendIntoVentricle(u: Double, v: Double, w: Double, to sample: inout AnatomySample, label: inout UInt8) {
        guard spec.ventricularExtension, sample.ventricleSide == side, v < -10 else { return }
        sample = AnatomySample(tissue: .hemorrhage, hu: spec.meanHU + 0.5 * spec.textureHU * field(spec.textureWaves, u, v, w))
        label = 1
    }
}
