import Foundation
import Imaging

/// Renders a `PhantomCaseSpec` on a centre's grid: thin sub-slices of the anatomy and hemorrhages are averaged
/// into each stored slice (partial volume along z), labelled by majority, then passed through the scanner.
struct PhantomRenderer: Sendable {
    let profile: ScannerProfile
    let physics: ScannerPhysics

    init(profile: ScannerProfile) {
        self.profile = profile
        physics = ScannerPhysics(profile: profile)
    }

    /// The voxel → world transform: LPS voxel axes (column = patient left, row = posterior, slice = superior),
    /// as a DICOM-derived NIfTI; the in-plane centre sits on the scanner axis, the lowest slice at `tableZMM`.
    func geometry(tableZMM: Double) -> VolumeGeometry {
        let n = profile.matrixSize, s = profile.pixelSpacingMM, c = Double(n - 1) / 2
        let affine = Affine(rowMajor: [-s, 0, 0, c * s, 0, -s, 0, c * s, 0, 0, profile.sliceThicknessMM, tableZMM, 0, 0, 0, 1])
            ?? Affine(diagonal: s, s, profile.sliceThicknessMM)
        return VolumeGeometry(shape: VolumeShape(z: profile.sliceCount, y: n, x: n),
                              spacingMM: SpacingMM(z: profile.sliceThicknessMM, y: s, x: s), affine: affine)
    }

    /// Renders one case.
    ///
    /// - Parameters:
    ///   - spec: the case.
    ///   - includeTissueMap: also return the tissue class of each voxel's central sub-slice (tests).
    ///   - parallel: render slices on all cores (one case at a time); `false` when cases run in parallel.
    func render(_ spec: PhantomCaseSpec, includeTissueMap: Bool, parallel: Bool)
        -> (image: Volume<Int16>, labels: LabelMap, tissue: Volume<UInt8>?) {
        let geometry = geometry(tableZMM: spec.tableZMM)
        let n = profile.matrixSize, slices = profile.sliceCount, plane = n * n
        let model = HeadModel(anatomy: spec.anatomy, minW: spec.anatomy.bottomWMM - 40,
                              maxW: spec.anatomy.bottomWMM + Double(slices) * profile.sliceThicknessMM + 40)
        let lesions = spec.hemorrhages.map(LesionField.init)
        let reach = lesions.map { SIMD4<Double>($0.centre.0, $0.centre.1, $0.centre.2, $0.reach2) }
        let anyExtension = spec.hemorrhages.contains { $0.ventricularExtension }
        let cupping = spec.scan.cuppingHU
        var image = Volume<Int16>(geometry: geometry), labels = LabelMap(geometry: geometry)
        var tissue = includeTissueMap ? Volume<UInt8>(geometry: geometry) : nil
        // The three volumes are uniquely owned locals that are neither copied nor mutated again until every
        // slice worker has returned, so their buffers stay put while the workers write disjoint slices.
        let imagePointer = image.withUnsafeMutableVoxels { $0.baseAddress }
        let labelPointer = labels.withUnsafeMutableVoxels { $0.baseAddress }
        let tissuePointer = tissue?.withUnsafeMutableVoxels { $0.baseAddress }
        guard let imagePointer, let labelPointer else { return (image, labels, tissue) }
        let output = OutputPointers(image: imagePointer, labels: labelPointer, tissue: tissuePointer)
        let pose = Pose(anatomy: spec.anatomy, spacing: profile.pixelSpacingMM, n: n)
        let work: @Sendable (Int) -> Void = { k in
            var ideal = [Float](repeating: 0, count: plane), scratch = [Float](repeating: 0, count: plane)
            var ich = [UInt8](repeating: 0, count: plane), phe = [UInt8](repeating: 0, count: plane)
            let sub = profile.subSlicesPerSlice
            lesions.withUnsafeBufferPointer { lesionBuffer in
            for j in 0..<sub {
                let z = (Double(k) + (Double(j) + 0.5) / Double(sub) - 0.5) * profile.sliceThicknessMM
                let central = j == sub / 2
                for y in 0..<n {
                    var (p, step) = pose.row(y: y, z: z)
                    for x in 0..<n {
                        let i = y * n + x
                        var sample = model.sample(u: p.0, v: p.1, w: p.2)
                        var label: UInt8 = 0
                        if sample.tissue != .air {
                            for l in 0..<reach.count {
                                let r = reach[l]
                                let dx = p.0 - r.x, dy = p.1 - r.y, dz = p.2 - r.z
                                if dx * dx + dy * dy + dz * dz < r.w {
                                    lesionBuffer[l].apply(u: p.0, v: p.1, w: p.2, to: &sample, label: &label)
                                }
                            }
                            if sample.ventricleSide != 0 && label == 0 && anyExtension {
                                for l in 0..<lesionBuffer.count {
                                    lesionBuffer[l].extendIntoVentricle(u: p.0, v: p.1, w: p.2, to: &sample, label: &label)
                                }
                            }
                        }
                        if cupping > 0 && sample.tissue != .air {
                            let r = spec.anatomy.brainRadius(u: p.0, v: p.1, w: p.2)
                            sample.hu -= cupping * max(0, 1 - r * r)
                        }
                        ideal[i] += Float(sample.hu)
                        if label == 1 { ich[i] &+= 1 } else if label == 2 { phe[i] &+= 1 }
                        if central, let tissuePointer = output.tissue { tissuePointer[k * plane + i] = sample.tissue.rawValue }
                        p.0 += step.0; p.1 += step.1; p.2 += step.2
                    }
                }
            }
            }
            let inverse = 1 / Float(sub)
            for i in 0..<plane {
                ideal[i] *= inverse
                let lesion = Int(ich[i]) + Int(phe[i])
                output.labels[k * plane + i] = 2 * Int(ich[i]) > sub ? 1 : (2 * lesion > sub ? 2 : 0)
            }
            var random = PhantomRandom.stream(PhantomRandom.mix(spec.seed &+ UInt64(k)), PhantomCaseSpec.noiseStream)
            ideal.withUnsafeMutableBufferPointer { idealBuffer in
                scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                    physics.apply(ideal: idealBuffer, scratch: scratchBuffer, offsetHU: Float(spec.scan.calibrationOffsetHU), random: &random,
                                  output: UnsafeMutableBufferPointer(start: output.image + k * plane, count: plane))
                }
            }
        }
        if parallel {
            DispatchQueue.concurrentPerform(iterations: slices, execute: work)
        } else {
            for k in 0..<slices { work(k) }
        }
        return (image, labels, tissue)
    }
}

