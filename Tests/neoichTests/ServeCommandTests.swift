import Foundation
import Testing
@testable import neoich

@Suite("neoich serve")
struct ServeCommandTests {
    static let missingModels = ["--segmentation-model", "/nonexistent/segmentation", "--classifier-model", "/nonexistent/classifier"]

    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try NeoICH.parseAsRoot(["serve"] + arguments + missingModels)
            return nil
        } catch {
            return NeoICH.message(for: error)
        }
    }

    /// A network-reachable bind is refused without a token (before anything else is checked); with one, or on
    /// loopback, only the missing models are reported.
    @Test func networkBindNeedsAToken() throws {
        try #require(ProcessInfo.processInfo.environment["NEOICH_TOKEN"] == nil)
        let refused = try #require(Self.refusal(["--host", "0.0.0.0"]))
        #expect(refused.contains("--token") && refused.contains("NEOICH_TOKEN") && refused.contains("reachable from the network"))
        for arguments in [["--host", "0.0.0.0", "--token", "T", "--allowed-host", "reader.local"], ["--host", "127.0.0.1"], []] {
            let message = try #require(Self.refusal(arguments))
            #expect(!message.contains("--token") && message.contains("missing"), "\(arguments): \(message)")
        }
    }

    /// The reader's limits are options; a non-positive one is a usage error naming them.
    @Test func limitsAreOptionsAndMustBePositive() throws {
        let refused = try #require(Self.refusal(["--upload-stall-seconds", "0"]))
        #expect(refused.contains("--upload-stall-seconds") && refused.contains("positive"))
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models")
        let parsed = try #require(try NeoICH.parseAsRoot([
            "serve", "--uploads", "2", "--upload-stall-seconds", "5", "--upload-time-limit-seconds", "60", "--idle-seconds", "9",
            "--explanations", "3", "--segmentation-model", models.appendingPathComponent("segmentation").path,
            "--classifier-model", models.appendingPathComponent("classifier").path,
        ]) as? Serve)
        #expect(parsed.concurrentUploads == 2 && parsed.uploadStallSeconds == 5 && parsed.uploadTimeLimitSeconds == 60)
        #expect(parsed.connectionIdleSeconds == 9 && parsed.pendingExplanations == 3)
    }
}
