import Foundation
import Imaging
import Pipeline
import Testing
import TestSupport

/// The command line and the cohort run meet the hostile corpus as a separate process, the way a user's
/// shell or a scheduler runs them: every file is refused with a message naming it and the problem, nothing
/// crashes (no trap, no signal), each refusal takes seconds and the process's peak memory stays near that of
/// predicting a good case (both read the same way; see `ChildProcess` on what the figure includes).
@Suite(.serialized) struct HostileInputCommandTests {
    let directory: TemporaryDirectory
    let models: ModelLocations
    let neoich = ChildProcess.built("neoich")

    init() throws {
        directory = try TemporaryDirectory("neoich-hostile-cli")
        models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
    }

    func predict(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(neoich, ["predict"] + arguments + [
            "--segmentation-model", models.segmentation.path, "--classifier-model", models.classifier.path, "--no-mirroring",
        ], environment: ["NEOICH_THREADS": "1"])
    }

    /// Predicting one good case: the memory every refusal is held to.
    func baseline() throws -> ChildProcess.Outcome {
        let good = directory.file("good.nii.gz")
        try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: 3), to: good)
        let outcome = try predict([good.path, "-o", directory.file("good-out").path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return outcome
    }

    @Test func eachFileIsRefusedByTheCommandLine() throws {
        let good = try baseline()
        let limitMiB = good.peakResidentMiB + 256
        var worst = (name: "", mib: 0.0, seconds: 0.0)
        for (k, (url, entry)) in try HostileInputs.shared().enumerated() {
            let outcome = try predict([url.path, "-o", directory.file("out-\(k)").path])
            let message = outcome.standardError + outcome.standardOutput
            #expect(outcome.status != 0 && outcome.status < 128, "\(entry.name): status \(outcome.status)\n\(message)")
            #expect(message.contains(entry.name), "\(entry.name): \(message)")
            #expect(entry.expected.contains { message.lowercased().contains($0) }, "\(entry.name): \(message)")
            #expect(outcome.seconds < 20, "\(entry.name): \(outcome.seconds) s")
            #expect(outcome.peakResidentMiB < limitMiB, "\(entry.name): \(outcome.peakResidentMiB) MiB, good case \(good.peakResidentMiB) MiB")
            if outcome.peakResidentMiB > worst.mib { worst = (entry.name, outcome.peakResidentMiB, outcome.seconds) }
        }
        print("hostile corpus, command line: good case \(Int(good.peakResidentMiB)) MiB; largest refusal \(worst.name) "
              + "\(Int(worst.mib)) MiB in \(String(format: "%.1f", worst.seconds)) s")
    }

    @Test func aCohortRunRefusesEachFileAndStillPredictsTheGoodCases() throws {
        let good = try baseline()
        let cohort = directory.file("cohort")
        try FileManager.default.createDirectory(at: cohort, withIntermediateDirectories: true)
        let corpus = try HostileInputs.shared()
        for (url, entry) in corpus { try FileManager.default.copyItem(at: url, to: cohort.appendingPathComponent(entry.name)) }
        for k in 0..<2 {
            try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: UInt64(k)), to: cohort.appendingPathComponent("good_\(k).nii.gz"))
        }
        let out = directory.file("cohort-out")
        let outcome = try predict(["--cohort", cohort.path, "-o", out.path])
        #expect(outcome.status == 1, "\(outcome.standardError)")
        #expect(outcome.peakResidentMiB < good.peakResidentMiB + 256, "\(outcome.peakResidentMiB) MiB")
        #expect(outcome.seconds < 120)
        let table = try String(contentsOf: out.appendingPathComponent("predictions.csv"), encoding: .utf8)
        let rows = table.split(separator: "\n").dropFirst()
        #expect(rows.filter { $0.hasPrefix("good_") && $0.contains(",done,") }.count == 2)
        for (_, entry) in corpus {
            let id = CTSource.caseID(of: URL(fileURLWithPath: entry.name))
            let row = rows.first { $0.hasPrefix("\(id),") }
            #expect(row?.contains(",failed,") == true, "\(entry.name): \(row ?? "no row")")
            #expect(row?.contains(entry.name) == true, "\(entry.name): the error names the file: \(row ?? "")")
        }
        // A rerun skips the good cases and refuses the same files again, as quickly.
        let again = try predict(["--cohort", cohort.path, "-o", out.path])
        #expect(again.standardOutput.contains("0 predicted") && again.standardOutput.contains("2 already done"), "\(again.standardOutput)")
    }
}
