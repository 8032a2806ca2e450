/// The contiguous storage behind a `Volume`: `count` elements in (z, y, x) order, x fastest, 64-byte aligned.
///
/// A class so that the storage can outlive the volume that made it: the tensor engine wraps
/// `baseAddress` without copying (e.g. `torch::from_blob`) and keeps the buffer alive with
/// `Unmanaged.passRetained(buffer)`, releasing it in the tensor's deleter. `Volume` copies the buffer
/// before mutating it whenever it is shared (`isKnownUniquelyReferenced`), so a buffer handed to a
/// tensor is never written by Swift afterwards; the tensor side must treat it as read-only (or clone).
public final class VoxelBuffer<Element: VoxelScalar>: @unchecked Sendable {
    // @unchecked: the memory is only written while the buffer is uniquely referenced (copy-on-write
    // in `Volume`), so shared buffers are read-only.

    /// The first element.
    public let baseAddress: UnsafeMutablePointer<Element>
    /// The number of elements.
    public let count: Int

    /// Allocates `count` elements, all equal to `value`.
    public init(count: Int, repeating value: Element) {
        self.count = max(0, count)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(1, self.count) * MemoryLayout<Element>.stride, alignment: 64)
        baseAddress = raw.bindMemory(to: Element.self, capacity: max(1, self.count))
        baseAddress.initialize(repeating: value, count: self.count)
    }

    /// Copies `elements` into a new buffer.
    public convenience init<C: Collection>(_ elements: C) where C.Element == Element {
        self.init(count: elements.count, repeating: .zero)
        var pointer = baseAddress
        for element in elements {
            pointer.pointee = element
            pointer += 1
        }
    }

    /// Copies `count` elements from `source`.
    public convenience init(copying source: UnsafeBufferPointer<Element>) {
        self.init(count: source.count, repeating: .zero)
        if let base = source.baseAddress { baseAddress.update(from: base, count: source.count) }
    }

    deinit {
        UnsafeMutableRawPointer(baseAddress).deallocate()
    }

    /// The elements as a buffer pointer, valid while the buffer is alive.
    public var bufferPointer: UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: baseAddress, count: count)
    }

    /// The size in bytes.
    public var byteCount: Int { count * MemoryLayout<Element>.stride }

    /// A new buffer with the same elements.
    public func copy() -> VoxelBuffer<Element> {
        VoxelBuffer(copying: bufferPointer)
    }
}
