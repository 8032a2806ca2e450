import Foundation
import Torch

/// Rebuilds a tensor the way `torch._utils._rebuild_tensor_v2` does (`storage.as_strided(size, stride, offset)`),
/// as a contiguous copy: every element a view reaches must lie inside its storage, and a view may not hold more
/// elements than its storage (overlapping, stride-0 views would let a small file ask for huge allocations).
enum StridedStorage {
    /// Most dimensions accepted.
    static let maximumRank = 32

    /// - Parameters:
    ///   - storage: the storage's raw bytes, `numel × dtype.byteSize` long, little-endian.
    ///   - numel: elements in the storage.
    ///   - offset, size, stride: the view, in elements.
    /// - Throws: a message describing the inconsistency (the caller names the file and key).
    static func tensor(storage: Data, dtype: DType, numel: Int, offset: Int, size: [Int], stride: [Int]) throws -> Tensor {
        guard size.count == stride.count else { throw Problem("size \(size) and stride \(stride) differ in rank") }
        guard size.count <= maximumRank else { throw Problem("rank \(size.count) exceeds \(maximumRank)") }
        guard size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw Problem("negative size, stride or offset (size \(size), stride \(stride), offset \(offset))")
        }
        guard storage.count == numel * dtype.byteSize else {
            throw Problem("storage holds \(storage.count) bytes, numel \(numel) of \(dtype) needs \(numel * dtype.byteSize)")
        }
        var elements = 1
        var last = offset
        for (n, s) in zip(size, stride) {
            let (e, o1) = elements.multipliedReportingOverflow(by: n)
            guard !o1 else { throw Problem("size \(size) overflows") }
            elements = e
            if n > 0 {
                let (reach, o2) = (n - 1).multipliedReportingOverflow(by: s)
                let (sum, o3) = last.addingReportingOverflow(reach)
                guard !o2, !o3 else { throw Problem("size \(size) with stride \(stride) overflows") }
                last = sum
            }
        }
        if elements == 0 { return try Tensor.zeros(size, dtype: dtype) }
        guard last < numel else {
            throw Problem("size \(size), stride \(stride), offset \(offset) reach element \(last) of a storage of \(numel)")
        }
        guard elements <= numel else {
            throw Problem("view of \(elements) elements over a storage of \(numel) (overlapping strides \(stride))")
        }
        let width = dtype.byteSize
        return try storage.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Tensor in
            if isContiguous(size: size, stride: stride) {
                return try Tensor(bytes: UnsafeRawBufferPointer(rebasing: raw[(offset * width)..<((offset + elements) * width)]),
                                  shape: size, dtype: dtype)
            }
            // Copy row by row (the innermost dimension), walking the outer indices like an odometer.
            var out = [UInt8](repeating: 0, count: elements * width)
            let rank = size.count
            let rowLength = size[rank - 1], rowStride = stride[rank - 1]
            var index = [Int](repeating: 0, count: rank)
            var written = 0
            out.withUnsafeMutableBytes { target in
                while written < elements {
                    var base = offset
                    for d in 0..<(rank - 1) { base += index[d] * stride[d] }
                    if rowStride == 1 {
                        target.baseAddress!.advanced(by: written * width)
                            .copyMemory(from: raw.baseAddress!.advanced(by: base * width), byteCount: rowLength * width)
                    } else {
                        for i in 0..<rowLength {
                            target.baseAddress!.advanced(by: (written + i) * width)
                                .copyMemory(from: raw.baseAddress!.advanced(by: (base + i * rowStride) * width), byteCount: width)
                        }
                    }
                    written += rowLength
                    var d = rank - 2
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < size[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
            return try out.withUnsafeBytes { try Tensor(bytes: $0, shape: size, dtype: dtype) }
        }
    }

    /// Whether `stride` is the row-major stride of `size` (dimensions of size 1 may have any stride).
    static func isContiguous(size: [Int], stride: [Int]) -> Bool {
        var expected = 1
        for (n, s) in zip(size, stride).reversed() {
            if n != 1 && s != expected { return false }
            expected *= n
        }
        return true
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
