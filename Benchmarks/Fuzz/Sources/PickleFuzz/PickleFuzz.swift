import Foundation
import Interop

/// libFuzzer entry: the bytes as a PyTorch checkpoint (zip container, restricted unpickler, tensor rebuilding),
/// then the same bytes as the bare `data.pkl` of a checkpoint; each must return or throw `InteropError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    _ = try? TorchCheckpoint.load(data: data, source: "fuzz")
    _ = try? TorchCheckpoint.loadPickle(data, source: "fuzz")
    return 0
}
