import Foundation
import Testing
import TestSupport
@testable import NN

@Suite("safetensors")
struct SafeTensorsTests {
    @Test func roundTripsEveryDType() throws {
        let dir = try TemporaryDirectory()
        var tensors: [(name: String, tensor: Tensor)] = []
        for dtype in DType.allCases {
            tensors.append(("t_\(dtype)", try Tensor([1.0, 0.0, -2.0, 3.0, 4.0, 5.0], shape: [2, 3]).to(dtype)))
        }
        tensors.append(("scalar", try Tensor(scalar: Float(2.5))))
        tensors.append(("empty", try Tensor.zeros([0, 4])))
        let url = dir.file("all.safetensors")
        try SafeTensors.write(tensors, metadata: ["note": "round trip"], to: url)
        let back = try SafeTensors.read(url)
        #expect(back.metadata == ["note": "round trip"])
        #expect(back.tensors.count == tensors.count)
        for (name, tensor) in tensors {
            let read = try #require(back.tensors[name])
            #expect(read.dtype == tensor.dtype, "\(name)")
            #expect(read.shape == tensor.shape, "\(name)")
            #expect(try read.equals(tensor), "\(name)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(leftovers == ["all.safetensors"], "no temporary files remain")
    }

    @Test func headerFollowsTheSpecification() throws {
        let data = try SafeTensors.encode([("a", Tensor([Float(1), 2]))])
        var n: UInt64 = 0
        for (i, byte) in data.prefix(8).enumerated() { n |= UInt64(byte) << UInt64(8 * i) }
        #expect((8 + Int(n)) % 8 == 0, "data section 8-byte aligned")
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(n)))) as? [String: Any]
        let entry = try #require(header?["a"] as? [String: Any])
        #expect(entry["dtype"] as? String == "F32")
        #expect(entry["shape"] as? [Int] == [2])
        #expect(entry["data_offsets"] as? [Int] == [0, 8])
        #expect(data.count == 8 + Int(n) + 8)
        // Little-endian IEEE 754: 1.0f = 00 00 80 3F.
        #expect(Array(data.suffix(8).prefix(4)) == [0x00, 0x00, 0x80, 0x3F])
    }

    struct Written: Decodable { var shape: [Int]; var values: [Double] }

    @Test func readsAFileWrittenByPythonSafetensors() throws {
        let url = try Fixture.url("python_written.safetensors", in: .module)
        let expected = try Fixture.json([String: Written].self, "python_written.json", in: .module)
        let contents = try SafeTensors.read(url)
        #expect(contents.metadata["origin"] == "safetensors.torch")
        let dtypes: [String: DType] = ["f32": .float32, "f64": .float64, "i64": .int64, "i16": .int16, "u8": .uint8,
                                       "f16": .float16, "bool": .bool, "scalar": .float32]
        for (name, reference) in expected {
            let t = try #require(contents.tensors[name], "\(name) missing")
            #expect(t.dtype == dtypes[name], "\(name) dtype \(t.dtype)")
            #expect(t.shape == reference.shape, "\(name)")
            #expect(try t.scalars(as: Double.self) == reference.values, "\(name)")
        }
        #expect(try contents.tensors["i64"]?.scalars(as: Int64.self).last == 1 << 40)
    }

    @Test func rejectsMalformedFilesWithTheProblemNamed() throws {
        let good = try SafeTensors.encode([("a", Tensor([Float(1), 2, 3]))])
        func problem(_ data: Data) -> String {
            do {
                _ = try SafeTensors.decode(data, source: "case.safetensors")
                return "accepted"
            } catch {
                return String(describing: error)
            }
        }
        #expect(problem(Data([1, 2, 3])).contains("shorter than the 8-byte header"))
        #expect(problem(good.prefix(good.count - 4)).contains("outside"))
        var huge = good
        huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        #expect(problem(huge).contains("exceeds"))
        var corrupt = good
        corrupt[9] = UInt8(ascii: "#")
        #expect(problem(corrupt).contains("not valid JSON"))
        #expect(problem(good + Data([0, 0, 0, 0])).contains("trailing bytes"))
        let badDtype = Self.file(header: #"{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}"#, payload: 4)
        #expect(problem(badDtype).contains("unsupported dtype X9"))
        let wrongSize = Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, payload: 4)
        #expect(problem(wrongSize).contains("needs 8 bytes"))
        let gap = Self.file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, payload: 8)
        #expect(problem(gap).contains("gap or overlap"))
        #expect(problem(good).contains("accepted"))
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }

    static func file(header: String, payload: Int) -> Data {
        var data = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: payload))
        return data
    }
}
