import DICOM
import Foundation
import Imaging

/// Follows Orthanc's change log and runs every new CT study (or series) through a case processor: waits for
/// Orthanc to call it stable, downloads its CT series, hands them to `process`, and uploads the DICOM
/// objects it returns (`POST /instances`, or DICOMweb STOW-RS) into the same study.
///
/// Progress lives in a `WatchState` file, written atomically after every step. The change log is read from
/// the last handled change on, so a restart resumes: a finished job is never repeated; a job interrupted
/// by a kill, or by Orthanc becoming unreachable, has whatever it had uploaded removed and is done again,
/// up to `maximumAttempts` tries in all; a job whose input the pipeline refuses fails once, with its error
/// kept in the state, and is not retried. Uploads are removed again when a job fails half-way, so no study
/// is left with part of the results looking complete.
///
/// A study keeps being watched after its job finished: when Orthanc calls it stable again (new instances)
/// and it holds CT series that none of its jobs handled, those series get a job of their own, `<study id>.2`
/// (then `.3`, …), with its own case folder and uploads; series a job has handled are never offered again,
/// and NeoICH's own uploads (SEG, SR, SC) are no CT series, so they start nothing.
public struct OrthancWatcher {
    /// The change that starts a job.
    public enum Trigger: String, Sendable, CaseIterable {
        /// `StableStudy`: every CT series of the study is offered to the pipeline, which picks one
        /// (`DICOMSeriesSelection`); one set of results per study.
        case study
        /// `StableSeries`: each CT series on its own; one set of results per series.
        case series

        var changeType: String { self == .study ? "StableStudy" : "StableSeries" }
    }

    public struct Configuration: Sendable {
        public var trigger = Trigger.study
        /// Tries of one job before it is marked failed (a kill during the job counts as a try).
        public var maximumAttempts = 3
        /// Changes asked for per `/changes` request (Orthanc returns at most 100).
        public var pageSize = OrthancClient.maximumChangesPerPage
        /// Upload through DICOMweb STOW-RS at this root path (e.g. "dicom-web") instead of `POST /instances`.
        public var dicomWebRoot: String?
        /// Jobs skipped for having no CT series that the state file keeps (the newest); older ones are
        /// forgotten (`WatchState.compact(keepingSkipped:)`).
        public var keptSkippedJobs = 1000

        public init(trigger: Trigger = .study, maximumAttempts: Int = 3, dicomWebRoot: String? = nil, keptSkippedJobs: Int = 1000) {
            self.trigger = trigger
            self.maximumAttempts = max(1, maximumAttempts)
            self.dicomWebRoot = dicomWebRoot
            self.keptSkippedJobs = max(0, keptSkippedJobs)
        }
    }

    /// What one pass over the change log did.
    public struct Summary: Sendable, Equatable {
        /// Jobs whose results were uploaded in this pass.
        public var done: [String] = []
        public var skipped: [String] = []
        /// Job → error.
        public var failed: [String: String] = [:]
        /// Stable changes of jobs finished in an earlier pass (or earlier in this one).
        public var alreadyFinished = 0
        /// Changes read from the log.
        public var changesRead = 0
        /// Set when Orthanc became unreachable during a job; the job waits for the next pass.
        public var interruptedBy: PACSError?
    }

    /// Predicts on a DICOM .zip and writes the case folder; returns the DICOM objects to upload, in order.
    public typealias CaseProcessor = (_ archive: URL, _ caseFolder: URL, _ caseID: String) throws -> [URL]

    public let client: OrthancClient
    public let stateFile: URL
    /// Case folders go to `resultsFolder/<Orthanc id>/`.
    public let resultsFolder: URL
    public var configuration: Configuration
    let process: CaseProcessor
    let log: (String) -> Void

    public init(client: OrthancClient, stateFile: URL, resultsFolder: URL, configuration: Configuration = Configuration(),
                log: @escaping (String) -> Void = { _ in }, process: @escaping CaseProcessor) {
        self.client = client
        self.stateFile = stateFile
        self.resultsFolder = resultsFolder
        self.configuration = configuration
        self.log = log
        self.process = process
    }

