import Foundation
import Testing
import TestSupport
@testable import neoich

@Suite("neoich analyze")
struct AnalyzeCommandTests {
    @Test func writesTheStudyOfACohortFolder() throws {
        let directory = try TemporaryDirectory("analyze")
        var csv = "case,label,subtype,centre,split,age,sex\n"
        for i in 1...8 { csv += "c\(i),\(i <= 4 ? "neoplastic" : "non-neoplastic"),x,A,test,\(40 + 3 * i),\(i % 2 == 0 ? "F" : "M")\n" }
        try Data(csv.utf8).write(to: directory.file("cohort.csv"))
        for i in 1...8 {
            let json = """
                {"explanation": {"probabilities": [\(1 - Double(i) / 10), \(Double(i) / 10)], "methods": [
                {"method": "GradCAMPlusPlus", "regionImportance": {"ich": \(0.5 + 0.013 * Double(i * i % 7)), "phe": \(0.4 - 0.01 * Double(i)), "background": 0.01},
                 "faithfulness": \(0.3 + 0.02 * Double(i % 4))}]}}
                """
            try FileManager.default.createDirectory(at: directory.file("c\(i)"), withIntermediateDirectories: true)
            try Data(json.utf8).write(to: directory.file("c\(i)/explanation.json"))
        }
        let command = try #require(try NeoICH.parseAsRoot([
            "analyze", directory.url.path, "--output", directory.file("out").path, "--method", "gradcam++",
        ]) as? AnalyzeCommand)
        try command.run()
        for name in ["report.html", "study.json", "table1_baseline.csv", "table2_faithfulness.csv", "figures/roc.svg",
                     "figures/importance_violin.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.file("out/\(name)").path), "\(name)")
        }
    }

    @Test func rejectsAnUnknownMethod() throws {
        let command = try #require(try NeoICH.parseAsRoot(["analyze", "/nonexistent", "--method", "magic"]) as? AnalyzeCommand)
        #expect(throws: (any Error).self) { try command.run() }
    }
}
