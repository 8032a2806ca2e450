import Foundation
import Testing
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

    @Test func parsesSubcommands() throws {
        let command = try NeoICH.parseAsRoot(["doctor", "--json"])
        #expect((command as? Doctor)?.json == true)
    }
}
