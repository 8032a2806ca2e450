import Foundation

/// libFuzzer's driver, called from each fuzz target's entry point.
///
/// SwiftPM links every executable with its entry point renamed to `<Target>_main`, so the targets cannot
/// leave `main` to libFuzzer; each defines `<Target>_main` and hands over to `LLVMFuzzerRunDriver`
/// (libFuzzer's documented entry for programs that keep their own `main`).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target's test, called once per input from libFuzzer's C callback (one fuzzing loop per process).
nonisolated(unsafe) private var test: (Data) -> Void = { _ in }

/// Runs libFuzzer with this process's arguments, handing each input to `body` as `Data`.
public func runFuzzer(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ body: @escaping (Data) -> Void) -> CInt {
    test = body
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { start, size in
        test(start.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }
}
