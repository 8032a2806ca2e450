import Foundation
import Testing
import Torch
@testable import neoich

@Suite("neoich doctor")
struct DoctorTests {
    @Test func reportsTheEngineAndSearchPaths() throws {
        let report = DoctorReport.collect(environment: ["NEOICH_MODELS": "/a:/b", "PATH": "/usr/bin:/bin", "NEOICH_DATA": "/data"])
        #expect(report.oneDNN)
        #expect(report.libtorchCompiled == report.libtorchRuntime)
        #expect(report.threads >= 1)
        #expect(report.modelDirectories.prefix(2) == ["/a", "/b"])
        #expect(report.dataDirectory == "/data")
        #expect(report.text.contains("oneDNN        available"))
        let decoded = try JSONDecoder().decode(DoctorReport.self, from: Data(report.jsonText().utf8))
        #expect(decoded.libtorchCompiled == report.libtorchCompiled)
    }

    @Test func reportsTheGPUsAndWhatAutoPicks() throws {
        let report = DoctorReport.collect(environment: ["PATH": "/usr/bin:/bin", "NEOICH_DEVICE": "cpu"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.jsonText().utf8)) as? [String: Any])
        #expect(json["gpus"] is [Any], "\(json.keys.sorted())")
        #expect(json["gpuSummary"] is String)
        #expect(json["autoDevice"] as? String == report.autoDevice)
        #expect(json["configuredDevice"] as? String == "cpu")
        #expect(report.text.contains("GPU           \(report.gpuSummary)"))
        if !Runtime.hasCUDA {
            #expect(report.gpus.isEmpty)
            #expect(report.gpuSummary == "none (libtorch built without CUDA)")
            #expect(report.autoDevice == "cpu")
            #expect(report.text.contains("device        auto → cpu"))
            // CUDA asked for through the environment on a machine without it is a problem doctor names.
            let asked = DoctorReport.collect(environment: ["PATH": "/usr/bin:/bin", "NEOICH_DEVICE": "cuda"])
            #expect(asked.problems.contains { $0.contains("NEOICH_DEVICE") && $0.contains("libtorch built without CUDA") }, "\(asked.problems)")
        }
    }

    /// The GPU line as a CUDA machine shows it (formatting only; the values are made up).
    @Test func describesGPUs() {
        let gpus = [CUDADeviceInfo(index: 0, name: "NVIDIA H100 80GB HBM3", totalMemory: 85_031_714_816, computeCapability: "9.0"),
                    CUDADeviceInfo(index: 1, name: "CUDA device 1", totalMemory: nil, computeCapability: nil)]
        #expect(DoctorReport.gpuSummary(gpus, hasCUDA: true)
                == "cuda:0 NVIDIA H100 80GB HBM3, 79.2 GiB, compute capability 9.0; cuda:1 CUDA device 1")
        #expect(DoctorReport.gpuSummary([], hasCUDA: true) == "none (libtorch has CUDA but sees no GPU)")
        #expect(DoctorReport.gpuSummary([], hasCUDA: false) == "none (libtorch built without CUDA)")
    }

    @Test func parsesSubcommands() throws {
        let command = try NeoICH.parseAsRoot(["doctor", "--json"])
        #expect((command as? Doctor)?.json == true)
    }
}
