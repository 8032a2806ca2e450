// neoich-imaging-bench: timings of the Imaging target on a head-CT-sized volume (prints figures, asserts nothing).
//   swift run -c release neoich-imaging-bench
import Foundation
import Imaging
import Torch

func time<R>(_ label: String, repeats: Int = 3, _ body: () throws -> R) rethrows -> R {
    var start = DispatchTime.now().uptimeNanoseconds
    var result = try body()
    var best = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    for _ in 1..<max(1, repeats) {
        start = DispatchTime.now().uptimeNanoseconds
        result = try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    print(String(format: "%-44@ best of %d: %8.3f s", label as NSString, repeats, best))
    return result
}

// A 512×512×31 int16 head-like CT (0.45×0.45×5 mm): skull ring, brain with noise, two hematomas with edema.
let shape = VolumeShape(z: 31, y: 512, x: 512)
let geometry = VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 5, y: 0.45, x: 0.45))
var ct = Volume<Int16>(geometry: geometry, repeating: -1000)
var labels = LabelMap(geometry: geometry)
var seed: UInt64 = 42
ct.withUnsafeMutableVoxels { hu in
    labels.withUnsafeMutableVoxels { lab in
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let i = shape.offset(z: z, y: y, x: x)
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let noise = Int16(truncatingIfNeeded: Int(seed >> 60) - 8)
            let r = ((Double(x) - 255.5) * (Double(x) - 255.5) / (220 * 220) + (Double(y) - 255.5) * (Double(y) - 255.5) / (240 * 240)).squareRoot()
            if r < 0.92 { hu[i] = 35 + noise } else if r < 1 { hu[i] = 1200 + noise }
            for (cz, cy, cx, radius) in [(15.0, 200.0, 180.0, 40.0), (10.0, 330.0, 340.0, 15.0)] {
                let d = ((Double(z) - cz) * 5 / 0.45 * (Double(z) - cz) * 5 / 0.45 + (Double(y) - cy) * (Double(y) - cy) + (Double(x) - cx) * (Double(x) - cx)).squareRoot()
                if d < radius { hu[i] = 70 + noise; lab[i] = 1 } else if d < radius * 1.5 { hu[i] = 18 + noise; lab[i] = 2 }
            }
            // Speckle: isolated PHE voxels, many tiny components.
            if seed >> 54 == 0 && r < 0.9 { lab[i] = 2 }
        } } }
    }
}
print("volume \(shape), \(shape.count) voxels, \(ProcessInfo.processInfo.activeProcessorCount) cores")

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-imaging-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let gz = folder.appendingPathComponent("ct.nii.gz"), raw = folder.appendingPathComponent("ct.nii")
for level in [1, 6] {
    try time("write int16 .nii.gz (gzip level \(level))") { try NIfTIFile.write(ct, to: gz, options: NIfTIWriteOptions(compressionLevel: level)) }
    let bytes = (try FileManager.default.attributesOfItem(atPath: gz.path)[.size] as? Int) ?? 0
    print("  size \(bytes / 1024) KiB")
    _ = try time("read .nii.gz (level \(level)) as Int16") { try NIfTIFile.read(gz, as: Int16.self) }
    _ = try time("read .nii.gz (level \(level)) as Float (HU)") { try NIfTIFile.read(gz, as: Float.self) }
}
try time("write int16 .nii") { try NIfTIFile.write(ct, to: raw) }
_ = try time("read .nii as Int16") { try NIfTIFile.read(raw, as: Int16.self) }
let labelFile = folder.appendingPathComponent("labels.nii.gz")
try time("write uint8 label map .nii.gz") { try NIfTIFile.write(labels, to: labelFile) }
_ = try time("read label map .nii.gz") { try NIfTIFile.readLabels(labelFile) }

let six = time("connected components, 6-conn (non-zero)") { ConnectedComponents.label(labels, connectivity: .faces6) }
let full = time("connected components, 26-conn (non-zero)") { ConnectedComponents.label(labels, connectivity: .full26) }
_ = time("connected components, 26-conn (ICH only)") { ConnectedComponents.label(labels, value: 1) }
print("  components: 6-conn \(six.components.count), 26-conn \(full.components.count)")
let hu = ct.map { Float($0) }
let crops = try time("lesion crops 20×200×200") { try LesionCropper.crops(image: hu, labels: labels) }
print("  crops: \(crops.count), largest ICH \(String(format: "%.2f", crops.first?.lesion.volumeML ?? 0)) mL")
let report = try time("volumetry (regions, lesions, ABC/2)") { try Volumetry.measure(image: hu, labels: labels) }
print(String(format: "  ICH %.2f mL, PHE %.2f mL, ABC/2 of largest %.2f mL", report.ich.volumeML, report.phe.volumeML,
             report.lesions.first?.abcOver2?.volumeML ?? 0))
_ = try time("render montage 4×4 with overlays + PNG") {
    try SliceRenderer.renderMontage(hu, columns: 4, options: SliceRenderingOptions(labels: labels)).pngData()
}

// Resampling with libtorch (2 threads by default): to 1 mm in-plane and back, and the labels likewise.
try Runtime.configureThreads(environment: ProcessInfo.processInfo.environment)
let coarse = SpacingMM(z: 5, y: 0.9, x: 0.9)
let resampled = try time("resample HU 512² → 256² trilinear") { try Resampler.resample(hu, toSpacing: coarse) }
_ = try time("resample HU back onto 512² trilinear") { try Resampler.resample(resampled, onto: hu.geometry) }
_ = try time("resample HU 512² → 256² cubic in-plane") { try Resampler.resample(hu, toSpacing: coarse, method: .cubicInPlane) }
let iso = try time("resample HU to 1 mm isotropic trilinear") { try Resampler.resample(hu, toSpacing: SpacingMM(z: 1, y: 1, x: 1)) }
print("  1 mm grid \(iso.shape)")
_ = try time("resample labels to 1 mm isotropic (nearest)") { try Resampler.resample(labels, toSpacing: SpacingMM(z: 1, y: 1, x: 1)) }
