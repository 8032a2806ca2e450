import Foundation
import Output

/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`), then the
/// raw little-endian tensor data, offsets relative to the end of the header.
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit is 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// A file's tensors by name and its free-form string metadata.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
    }

    // MARK: - Reading

    /// Reads a safetensors file.
    /// - Throws: `SafeTensorsError` naming the file and what is wrong with it.
    public static func read(_ url: URL) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.unreadable(url.path, String(describing: error))
        }
        return try decode(data, source: url.path)
    }

    /// Decodes safetensors bytes; `source` names the origin in errors.
    public static func decode(_ data: Data, source: String = "<memory>") throws -> Contents {
        func fail(_ problem: String) -> SafeTensorsError { .malformed(source, problem) }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for (i, byte) in data.prefix(8).enumerated() {
            headerLength |= UInt64(byte) << UInt64(8 * i)
        }
        guard headerLength <= UInt64(maximumHeaderBytes) else { throw fail("header length \(headerLength) exceeds \(maximumHeaderBytes)") }
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= data.count else { throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes)") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))
        } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        let payload = data.count - headerEnd
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        var ranges: [(Int, Int, String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (key, item) in entries {
                    guard let text = item as? String else { throw fail("__metadata__.\(key) is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any],
                  let code = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [NSNumber],
                  let offsets = entry["data_offsets"] as? [NSNumber], offsets.count == 2
            else { throw fail("tensor \(name): entry needs dtype, shape and two data_offsets") }
            guard let dtype = dtype(forCode: code) else { throw fail("tensor \(name): unsupported dtype \(code)") }
            let shape = shapeValues.map(\.intValue)
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(name): negative dimension in \(shape)") }
            let begin = offsets[0].intValue, end = offsets[1].intValue
            guard begin >= 0, end >= begin, end <= payload else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] outside the \(payload)-byte data section")
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, n in
                let (product, o) = acc.0.multipliedReportingOverflow(by: n)
                return (product, acc.1 || o)
            }
            guard !overflow, elements * dtype.byteSize == end - begin else {
                throw fail("tensor \(name): shape \(shape) of \(code) needs \(elements * dtype.byteSize) bytes, offsets give \(end - begin)")
            }
            ranges.append((begin, end, name))
            let bytes = data.subdata(in: (headerEnd + begin)..<(headerEnd + end))
            tensors[name] = try bytes.withUnsafeBytes { raw in
                try Tensor(bytes: raw, shape: shape, dtype: dtype)
            }
        }
        ranges.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var cursor = 0
        for (begin, end, name) in ranges {
            guard begin == cursor else { throw fail("tensor \(name) starts at \(begin), expected \(cursor) (gap or overlap)") }
            cursor = end
        }
        guard cursor == payload else { throw fail("data section has \(payload - cursor) trailing bytes not owned by any tensor") }
        return Contents(tensors: tensors, metadata: metadata)
    }

    // MARK: - Writing

    /// Encodes tensors (in name order) and metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var blobs: [Data] = []
        var offset = 0
        for (name, tensor) in tensors.sorted(by: { $0.name < $1.name }) {
            guard header[name] == nil else { throw SafeTensorsError.duplicateName(name) }
            let blob = try tensor.rawData()
            header[name] = ["dtype": code(for: tensor.dtype), "shape": tensor.shape, "data_offsets": [offset, offset + blob.count]] as [String: Any]
            offset += blob.count
            blobs.append(blob)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        let padding = (8 - json.count % 8) % 8
        json.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: padding))
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for blob in blobs { out.append(blob) }
        return out
    }

    /// Writes tensors atomically (temporary file, then rename).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    // MARK: - dtype codes

    static func dtype(forCode code: String) -> DType? {
        switch code {
        case "F32": .float32
        case "F64": .float64
        case "F16": .float16
        case "BF16": .bfloat16
        case "I64": .int64
        case "I32": .int32
        case "I16": .int16
        case "I8": .int8
        case "U8": .uint8
        case "BOOL": .bool
        default: nil
        }
    }

    static func code(for dtype: DType) -> String {
        switch dtype {
        case .float32: "F32"
        case .float64: "F64"
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .int64: "I64"
        case .int32: "I32"
        case .int16: "I16"
        case .int8: "I8"
        case .uint8: "U8"
        case .bool: "BOOL"
        }
    }
}

/// Problems with a safetensors file.
public enum SafeTensorsError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case malformed(String, String)
    case duplicateName(String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read safetensors file: \(reason)"
        case .malformed(let file, let problem): "\(file): not a valid safetensors file: \(problem)"
        case .duplicateName(let name): "two tensors named \(name)"
        }
    }
}

extension Tensor {
    /// The tensor's bytes, contiguous, little-endian, on the CPU.
    func rawData() throws -> Data {
        try detached().withUnsafeRawBytes { Data($0) }
    }
}
