import Foundation
import Imaging

/// The raw arrays the page's canvas viewer draws: the scan as little-endian Int16 HU (clamped to
/// −1024…3071) and the label map as UInt8, both in (z, y, x) order, x fastest.
enum ViewerVolumes {
    static let scanFileName = "viewer-ct.i16"
    static let labelsFileName = "viewer-labels.u8"

    static func write(image: Volume<Float>, labels: LabelMap, to folder: URL) throws {
        var scan = Data(count: image.count * 2)
        scan.withUnsafeMutableBytes { raw in
            let out = raw.bindMemory(to: Int16.self)
            image.withUnsafeVoxels { hu in
                for i in 0..<hu.count {
                    out[i] = Int16(min(max(hu[i].rounded(), -1024), 3071)).littleEndian
                }
            }
        }
        try scan.write(to: folder.appendingPathComponent(scanFileName))
        try labels.withUnsafeVoxels { Data(buffer: $0) }.write(to: folder.appendingPathComponent(labelsFileName))
    }
}