    /// The state file's server name for this client.
    var serverName: String { client.server.absoluteString }

    /// Handles every change logged since the last run, then returns.
    ///
    /// - Returns: what was done; `interruptedBy` is set when a job had to wait because Orthanc stopped
    ///   answering (the state keeps it for the next pass).
    /// - Throws: `PACSError` when the change log cannot be read (after retries) or the state file cannot be
    ///   read or written; the state on disk is then still consistent.
    public func runOnce() throws -> Summary {
        var state = try WatchState.load(stateFile, server: serverName)
        var summary = Summary()
        while true {
            let page = try client.changes(since: state.lastChange, limit: configuration.pageSize)
            summary.changesRead += page.changes.count
            if page.changes.isEmpty && page.last < state.lastChange {
                log("Orthanc's change log ends at \(page.last), before change \(state.lastChange) of the state file: "
                    + "was its database replaced? Nothing newer than \(state.lastChange) will be seen; start a new state file")
            }
            let before = state.lastChange
            for change in page.changes.sorted(by: { $0.seq < $1.seq }) where change.seq > state.lastChange {
                if change.changeType == configuration.trigger.changeType {
                    do { try handle(change, state: &state, summary: &summary) } catch let error as PACSError where error.isTransient {
                        summary.interruptedBy = error
                        return summary
                    }
                }
                state.lastChange = change.seq
            }
            let forgotten = state.compact(keepingSkipped: configuration.keptSkippedJobs)
            if state.lastChange != before || forgotten > 0 || !FileManager.default.fileExists(atPath: stateFile.path) {
                try state.save(stateFile)
            }
            if page.done || page.changes.isEmpty { return summary }
        }
    }

    /// Runs passes until `shouldStop` says so, `pollSeconds` apart; while Orthanc is unreachable the pause
    /// grows as the client's retry policy says.
    ///
    /// - Throws: errors that waiting cannot mend: refused credentials, an unusable state file.
    public func run(pollSeconds: Double, shouldStop: () -> Bool = { false }) throws {
        var failures = 0
        while !shouldStop() {
            var pause = pollSeconds
            do {
                let summary = try runOnce()
                report(summary)
                failures = summary.interruptedBy == nil ? 0 : failures + 1
            } catch let error as PACSError where error.isTransient {
                failures += 1
                log("\(error)")
            }
            if failures > 0 { pause = max(pollSeconds, client.retry.delay(afterAttempt: failures)) }
            if shouldStop() { return }
            Thread.sleep(forTimeInterval: pause)
        }
    }

    /// One line per pass that did something.
    public func report(_ summary: Summary) {
        if !summary.done.isEmpty || !summary.skipped.isEmpty || !summary.failed.isEmpty || summary.interruptedBy != nil {
            log("\(summary.done.count) done, \(summary.skipped.count) skipped, \(summary.failed.count) failed"
                + (summary.interruptedBy.map { "; waiting for Orthanc: \($0)" } ?? ""))
        }
    }

    // MARK: - One job

    /// The jobs of the study or series `resource` (its first job and, for a study, later ones named `<id>.N`).
    private func jobs(of resource: String, in state: WatchState) -> [(key: String, job: WatchJob)] {
        state.jobs.filter { WatchState.resource(ofJob: $0.key) == resource }.sorted { $0.value.change < $1.value.change }
            .map { ($0.key, $0.value) }
    }

