import Foundation
@testable import DICOM
import PACS
import Pipeline
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `neoich watch` against a real Orthanc (Debian's `orthanc`, started privately by each test): a synthetic
/// head CT uploaded to Orthanc comes back as a Segmentation, a measurement report and a Secondary Capture
/// in its study; a second run does nothing; a watcher killed during a study, or after uploading without
/// recording it, finishes the study on restart with exactly one set of results.
@Suite(.serialized, .enabled(if: OrthancServer.isInstalled, "needs Orthanc (Debian package orthanc; scripts/install-deps)"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
struct WatchCommandTests {
    static let segmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4"
    static let comprehensive3DSR = "1.2.840.10008.5.1.4.1.1.88.34"
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    /// A watcher's scratch: models, results folder, state file.
    struct Setup {
        let directory: TemporaryDirectory
        let models: ModelLocations
        let server: OrthancServer
        var state: URL { directory.file("state.json") }
        var results: URL { directory.file("results") }

        init(_ server: OrthancServer) throws {
            directory = try TemporaryDirectory("neoich-watch")
            models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
            self.server = server
        }

        var arguments: [String] {
            ["watch", "--orthanc", server.url.absoluteString, "--user", server.user, "--password", server.password,
             "--state", state.path, "-o", results.path, "--segmentation-model", models.segmentation.path,
             "--classifier-model", models.classifier.path, "--no-mirroring", "--retry-delay-seconds", "0.1"]
        }

        func once() throws -> ChildProcess.Outcome {
            try ChildProcess.run(ChildProcess.built("neoich"), arguments + ["--once"], environment: ["NEOICH_THREADS": "1"])
        }

        func readState() throws -> WatchState { try WatchState.load(state, server: server.url.absoluteString) }
    }

    @Test func uploadsSegmentationReportAndCaptureThenDoesNothingMore() throws {
        let server = try OrthancServer()
        let setup = try Setup(server)
        let study = try Self.uploadSyntheticStudy(to: server, seed: 3, in: setup.directory)
        try Self.waitUntilStable(server, study: study.studyInstanceUID)

        let first = try setup.once()
        try #require(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("1 done, 0 skipped, 0 failed"), "\(first.standardOutput)")

        let instances = try server.instances(ofStudy: study.studyInstanceUID)
        let classes = instances.compactMap { $0["SOPClassUID"] }
        #expect(classes.filter { $0 == Self.ctImageStorage }.count == 8)
        #expect(classes.filter { $0 == Self.segmentationStorage }.count == 1)
        #expect(classes.filter { $0 == Self.comprehensive3DSR }.count == 1)
        #expect(classes.filter { $0 == Self.secondaryCapture }.count == 1)

        // What Orthanc holds is what the case folder holds, and it refers to the uploaded CT series.
        let state = try setup.readState()
        let (jobID, job) = try #require(state.jobs.first { $0.value.level == "study" })
        #expect(job.status == .done && job.attempts == 1 && job.studyInstanceUID == study.studyInstanceUID)
        let folder = setup.results.appendingPathComponent(jobID)
        for (name, sopClass) in zip(DICOMCaseResults.fileNames, [Self.segmentationStorage, Self.comprehensive3DSR, Self.secondaryCapture]) {
            let local = try DICOMInstanceIdentity(reading: folder.appendingPathComponent(name))
            let stored = try #require(instances.first { $0["SOPInstanceUID"] == local.sopInstanceUID }, "\(name) not in Orthanc")
            #expect(stored["SOPClassUID"] == sopClass)
            #expect(local.studyInstanceUID == study.studyInstanceUID)
        }
        let segID = try #require(instances.first { $0["SOPClassUID"] == Self.segmentationStorage }?["OrthancID"])
        let segFile = setup.directory.file("from-orthanc-seg.dcm")
        try server.data("instances/\(segID)/file").write(to: segFile)
        let seg = try DICOMDataset(reading: segFile.path)
        #expect(try seg.string("ReferencedSeriesSequence[0].SeriesInstanceUID") == study.seriesInstanceUID)
        #expect(try seg.string("FrameOfReferenceUID") == study.frameOfReferenceUID)
        let report = try PredictionReport.read(folder.appendingPathComponent("report.json"))
        #expect(report.files.dicom == DICOMCaseResults.fileNames)
        try Self.checkAsStoredInOrthanc(server, instances: instances, study: study, caseFolder: folder, in: setup.directory)

        // The uploads made the study change again; the next run sees it and does nothing.
        try Self.waitUntilStable(server, study: study.studyInstanceUID)
        let second = try setup.once()
        try #require(second.status == 0, "\(second.standardError)")
        #expect(Self.alreadyFinished(second.standardOutput) >= 1, "\(second.standardOutput)")
        #expect(second.standardOutput.contains(": 0 done, 0 skipped, 0 failed,"), "\(second.standardOutput)")
        #expect(try server.instances(ofStudy: study.studyInstanceUID).count == instances.count)
        #expect(try setup.readState().jobs[jobID] == job)
    }

    @Test func restartAfterAKillFinishesTheStudyOnce() throws {
        let server = try OrthancServer()
        let setup = try Setup(server)
        let study = try Self.uploadSyntheticStudy(to: server, seed: 5, in: setup.directory)
        try Self.waitUntilStable(server, study: study.studyInstanceUID)

        // A polling watcher, killed (SIGKILL) as soon as its state says it is working on the study.
        let watcher = Process()
        watcher.executableURL = ChildProcess.built("neoich")
        watcher.arguments = setup.arguments + ["--poll-seconds", "0.2"]
        watcher.environment = ProcessInfo.processInfo.environment.merging(["NEOICH_THREADS": "1"]) { $1 }
        watcher.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try watcher.run()
        let deadline = Date().addingTimeInterval(60)
        while (try? setup.readState())?.jobs.values.contains(where: { $0.status == .processing }) != true {
            guard Date() < deadline, watcher.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        kill(watcher.processIdentifier, SIGKILL)
        watcher.waitUntilExit()
        let killed = try #require(try setup.readState().jobs.values.first)
        try #require(killed.status == .processing, "the watcher finished before it could be killed: \(killed)")

        let resumed = try setup.once()
        try #require(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("1 done"), "\(resumed.standardOutput)")
        let (jobID, job) = try #require(try setup.readState().jobs.first)
        #expect(job.status == .done && job.attempts == 2)
        let results = try Self.results(in: server, study: study.studyInstanceUID)
        #expect(results.count == 3, "\(results)")

        // A kill after the uploads but before they were recorded: the next run removes them and uploads anew.
        var state = try setup.readState()
        var interrupted = try #require(state.jobs[jobID])
        interrupted.status = .uploading
        for k in interrupted.uploads.indices { interrupted.uploads[k].orthancID = nil }
        state.jobs[jobID] = interrupted
        state.lastChange = job.change - 1
        try state.save(setup.state)
        let again = try setup.once()
        try #require(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("1 done"), "\(again.standardOutput)")
        let after = try Self.results(in: server, study: study.studyInstanceUID)
        #expect(after.count == 3, "\(after)")
        #expect(Set(after).isDisjoint(with: results), "the earlier objects should have been replaced")
        #expect(try setup.readState().jobs[jobID]?.attempts == 3)
    }

    @Test func studyInterruptedByOrthancGoingAwayIsRetriedOnTheNextRun() throws {
        let server = try OrthancServer()
        let setup = try Setup(server)
        let study = try Self.uploadSyntheticStudy(to: server, seed: 7, in: setup.directory)
        try Self.waitUntilStable(server, study: study.studyInstanceUID)

        // Orthanc dies (SIGKILL) while the watcher works on the study.
        let watcher = Process()
        watcher.executableURL = ChildProcess.built("neoich")
        watcher.arguments = setup.arguments + ["--once", "--retries", "2"]
        watcher.environment = ProcessInfo.processInfo.environment.merging(["NEOICH_THREADS": "1"]) { $1 }
        watcher.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        watcher.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try watcher.run()
        let deadline = Date().addingTimeInterval(60)
        while (try? setup.readState())?.jobs.values.contains(where: { $0.status == .processing }) != true {
            guard Date() < deadline, watcher.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        server.kill()
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 75, "EX_TEMPFAIL: try again later")
        let (jobID, waiting) = try #require(try setup.readState().jobs.first)
        #expect(waiting.status == .waitingToRetry && waiting.attempts == 1, "\(waiting)")
        #expect(waiting.message?.contains("cannot reach \(server.url.absoluteString)") == true, "\(waiting)")

        try server.start()
        let resumed = try setup.once()
        try #require(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("1 done"), "\(resumed.standardOutput)")
        let job = try #require(try setup.readState().jobs[jobID])
        #expect(job.status == .done && job.attempts == 2 && job.message == nil, "\(job)")
        #expect(try Self.results(in: server, study: study.studyInstanceUID).count == 3)
    }

    @Test func seriesTriggerHandlesEachSeriesAndSkipsItsOwnResults() throws {
        let server = try OrthancServer()
        let setup = try Setup(server)
        let study = try Self.uploadSyntheticStudy(to: server, seed: 8, in: setup.directory)
        try Self.waitUntilStable(server, study: study.studyInstanceUID)
        let first = try ChildProcess.run(ChildProcess.built("neoich"), setup.arguments + ["--once", "--trigger", "series"],
                                         environment: ["NEOICH_THREADS": "1"])
        try #require(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("1 done, 0 skipped, 0 failed"), "\(first.standardOutput)")
        #expect(try Self.results(in: server, study: study.studyInstanceUID).count == 3)

        // The three result series become stable in turn: each is skipped as not CT, nothing is redone; the state
        // keeps only the newest skipped entry (--keep-skipped 1), the done one stays.
        try Self.waitUntilStable(server, study: study.studyInstanceUID)
        Thread.sleep(forTimeInterval: 1.5)
        let second = try ChildProcess.run(ChildProcess.built("neoich"), setup.arguments + ["--once", "--trigger", "series", "--keep-skipped", "1"],
                                          environment: ["NEOICH_THREADS": "1"])
        try #require(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains(": 0 done, 3 skipped, 0 failed"), "\(second.standardOutput)")
        let state = try setup.readState()
        let skipped = state.jobs.values.filter { $0.status == .skipped }
        #expect(skipped.count == 1 && skipped.allSatisfy { $0.level == "series" && $0.message == "no CT series" }, "\(state.jobs)")
        #expect(skipped.first?.change == state.jobs.values.map(\.change).max())
        #expect(state.jobs.values.filter { $0.status == .done }.count == 1)
        #expect(try Self.results(in: server, study: study.studyInstanceUID).count == 3)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: OrthancServer.dicomWebPlugin),
                   "needs Orthanc's DICOMweb plugin (Debian package orthanc-dicomweb; scripts/install-deps)"))
    func stowUploadsThroughDICOMweb() throws {
        let server = try OrthancServer(plugins: [OrthancServer.dicomWebPlugin])
        let setup = try Setup(server)
        let study = try Self.uploadSyntheticStudy(to: server, seed: 6, in: setup.directory)
        try Self.waitUntilStable(server, study: study.studyInstanceUID)
        let run = try ChildProcess.run(ChildProcess.built("neoich"), setup.arguments + ["--once", "--stow"],
                                       environment: ["NEOICH_THREADS": "1"])
        try #require(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("1 done, 0 skipped, 0 failed"), "\(run.standardOutput)")
        #expect(run.standardError.contains("with STOW-RS"), "\(run.standardError)")
        let job = try #require(try setup.readState().jobs.values.first)
        #expect(Set(try Self.results(in: server, study: study.studyInstanceUID)) == Set(job.uploads.map(\.sopInstanceUID)))
        #expect(job.uploads.count == 3)

        // Without the plugin's route the upload is refused, the study fails with the answer, nothing is left.
        let other = try Self.uploadSyntheticStudy(to: server, seed: 11, in: setup.directory)
        try Self.waitUntilStable(server, study: other.studyInstanceUID)
        let refused = try ChildProcess.run(ChildProcess.built("neoich"), setup.arguments + ["--once", "--stow", "--dicomweb-root", "no-such-root"],
                                           environment: ["NEOICH_THREADS": "1"])
        #expect(refused.standardOutput.contains("0 done, 0 skipped, 1 failed"), "\(refused.standardOutput)")
        #expect(refused.standardOutput.contains("no-such-root/studies: HTTP 404"), "\(refused.standardOutput)")
        #expect(try Self.results(in: server, study: other.studyInstanceUID).isEmpty)
    }

    @Test func refusedStudiesAreRecordedAndNotRetriedButSeriesArrivingLaterAreDone() throws {
        let server = try OrthancServer()
        let setup = try Setup(server)
        // A CT series tilted in the gantry (each slice shifted 0.8 mm along y per step): the pipeline refuses it.
        let folder = setup.directory.file("tilted")
        try PredictDICOMCommandTests.writeSeries(PlumbingFixtures.syntheticCT(seed: 9), to: folder)
        var studyUID = ""
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        for (k, file) in files.enumerated() {
            let dataset = try DICOMDataset(reading: file.path, headersOnly: false)
            var position = try #require(try dataset.numbers("ImagePositionPatient", file: file.path))
            position[1] += 0.8 * Double(k)
            try dataset.set("ImagePositionPatient", position.map { String($0) }.joined(separator: "\\"))
            try dataset.write(to: file)
            studyUID = try dataset.string("StudyInstanceUID") ?? ""
            try server.upload(file)
        }
        try Self.waitUntilStable(server, study: studyUID)
        let first = try setup.once()
        try #require(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("0 done, 0 skipped, 1 failed"), "\(first.standardOutput)")
        let (jobID, job) = try #require(try setup.readState().jobs.first)
        #expect(job.status == .failed && job.attempts == 1)
        // dcm2niix or the header check refuses it; either way the message names the download, not a temporary folder.
        #expect(job.message?.hasPrefix("\(jobID).zip") == true && job.message?.contains("neoich-watch-") == false, "\(job)")
        #expect(try Self.results(in: server, study: studyUID).isEmpty)

        // A good CT series arrives in the study after it went stable: Orthanc calls the study stable again, the
        // failed job stays failed, and the new series (only it, not the tilted one) gets a job of its own.
        let extra = setup.directory.file("extra")
        try PredictDICOMCommandTests.writeSeries(PlumbingFixtures.syntheticCT(seed: 10), to: extra)
        _ = try Self.restamp(extra, study: studyUID, in: server)
        try Self.waitUntilStable(server, study: studyUID)
        let second = try setup.once()
        try #require(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains(": 1 done, 0 skipped, 0 failed,"), "\(second.standardOutput)")
        let state = try setup.readState()
        #expect(state.jobs[jobID] == job)
        let later = try #require(state.jobs["\(jobID).2"], "\(state.jobs.keys)")
        #expect(later.status == .done && later.series.count == 1 && Set(later.series).isDisjoint(with: job.series), "\(later)")
        #expect(try Self.results(in: server, study: studyUID).count == 3)
        #expect(FileManager.default.fileExists(atPath: setup.results.appendingPathComponent("\(jobID).2/report.json").path))

        // Its uploads make the study stable once more: no CT series is new, nothing is done again.
        try Self.waitUntilStable(server, study: studyUID)
        let third = try setup.once()
        #expect(third.standardOutput.contains(": 0 done, 0 skipped, 0 failed,"), "\(third.standardOutput)")
        #expect(Self.alreadyFinished(third.standardOutput) >= 1, "\(third.standardOutput)")
        #expect(try setup.readState().jobs == state.jobs)
        #expect(try Self.results(in: server, study: studyUID).count == 3)
    }

    @Test func unreachableOrthancIsAClearError() throws {
        let directory = try TemporaryDirectory("neoich-watch-unreachable")
        let models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        let port = try OrthancServer.freePort()
        let outcome = try ChildProcess.run(ChildProcess.built("neoich"), [
            "watch", "--orthanc", "http://127.0.0.1:\(port)", "--state", directory.file("state.json").path,
            "-o", directory.file("out").path, "--segmentation-model", models.segmentation.path,
            "--classifier-model", models.classifier.path, "--once", "--retries", "2", "--retry-delay-seconds", "0.05",
        ])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("cannot reach http://127.0.0.1:\(port)/system: connection refused (2 attempts)"),
                "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("state.json").path))
    }

    // MARK: - Helpers

    /// The interpreter the optional read-back check uses, and whether it has pydicom (Debian python3-pydicom).
    static let python = URL(fileURLWithPath: "/usr/bin/python3")
    static var pythonHasPydicom: Bool {
        FileManager.default.isExecutableFile(atPath: python.path)
            && (try? ChildProcess.run(python, ["-c", "import pydicom, numpy"]).status) == 0
    }

    /// SEG, SR and SC as Orthanc gives them back (`GET /instances/{id}/file`): each passes dciodvfy, and
    /// `scripts/fixtures/dicom_readback.py --from-pacs` (pydicom, when /usr/bin/python3 has it) finds SEG
    /// frame k of each segment on CT slice k, the CT's study and series referenced, and the SR's measurements
    /// and the SEG's volumes equal to report.json's.
    static func checkAsStoredInOrthanc(_ server: OrthancServer, instances: [[String: String]], study: UploadedStudy,
                                       caseFolder: URL, in directory: TemporaryDirectory) throws {
        let downloads = directory.file("from-orthanc")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        var files: [String: URL] = [:]
        for (name, sopClass) in [("seg", segmentationStorage), ("sr", comprehensive3DSR), ("sc", secondaryCapture)] {
            let id = try #require(instances.first { $0["SOPClassUID"] == sopClass }?["OrthancID"], "no \(name) in Orthanc")
            let file = downloads.appendingPathComponent("\(name).dcm")
            try server.data("instances/\(id)/file").write(to: file)
            files[name] = file
            if Dciodvfy.isInstalled {
                let (errors, output) = try Dciodvfy.check(file)
                #expect(errors.isEmpty, "dciodvfy on the \(name) from Orthanc:\n\(output)")
            }
        }
        if !Dciodvfy.isInstalled { print("note: dciodvfy missing, objects from Orthanc not validated (\(Dciodvfy.missing))") }
        guard pythonHasPydicom else {
            print("note: /usr/bin/python3 has no pydicom (Debian python3-pydicom): the pydicom read-back of the objects "
                  + "from Orthanc was skipped")
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reportFile = caseFolder.appendingPathComponent("report.json")
        let report = try PredictionReport.read(reportFile)
        let montage = caseFolder.appendingPathComponent(report.files.overlayMontage)
        func readBack(_ report: URL) throws -> ChildProcess.Outcome {
            try ChildProcess.run(python, [
                root.appendingPathComponent("scripts/fixtures/dicom_readback.py").path, "--from-pacs",
                "--source", directory.file("ct-\(study.seed)").path, "--report", report.path,
                "--seg", files["seg"]!.path, "--sr", files["sr"]!.path, "--sc", files["sc"]!.path,
                "--montage", montage.path,
            ])
        }
        let check = try readBack(reportFile)
        #expect(check.status == 0, "pydicom read-back of the objects from Orthanc:\n\(check.standardError)\n\(check.standardOutput)")
        print("pydicom read-back of SEG, SR and SC from Orthanc: " + check.standardOutput.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))

        // The check can fail: with PHE's mean HU in report.json off by 0.5 HU it names the SR's value.
        var altered = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportFile)) as? [String: Any])
        var total = try #require(altered["total"] as? [String: Any]), phe = try #require(total["phe"] as? [String: Any])
        try #require(report.total.phe.meanHU != nil, "the untrained model found no PHE")
        phe["meanHU"] = (report.total.phe.meanHU ?? 0) + 0.5
        total["phe"] = phe
        altered["total"] = total
        let alteredFile = directory.file("altered-report.json")
        try JSONSerialization.data(withJSONObject: altered).write(to: alteredFile)
        let refused = try readBack(alteredFile)
        #expect(refused.status != 0 && refused.standardError.contains("MISMATCH: PHE (all lesions): the SR's mean"), "\(refused.standardError)")
    }

    /// "N already finished" of a `--once` summary line (-1 when absent).
    static func alreadyFinished(_ output: String) -> Int {
        guard let range = output.range(of: #"\d+ already finished"#, options: .regularExpression) else { return -1 }
        return Int(output[range].prefix { $0.isNumber }) ?? -1
    }

    struct UploadedStudy {
        var seed: UInt64
        var studyInstanceUID: String
        var seriesInstanceUID: String
        var frameOfReferenceUID: String
    }

    /// Writes `PlumbingFixtures.syntheticCT(seed:)` as an 8-image CT series and uploads it.
    static func uploadSyntheticStudy(to server: OrthancServer, seed: UInt64, in directory: TemporaryDirectory) throws -> UploadedStudy {
        let folder = directory.file("ct-\(seed)")
        try PredictDICOMCommandTests.writeSeries(PlumbingFixtures.syntheticCT(seed: seed), to: folder)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        for file in files { try server.upload(file) }
        let first = try DICOMDataset(reading: try #require(files.first).path)
        return UploadedStudy(seed: seed, studyInstanceUID: try first.string("StudyInstanceUID") ?? "",
                             seriesInstanceUID: try first.string("SeriesInstanceUID") ?? "",
                             frameOfReferenceUID: try first.string("FrameOfReferenceUID") ?? "")
    }

    /// Moves a written series into study `study` (new series UID kept) and uploads it.
    static func restamp(_ folder: URL, study: String, in server: OrthancServer) throws -> Int {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        for file in files {
            let dataset = try DICOMDataset(reading: file.path, headersOnly: false)
            try dataset.set("StudyInstanceUID", study)
            try dataset.write(to: file)
            try server.upload(file)
        }
        return files.count
    }

    /// Waits (at most 30 s) until Orthanc has logged a StableStudy for the study after its last change.
    static func waitUntilStable(_ server: OrthancServer, study: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let instances = try server.instances(ofStudy: study)
            if let id = instances.first.flatMap({ $0["OrthancID"] }),
               let instance = try server.get("instances/\(id)") as? [String: Any],
               let series = instance["ParentSeries"] as? String,
               let seriesInfo = try server.get("series/\(series)") as? [String: Any],
               let studyID = seriesInfo["ParentStudy"] as? String,
               let info = try server.get("studies/\(studyID)") as? [String: Any], info["IsStable"] as? Bool == true {
                return
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw OrthancServer.ServerError("study \(study) did not become stable in 30 s")
    }

    /// The SOP Instance UIDs of the NeoICH objects (SEG, SR, SC) in the study.
    static func results(in server: OrthancServer, study: String) throws -> [String] {
        try server.instances(ofStudy: study)
            .filter { [segmentationStorage, comprehensive3DSR, secondaryCapture].contains($0["SOPClassUID"] ?? "") }
            .compactMap { $0["SOPInstanceUID"] }
    }
}