/// Where the slice workers write: disjoint slices of buffers that outlive the workers.
private struct OutputPointers: @unchecked Sendable {
    let image: UnsafeMutablePointer<Int16>
    let labels: UnsafeMutablePointer<UInt8>
    let tissue: UnsafeMutablePointer<UInt8>?
}

/// The scanner → head transform of one case, stepped along image rows.
struct Pose: Sendable {
    let rotation: [Double]  // row-major 3×3, head = R · (scanner-aligned − offset)
    let offset: [Double]
    let spacing: Double
    let centre: Double
    let bottomW: Double

    init(anatomy: HeadAnatomy, spacing: Double, n: Int) {
        let (yaw, pitch, roll) = (anatomy.yawPitchRoll[0], anatomy.yawPitchRoll[1], anatomy.yawPitchRoll[2])
        let cy = cos(yaw), sy = sin(yaw), cp = cos(pitch), sp = sin(pitch), cr = cos(roll), sr = sin(roll)
        // R = Rz(yaw) · Rx(pitch) · Ry(roll), with x = u (left), y = v (anterior), z = w (superior).
        let rz = [cy, -sy, 0, sy, cy, 0, 0, 0, 1.0]
        let rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp]
        let ry = [cr, 0, sr, 0, 1, 0, -sr, 0, cr]
        func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
            var m = [Double](repeating: 0, count: 9)
            for row in 0..<3 {
                for column in 0..<3 {
                    var s = 0.0
                    for t in 0..<3 { s += a[row * 3 + t] * b[t * 3 + column] }
                    m[row * 3 + column] = s
                }
            }
            return m
        }
        rotation = multiply(multiply(rz, rx), ry)
        offset = anatomy.offsetMM
        self.spacing = spacing
        centre = Double(n - 1) / 2
        bottomW = anatomy.bottomWMM
    }

    /// Head coordinates of pixel (x = 0, y) at height z above the lowest slice, and the step per pixel in x.
    func row(y: Int, z: Double) -> ((Double, Double, Double), (Double, Double, Double)) {
        let a = [-centre * spacing - offset[0], -(Double(y) - centre) * spacing - offset[1], z + bottomW - offset[2]]
        let r = rotation
        let p = (r[0] * a[0] + r[1] * a[1] + r[2] * a[2], r[3] * a[0] + r[4] * a[1] + r[5] * a[2],
                 r[6] * a[0] + r[7] * a[1] + r[8] * a[2])
        return (p, (r[0] * spacing, r[3] * spacing, r[6] * spacing))
    }
}
