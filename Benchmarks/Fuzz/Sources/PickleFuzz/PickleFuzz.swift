import Foundation
import FuzzDriver
import Interop

/// libFuzzer entry: the bytes as a PyTorch checkpoint (zip container, restricted unpickler, tensor rebuilding),
/// then the same bytes as a checkpoint's bare `data.pkl`; each must return or throw `InteropError`, never trap,
/// hang or blow up memory (libFuzzer's -rss_limit_mb and -timeout catch the last two).
@_cdecl("PickleFuzz_main")
public func fuzzPickleMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv, fuzzPickle)
}

func fuzzPickle(_ data: Data) {
    _ = try? TorchCheckpoint.load(data: data, source: "fuzz")
    _ = try? TorchCheckpoint.loadPickle(data, source: "fuzz")
}
