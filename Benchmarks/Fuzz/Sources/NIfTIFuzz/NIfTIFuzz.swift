import Foundation
import FuzzDriver
import Imaging

/// libFuzzer entry: the bytes as a `.nii` file and, gzip-compressed (zlib, through `GzipFile`), as a `.nii.gz`; `NIfTIFile.read` must return or throw `ImagingError`, never trap, hang or blow up memory
/// (libFuzzer's -rss_limit_mb and -timeout catch the last two).
private let folder = try! PrivateFolder.make(prefix: "neoich-fuzz-nifti-")

@_cdecl("NIfTIFuzz_main")
public func fuzzNIfTIMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv, fuzzNIfTI)
}

func fuzzNIfTI(_ data: Data) {
    let plain = folder.appendingPathComponent("input.nii")
    try? data.write(to: plain)
    _ = try? NIfTIFile.read(plain, as: Float.self)
    _ = try? NIfTIFile.read(plain, as: UInt8.self)
    let gz = folder.appendingPathComponent("input.nii.gz")
    if (try? GzipFile.write(data, to: gz)) != nil { _ = try? NIfTIFile.read(gz, as: Float.self) }
}
