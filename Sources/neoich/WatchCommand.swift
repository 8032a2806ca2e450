import ArgumentParser
import Foundation
import PACS
import Pipeline
import Segmentation

/// `neoich watch --orthanc URL --state FILE -o DIR`: predicts on every new head CT that arrives in Orthanc
/// and sends the results back into its study.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow an Orthanc server: predict on each new CT study and upload SEG, SR and Secondary Capture into it.",
        discussion: """
            Reads Orthanc's change log (/changes) from where the state file says, and for each study Orthanc calls \
            stable (StableStudy; --trigger series: each StableSeries) downloads its CT series, runs the same pipeline \
            as `predict --dicom` (the series is chosen as for a DICOM folder), and uploads seg.dcm, sr.dcm and \
            montage.dcm (POST /instances; --stow: DICOMweb STOW-RS). Case folders are kept in OUT/<Orthanc id>/.
            The state file (JSON, written atomically after every step) records the last change handled and each \
            study's outcome: a restart resumes where it stopped, a finished study is never done again, a study \
            interrupted by a kill or an unreachable Orthanc has its partial uploads removed and is retried \
            (--attempts tries in all), a study the pipeline refuses is marked failed with its error. CT series that \
            arrive in a study after it was handled get a job of their own (OUT/<Orthanc id>.2/, …) when Orthanc \
            calls the study stable again; series already handled are never offered again.
            Without --once it polls every --poll-seconds until stopped (Ctrl-C or SIGTERM at any moment is safe).
            """)

    @Option(help: "Orthanc's REST address, e.g. http://127.0.0.1:8042.") var orthanc: String
    @Option(help: "Orthanc user (HTTP basic authentication).") var user: String?
    @Option(help: "Orthanc password (visible to other users of this machine in the process list: prefer --credentials).")
    var password: String?
    @Option(help: "File whose first line is user:password (keep it mode 600).") var credentials: String?
    @Option(help: "The watcher's state file (JSON), created if missing.") var state: String
    @Option(name: .shortAndLong, help: "Folder for the case folders (report.json, label map, overlays, DICOM objects).")
    var output: String
    @OptionGroup var models: ModelFolderOptions
    @Option(help: "Which stable change starts a job: study (one result per study) or series (one per CT series).")
    var trigger: OrthancWatcher.Trigger = .study
    @Flag(help: "Handle the changes logged so far, then exit (for tests and cron).") var once = false
    @Flag(help: "Upload with DICOMweb STOW-RS (Orthanc's DICOMweb plugin) instead of POST /instances.") var stow = false
    @Option(name: .customLong("dicomweb-root"), help: "The DICOMweb root path on the Orthanc server, for --stow.")
    var dicomWebRoot = "dicom-web"
    @Option(name: .customLong("poll-seconds"), help: "Pause between reads of the change log.") var pollSeconds = 10.0
    @Option(help: "Tries of one study before it is marked failed (a kill during the study counts as one).")
    var attempts = 3
    @Option(help: "Tries of one HTTP request while Orthanc is unreachable or overloaded (back-off 1, 2, 4 … s).")
    var retries = 5
    @Option(name: .customLong("retry-delay-seconds"), help: "The first back-off pause; it doubles with every try (at most 60 s).")
    var retryDelaySeconds = 1.0
    @Option(name: .customLong("timeout-seconds"), help: "Longest wait for an HTTP request to make progress.")
    var timeoutSeconds = 120.0
    @Option(name: .customLong("keep-skipped"),
            help: "Studies (series) skipped for having no CT series that the state file remembers, newest first; older ones are forgotten.")
    var keepSkipped = 1000
    @Flag(inversion: .prefixedNo, help: "Average the 8 mirrored predictions per tile (nnU-Net default).") var mirroring = true
    @OptionGroup var inference: InferenceDeviceOptions

    func validate() throws {
        if password != nil && credentials != nil { throw ValidationError("give --password or --credentials, not both") }
        if password != nil && user == nil { throw ValidationError("--password needs --user") }
        if user != nil && password == nil && credentials == nil {
            throw ValidationError("--user needs --password (or give --credentials FILE with user:password)")
        }
        guard keepSkipped >= 0 else { throw ValidationError("--keep-skipped must not be negative") }
        guard pollSeconds > 0, attempts > 0, retries > 0, retryDelaySeconds >= 0, timeoutSeconds > 0 else {
            throw ValidationError("--poll-seconds, --attempts, --retries and --timeout-seconds must be positive, "
                                  + "--retry-delay-seconds not negative")
        }
        let missing = models.locations.missingFiles
        if !missing.isEmpty {
            throw ValidationError("the watcher needs both models; missing: \(missing.joined(separator: ", ")) "
                                  + "(pass --segmentation-model / --classifier-model or set NEOICH_MODELS)")
        }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let (device, precision) = try inference.resolve()
        let log: @Sendable (String) -> Void = { line in
            let time = ISO8601DateFormatter().string(from: Date())
            FileHandle.standardError.write(Data("\(time) \(line)\n".utf8))
        }
        var login: OrthancCredentials?
        if let credentials { login = try OrthancCredentials(file: URL(fileURLWithPath: credentials)) }
        if let user, let password { login = OrthancCredentials(user: user, password: password) }
        let client = try OrthancClient(
            server: orthanc, credentials: login,
            retry: RetryPolicy(attempts: retries, initialDelaySeconds: retryDelaySeconds), timeoutSeconds: timeoutSeconds, log: log)
        let lock = try WatchStateLock(for: URL(fileURLWithPath: state))
        defer { withExtendedLifetime(lock) {} }
        let out = URL(fileURLWithPath: output)
        try OutputFolder.prepare(out)
        // Refused credentials or a wrong address are told before the models are loaded.
        log("Orthanc \(try client.version()) at \(client.server.absoluteString); state \(state)")
        let loaded = try PipelineModels.load(models.locations)
        try loaded.move(to: device)
        let predictor = CasePredictor(models: loaded, segmentation: PredictionConfiguration(mirroring: mirroring, device: device,
                                                                                            precision: precision),
                                      neoichVersion: NeoICH.version)
        let watcher = OrthancWatcher(
            client: client, stateFile: URL(fileURLWithPath: state), resultsFolder: out,
            configuration: OrthancWatcher.Configuration(trigger: trigger, maximumAttempts: attempts,
                                                        dicomWebRoot: stow ? dicomWebRoot : nil, keptSkippedJobs: keepSkipped), log: log
        ) { archive, caseFolder, caseID in
            let outcome = try DICOMCaseResults.predict(archive, predictor: predictor, output: caseFolder, caseID: caseID) { stage in
                log("\(caseID): \(stage.rawValue)…")
            }
            log(Predict.summary(outcome.prediction.report, folder: caseFolder).split(separator: "\n").prefix(2).joined(separator: "; "))
            return outcome.files
        }
        guard once else {
            try watcher.run(pollSeconds: pollSeconds)
            return
        }
        let summary = try watcher.runOnce()
        print("\(summary.changesRead) changes read: \(summary.done.count) done, \(summary.skipped.count) skipped, "
              + "\(summary.failed.count) failed, \(summary.alreadyFinished) already finished")
        for (id, message) in summary.failed.sorted(by: { $0.key < $1.key }) { print("  failed \(id): \(message)") }
        if let error = summary.interruptedBy {
            print("stopped: \(error); the study waits for the next run")
            throw ExitCode(75)  // EX_TEMPFAIL: try again later
        }
    }
}

extension OrthancWatcher.Trigger: ExpressibleByArgument {}
