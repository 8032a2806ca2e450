import Foundation
import FuzzDriver
import Imaging

/// libFuzzer entry: the bytes as a `.zip`, listed, checked and extracted by `ZipArchive` under its limits;
/// it must return or throw `ImagingError` and leave nothing outside its folder.
private let folder = try! PrivateFolder.make(prefix: "neoich-fuzz-zip-")

@_cdecl("ZipFuzz_main")
public func fuzzZipMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv, fuzzZip)
}

func fuzzZip(_ data: Data) {
    let archive = folder.appendingPathComponent("input.zip")
    try? data.write(to: archive)
    let target = folder.appendingPathComponent("extracted")
    try? FileManager.default.removeItem(at: target)
    try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    _ = try? ZipArchive.extract(archive, into: target)
}
