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

/// Runs libFuzzer with this process's arguments over `callback`.
public func runFuzzer(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, callback)
}
