import DICOM
import Explain
import Foundation
import Hummingbird
import Imaging
import Pipeline

/// The reader's bounded job queue: uploads wait their turn, one case runs at a time on the model worker,
/// results stay on disk until the retention time has passed.
///
/// Capacity counts queued jobs and the running one; past it a new case gets 503 (retry later) instead of
/// exhausting memory. Uploads take a place only once received and validated (they arrive under their own
/// bound, `UploadReceiver`'s slots), so slow uploads cannot hold the queue. Each queued job holds its scan in
/// memory, so memory is bounded by `capacity` scans plus the uploads being read.
///
/// Explanations run on the same worker: one computation per (case, method, faithfulness) that duplicates share,
/// at most `maximumPendingExplanations` at once, cancelled when their case expires.
actor JobQueue {
    /// One explanation computation; concurrent duplicate requests await the same one.
    private struct ExplanationKey: Hashable {
        var id: String
        var method: AttributionMethodName
        var faithfulness: Bool
    }

    private struct Job {
        var status: JobStatus
        var image: Volume<Float>?
        var format: String
        /// The headers of a DICOM upload's series: the case also gets seg.dcm, sr.dcm and montage.dcm.
        var dicom: DICOMSourceSeries?
        var folder: URL
        /// The primary lesion's crop (and later its deletion pass), for heatmaps on demand; nil without a lesion.
        var explainable: ExplainableCase?
    }

    private let predictor: CasePredictor
    private let worker: ModelWorker
    private let workFolder: URL
    private let capacity: Int
    private let retentionSeconds: Double
    private let faithfulnessVoxels: Int?
    private let now: @Sendable () -> Date
    private var jobs: [String: Job] = [:]
    private var pending: [String] = []
    private var running: String?
    private var draining = false
    private let maximumPendingExplanations: Int
    /// Explanation computations in flight, numbered in the order they were started.
    private var explanations: [ExplanationKey: (sequence: Int, task: Task<ViewerExplanation, any Error>)] = [:]
    private var explanationsStarted = 0

    init(predictor: CasePredictor, worker: ModelWorker, workFolder: URL, capacity: Int, retentionSeconds: Double,
         faithfulnessVoxels: Int? = nil, maximumPendingExplanations: Int = 4, now: @escaping @Sendable () -> Date = { Date() }) {
        self.faithfulnessVoxels = faithfulnessVoxels
        self.maximumPendingExplanations = max(1, maximumPendingExplanations)
        self.predictor = predictor
        self.worker = worker
        self.workFolder = workFolder
        self.capacity = max(1, capacity)
        self.retentionSeconds = retentionSeconds
        self.now = now
    }

    /// Checks that a case would find a place now, without holding one (a full queue refuses an upload before
    /// it is received; `submit` checks again).
    ///
    /// - Throws: `ReaderError` 503 when the queue is full.
    func checkCapacity() throws(ReaderError) {
        sweep()
        guard pending.count + (running == nil ? 0 : 1) < capacity else {
            throw ReaderError.busy("The reader is busy (\(capacity) cases queued or running)")
        }
    }

    /// Queues a validated scan.
    ///
    /// - Throws: `ReaderError` 503 when the queue is full.
    func submit(name: String, image: Volume<Float>, format: String, dicom: DICOMSourceSeries? = nil) throws(ReaderError) -> JobStatus {
        try checkCapacity()
        let id = UUID().uuidString.lowercased()
        let created = now().timeIntervalSince1970
        let status = JobStatus(id: id, name: name, state: .queued, stage: nil, queuePosition: pending.count,
                               error: nil, report: nil, createdAt: created, expiresAt: created + retentionSeconds)
        jobs[id] = Job(status: status, image: image, format: format, dicom: dicom, folder: workFolder.appendingPathComponent(id))
        pending.append(id)
        startDraining()
        return status
    }

    /// The job's current status.
    func status(_ id: String) throws(ReaderError) -> JobStatus {
        sweep()
        guard var status = jobs[id]?.status else { throw ReaderError.notFound("case \(id)") }
        if status.state == .queued { status.queuePosition = pending.firstIndex(of: id) }
        return status
    }

    /// The folder of a finished job.
    func folder(_ id: String) throws(ReaderError) -> URL {
        guard let job = jobs[id] else { throw ReaderError.notFound("case \(id)") }
        guard job.status.state == .done else { throw ReaderError(.conflict, "case \(id) is \(job.status.state.rawValue), not done") }
        return job.folder
    }

    /// Deletes jobs (and their files) older than the retention time, except queued and running ones, and
    /// cancels their explanations (requests waiting for one get 404).
    func sweep() {
        let cutoff = now().timeIntervalSince1970 - retentionSeconds
        for (id, job) in jobs where job.status.createdAt < cutoff && (job.status.state == .done || job.status.state == .failed) {
            for (key, entry) in explanations where key.id == id {
                entry.task.cancel()
                explanations[key] = nil
            }
            try? FileManager.default.removeItem(at: job.folder)
            jobs[id] = nil
        }
    }

    /// Explanation computations waiting or running (for tests).
    var pendingExplanations: Int { explanations.count }

    /// How many jobs are known (for tests and the health route).
    var count: Int { jobs.count }

    // MARK: - Explanations

    /// The heatmap of `method` for a finished case's primary lesion (computed once, then cached), with its
    /// faithfulness when asked for; the first faithfulness request of a case runs the shared deletion pass.
    /// Concurrent identical requests share one computation.
    ///
    /// - Throws: `ReaderError` 404 for an unknown (or meanwhile expired) case, 409 when it is not done or has no
    ///   lesion to explain, 503 when `maximumPendingExplanations` computations are outstanding.
    func explain(_ id: String, method: AttributionMethodName, faithfulness: Bool) async throws -> ViewerExplanation {
        _ = try folder(id)
        guard let explainable = jobs[id]?.explainable, let folder = jobs[id]?.folder else {
            throw ReaderError(.conflict, "case \(id) has no hemorrhage to explain")
        }
        if let cached = explainable.results[method], cached.faithfulness != nil || !faithfulness { return cached }
        let key = ExplanationKey(id: id, method: method, faithfulness: faithfulness)
        let task: Task<ViewerExplanation, any Error>
        if let inFlight = explanations[key] {
            task = inFlight.task
        } else {
            guard explanations.count < maximumPendingExplanations else {
                throw ReaderError.busy("The reader is busy computing \(explanations.count) explanations")
            }
            // Registered before the task can run (it needs this actor), so it always finds its own entry.
            let sequence = explanationsStarted
            explanationsStarted += 1
            task = Task { try await self.computeExplanation(key, sequence: sequence, explainable: explainable, folder: folder) }
            explanations[key] = (sequence, task)
        }
        do {
            return try await task.value
        } catch is CancellationError {
            throw ReaderError.notFound("case \(id)")
        }
    }

    /// Runs one explanation on the worker, keeps its result with the case and forgets the computation. A
    /// faithfulness computation first waits for the case's earlier ones, so that the deletion pass runs once.
    private func computeExplanation(_ key: ExplanationKey, sequence: Int, explainable: ExplainableCase,
                                    folder: URL) async throws -> ViewerExplanation {
        defer { explanations[key] = nil }
        var explainable = explainable
        if key.faithfulness && explainable.deletion == nil {
            // Only earlier ones: no two computations can wait for each other.
            let earlier = explanations.filter { $0.key.id == key.id && $0.key.faithfulness && $0.value.sequence < sequence }
            for entry in earlier.values { _ = try? await entry.task.value }
            try Task.checkCancellation()
            explainable.deletion = jobs[key.id]?.explainable?.deletion
        }
        let models = predictor.models, voxels = faithfulnessVoxels, method = key.method, faithfulness = key.faithfulness
        let prepared = explainable
        let result: ViewerExplanation, deletion: VoxelDeletionProbabilities?
        do {
            (result, deletion) = try await worker.run {
                try ViewerHeatmap.explain(prepared, method: method, faithfulness: faithfulness, faithfulnessVoxels: voxels,
                                          models: models, folder: folder)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ReaderError(.internalServerError, "could not compute the \(method.rawValue) map: \(error)")
        }
        try Task.checkCancellation()
        if jobs[key.id]?.explainable != nil {
            jobs[key.id]?.explainable?.results[method] = result
            if let deletion { jobs[key.id]?.explainable?.deletion = deletion }
        }
        return result
    }

    /// The file of a heatmap computed by `explain`.
    func heatmapFile(_ id: String, method: AttributionMethodName) throws(ReaderError) -> URL {
        let folder = try folder(id)
        guard jobs[id]?.explainable?.results[method] != nil else {
            throw ReaderError.notFound("\(method.rawValue) map of case \(id) (request it first)")
        }
        return folder.appendingPathComponent(ViewerHeatmap.fileName(method))
    }

    // MARK: - Worker

    private func startDraining() {
        guard !draining else { return }
        draining = true
        Task { await drain() }
    }

    private func drain() async {
        while !pending.isEmpty {
            let id = pending.removeFirst()
            guard var job = jobs[id], let image = job.image else { continue }
            running = id
            job.image = nil
            job.status.state = .running
            job.status.queuePosition = nil
            jobs[id] = job
            let predictor = self.predictor, folder = job.folder, name = job.status.name, format = job.format, dicom = job.dicom
            let result: Result<(PredictionReport, LesionCrop?), any Error>
            do {
                result = .success(try await worker.run {
                    let prediction = try predictor.predict(image: image, file: name, format: format,
                                                           caseID: CTSource.caseID(of: URL(fileURLWithPath: name)),
                                                           output: folder) { stage in
                        Task { await self.setStage(id, stage) }
                    }
                    try ViewerVolumes.write(image: prediction.image, labels: prediction.labels, to: folder)
                    var report = prediction.report
                    if let dicom {
                        // The case stands without its DICOM objects; a failure to write them is told, not fatal.
                        do {
                            report = try DICOMCaseResults.writeObjects(prediction, source: dicom, version: predictor.neoichVersion,
                                                                       to: folder).report
                        } catch {
                            report.warnings = (report.warnings ?? []) + ["DICOM objects not written: \(error)"]
                        }
                    }
                    return (report, prediction.crops.first { $0.isLargest } ?? prediction.crops.first)
                })
            } catch {
                result = .failure(error)
            }
            finish(id, result)
        }
        running = nil
        draining = false
    }

    private func setStage(_ id: String, _ stage: PipelineStage) {
        guard jobs[id]?.status.state == .running else { return }
        jobs[id]?.status.stage = stage
    }

    private func finish(_ id: String, _ result: Result<(PredictionReport, LesionCrop?), any Error>) {
        running = nil
        guard var job = jobs[id] else { return }
        switch result {
        case .success(let (report, crop)):
            job.status.state = .done
            job.status.report = report
            let positive = predictor.models.classifier.card.positiveClass
            job.explainable = crop.map { crop in
                let decision = report.lesions.first { $0.id == crop.lesion.id }?.classification
                return ExplainableCase(crop: crop, targetClass: decision.map { $0.isNeoplastic ? positive : 1 - positive })
            }
        case .failure(let error):
            job.status.state = .failed
            let status: HTTPResponse.Status = error is ImagingError ? .unprocessableContent : .internalServerError
            job.status.error = .init(status: status.code, message: ReaderMessages.describe(error, name: job.status.name))
            try? FileManager.default.removeItem(at: job.folder)
        }
        job.status.stage = nil
        jobs[id] = job
    }
}