    /// The job a stable change is about: an unfinished job of the resource (resumed), a new one when there is
    /// none, or, for a study whose jobs are all finished, a new job `<study id>.N` when CT series arrived that
    /// none of its jobs handled; nil when there is nothing new.
    private func job(for change: OrthancChange, state: WatchState, summary: inout Summary) throws -> String? {
        let level = configuration.trigger.rawValue
        let earlier = jobs(of: change.id, in: state)
        if earlier.isEmpty { return change.id }
        if let unfinished = earlier.first(where: { !$0.job.isFinished }) { return unfinished.key }
        let last = earlier[earlier.count - 1]
        if configuration.trigger == .study {
            let handled = Set(earlier.flatMap(\.job.series))
            var arrived: [OrthancSeries] = []
            do { arrived = try ctSeries(of: change).1.filter { !handled.contains($0.id) } } catch let error as PACSError where error.isTransient {
                throw error
            } catch {
                log("change \(change.seq): study \(change.id): cannot list its series to look for new CT series: \(error)")
            }
            if !arrived.isEmpty {
                let rounds = earlier.compactMap { Int($0.key.split(separator: ".").dropFirst().first ?? "") }
                let key = earlier.contains { $0.key == change.id } ? "\(change.id).\((rounds.max() ?? 1) + 1)" : change.id
                log("change \(change.seq): study \(change.id) was \(last.job.status.rawValue); \(arrived.count) CT series arrived "
                    + "since: job \(key) for them")
                return key
            }
        }
        summary.alreadyFinished += 1
        log("change \(change.seq): \(level) \(change.id) already \(last.job.status.rawValue)")
        return nil
    }

    private func handle(_ change: OrthancChange, state: inout WatchState, summary: inout Summary) throws {
        let level = configuration.trigger.rawValue
        guard let id = try job(for: change, state: state, summary: &summary) else { return }
        var job = state.jobs[id] ?? WatchJob(level: level, status: .processing, change: change.seq)
        if state.jobs[id] != nil {
            log("\(level) \(id): resuming after an interrupted try (\(job.status.rawValue))")
            try removeUploads(&job, state: &state, id: id)
        }
        func save(_ status: WatchJob.Status, _ message: String? = nil) throws {
            job.status = status
            job.message = message
            job.updated = WatchJob.timestamp(Date())
            state.jobs[id] = job
            try state.save(stateFile)
        }
        guard job.attempts < configuration.maximumAttempts else {
            try save(.failed, "gave up after \(job.attempts) tries: \(job.message ?? "interrupted while \(job.status.rawValue)")")
            summary.failed[id] = job.message
            log("\(level) \(id): failed: \(job.message ?? "")")
            return
        }
        job.attempts += 1
        try save(.processing)
        do {
            // Series an earlier job of the study handled are not offered again.
            let handled = Set(jobs(of: change.id, in: state).filter { $0.key != id }.flatMap(\.job.series))
            let (studyUID, allSeries) = try ctSeries(of: change)
            let series = allSeries.filter { !handled.contains($0.id) }
            job.studyInstanceUID = studyUID
            guard !series.isEmpty else {
                try save(.skipped, "no CT series")
                summary.skipped.append(id)
                log("\(level) \(id): skipped: no CT series")
                return
            }
            job.series = series.map(\.id)
            let caseFolder = resultsFolder.appendingPathComponent(id)
            try? FileManager.default.removeItem(at: caseFolder)
            job.results = caseFolder.path
            let files = try download(series, caseFolder: caseFolder, id: id)
            job.uploads = try files.map { file in
                let identity = try DICOMInstanceIdentity(reading: file)
                return WatchUpload(file: file.lastPathComponent, sopInstanceUID: identity.sopInstanceUID,
                                   sopClassUID: identity.sopClassUID)
            }
            try save(.uploading)
            if let root = configuration.dicomWebRoot {
                try client.store(files, identities: job.uploads.map(\.sopInstanceUID), dicomWebRoot: root)
                log("\(level) \(id): stored \(files.map(\.lastPathComponent).joined(separator: ", ")) with STOW-RS")
            } else {
                for (k, file) in files.enumerated() {
                    job.uploads[k].orthancID = try client.upload(file).id
                    log("\(level) \(id): uploaded \(file.lastPathComponent) → instance \(job.uploads[k].orthancID ?? "?")")
                }
            }
            try save(.done)
            summary.done.append(id)
            log("\(level) \(id): done (\(files.count) objects uploaded, results in \(caseFolder.path))")
        } catch let error as PACSError where error.isTransient {
            try? removeUploads(&job, state: &state, id: id)
            if job.attempts >= configuration.maximumAttempts {
                try save(.failed, "gave up after \(job.attempts) tries: \(error)")
                summary.failed[id] = job.message
                log("\(level) \(id): failed: \(job.message ?? "")")
                return
            }
            try save(.waitingToRetry, error.description)
            log("\(level) \(id): will be tried again: \(error)")
            throw error
        } catch let error as ImagingError where Self.meansNothingToDo(error) {
            try save(.skipped, Self.withoutDownloadFolder(error.description))
            summary.skipped.append(id)
            log("\(level) \(id): skipped: \(job.message ?? "")")
        } catch {
            var message = Self.withoutDownloadFolder("\(error)")
            do { try removeUploads(&job, state: &state, id: id) } catch {
                message += " (and removing what was uploaded failed: \(error))"
            }
            try save(.failed, message)
            summary.failed[id] = message
            log("\(level) \(id): failed: \(message)")
        }
    }

