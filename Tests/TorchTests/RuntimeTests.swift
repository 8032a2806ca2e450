import Testing
import Torch

@Suite("Runtime")
struct RuntimeTests {
    @Test func versionsAgreeAndOneDNNIsPresent() throws {
        #expect(Runtime.compiledVersion.hasPrefix("1.") || Runtime.compiledVersion.hasPrefix("2."))
        try Runtime.checkVersion()
        #expect(Runtime.hasOneDNN, "NeoICH needs libtorch with oneDNN (MKLDNN)")
        #expect(Runtime.buildConfiguration.contains("TORCH_VERSION"))
    }

    @Test func threadCountIsSettable() throws {
        let before = Runtime.threads
        try Runtime.setThreads(1)
        #expect(Runtime.threads == 1)
        try Runtime.setThreads(before)
        #expect(throws: TorchError.self) { try Runtime.setThreads(0) }
    }
}
