internal import CNIfTI
import Foundation

/// Writes gzip files through niftilib's znz streams (zlib), for tools that prepare compressed inputs
/// (the fuzzers compress each mutated header, so that the `.nii.gz` reading path sees it too).
public enum GzipFile {
    /// Writes `data` gzip-compressed (level 1) to `url`.
    ///
    /// - Throws: `ImagingError.writeFailed` naming the file.
    public static func write(_ data: Data, to url: URL) throws {
        guard let stream = znzopen(url.path, "wb1", 1) else {
            throw ImagingError.writeFailed(file: url.path, detail: "cannot open for gzip writing")
        }
        var handle: znzFile? = stream
        let written = data.withUnsafeBytes { znzwrite($0.baseAddress, 1, data.count, stream) }
        Xznzclose(&handle)
        guard written == data.count else {
            throw ImagingError.writeFailed(file: url.path, detail: "wrote \(written) of \(data.count) bytes")
        }
    }
}
