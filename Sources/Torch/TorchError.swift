import CTorch

/// An error raised inside libtorch (or by the C ABI's argument checks), carrying libtorch's own message.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    /// libtorch's text, without the C++ backtrace.
    public let message: String
    /// The operation that failed, as NeoICH names it (e.g. `conv3d`, `reshape`).
    public let operation: String

    public init(_ message: String, operation: String = "") {
        self.message = message
        self.operation = operation
    }

    public var description: String {
        operation.isEmpty ? "libtorch: \(message)" : "libtorch \(operation): \(message)"
    }
}

/// Turns a C ABI status into a thrown `TorchError` with the thread-local message.
@inline(__always)
func check(_ status: ct_status, _ operation: @autoclosure () -> String = "") throws {
    if status != CT_OK {
        throw TorchError(String(cString: ct_last_error()), operation: operation())
    }
}

/// Checks the status of a metadata read (sizes, dtype, flags) of a live handle, which fails only when the C ABI
/// itself is broken: traps with libtorch's message rather than returning a made-up value.
@inline(__always)
func checkedMetadata(_ status: ct_status, _ operation: @autoclosure () -> String) {
    if status != CT_OK {
        fatalError("libtorch \(operation()): \(String(cString: ct_last_error()))")
    }
}

/// Runs a throwing tensor expression and traps with libtorch's message on failure.
///
/// Used by the operators (`+`, `*`, comparisons), which cannot throw; the throwing methods are the
/// recoverable forms.
@inline(__always)
func trapping<T>(_ body: () throws -> T, file: StaticString = #file, line: UInt = #line) -> T {
    do {
        return try body()
    } catch {
        fatalError("\(error)", file: file, line: line)
    }
}