    /// The study's UID and the CT series the job is about.
    private func ctSeries(of change: OrthancChange) throws -> (String?, [OrthancSeries]) {
        switch configuration.trigger {
        case .study:
            let study = try client.study(change.id)
            let series = try study.series.map { try client.series($0) }
            return (study.studyInstanceUID, series.filter { $0.modality.uppercased() == "CT" })
        case .series:
            let series = try client.series(change.id)
            let studyUID = try client.study(series.parentStudy).studyInstanceUID
            return (studyUID, series.modality.uppercased() == "CT" ? [series] : [])
        }
    }

    /// Messages name the downloaded archive as `<Orthanc id>.zip`, without the private folder that is gone by
    /// the time anyone reads them.
    static func withoutDownloadFolder(_ message: String) -> String {
        message.replacingOccurrences(of: #"[^\s"]*/\#(downloadFolderPrefix)[^/\s"]*/"#, with: "", options: .regularExpression)
    }

    static let downloadFolderPrefix = "neoich-watch-"

    /// Downloads the series as one .zip into a private folder, runs the processor, removes the download.
    private func download(_ series: [OrthancSeries], caseFolder: URL, id: String) throws -> [URL] {
        let work = try PrivateFolder.make(prefix: Self.downloadFolderPrefix)
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = work.appendingPathComponent("\(id).zip")
        let images = series.reduce(0) { $0 + $1.instances.count }
        log("\(configuration.trigger.rawValue) \(id): downloading \(series.count) CT series (\(images) images: "
            + series.map { "#\($0.seriesNumber) \"\($0.seriesDescription)\"" }.joined(separator: ", ") + ")")
        try client.downloadArchive(series: series.map(\.id), to: archive)
        return try process(archive, caseFolder, id)
    }

    /// Deletes from Orthanc whatever the job may have uploaded (found by SOP Instance UID when Orthanc's
    /// answer never came), then forgets the uploads.
    private func removeUploads(_ job: inout WatchJob, state: inout WatchState, id: String) throws {
        guard !job.uploads.isEmpty else { return }
        for upload in job.uploads {
            let ids = try upload.orthancID.map { [$0] }
                ?? client.lookup(upload.sopInstanceUID).filter { $0.type == "Instance" }.map(\.id)
            for instance in ids {
                try client.deleteInstance(instance)
                log("\(job.level) \(id): removed \(upload.file) (instance \(instance)) left by an unfinished try")
            }
        }
        job.uploads = []
        state.jobs[id] = job
        try state.save(stateFile)
    }

    /// Input the pipeline declines rather than fails on: no CT, or no series its selection rules accept.
    static func meansNothingToDo(_ error: ImagingError) -> Bool {
        switch error {
        case .noCTSeries, .noEligibleSeries: true
        default: false
        }
    }
}
