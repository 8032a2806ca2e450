import Foundation
import Hummingbird
import Imaging
import Pipeline

/// The reader's bounded job queue: uploads wait their turn, one case runs at a time on the model worker,
/// results stay on disk until the retention time has passed.
///
/// Capacity counts uploads being received, queued jobs and the running one; past it a new upload gets
/// 503 (retry later) instead of exhausting memory. Each queued job holds its scan in memory, so memory is
/// bounded by `capacity` scans.
actor JobQueue {
    private struct Job {
        var status: JobStatus
        var image: Volume<Float>?
        var format: String
        var folder: URL
    }

    private let predictor: CasePredictor
    private let worker: ModelWorker
    private let workFolder: URL
    private let capacity: Int
    private let retentionSeconds: Double
    private let now: @Sendable () -> Date
    private var jobs: [String: Job] = [:]
    private var pending: [String] = []
    private var running: String?
    private var reserved = 0
    private var draining = false

    init(predictor: CasePredictor, worker: ModelWorker, workFolder: URL, capacity: Int, retentionSeconds: Double,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.predictor = predictor
        self.worker = worker
        self.workFolder = workFolder
        self.capacity = max(1, capacity)
        self.retentionSeconds = retentionSeconds
        self.now = now
    }

    /// Holds a place for an upload about to be received.
    ///
    /// - Throws: `ReaderError` 503 when the queue is full.
    func reserve() throws(ReaderError) {
        sweep()
        guard reserved + pending.count + (running == nil ? 0 : 1) < capacity else {
            throw ReaderError(.serviceUnavailable, "The reader is busy (\(capacity) cases queued or running); try again in a minute.")
        }
        reserved += 1
    }

    /// Gives back a place whose upload was refused.
    func release() { reserved = max(0, reserved - 1) }

    /// Queues a validated scan, consuming a reservation.
    func submit(name: String, image: Volume<Float>, format: String) -> JobStatus {
        reserved = max(0, reserved - 1)
        let id = UUID().uuidString.lowercased()
        let created = now().timeIntervalSince1970
        let status = JobStatus(id: id, name: name, state: .queued, stage: nil, queuePosition: pending.count,
                               error: nil, report: nil, createdAt: created, expiresAt: created + retentionSeconds)
        jobs[id] = Job(status: status, image: image, format: format, folder: workFolder.appendingPathComponent(id))
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

    /// Deletes jobs (and their files) older than the retention time, except queued and running ones.
    func sweep() {
        let cutoff = now().timeIntervalSince1970 - retentionSeconds
        for (id, job) in jobs where job.status.createdAt < cutoff && (job.status.state == .done || job.status.state == .failed) {
            try? FileManager.default.removeItem(at: job.folder)
            jobs[id] = nil
        }
    }

    /// How many jobs are known (for tests and the health route).
    var count: Int { jobs.count }

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
            let predictor = self.predictor, folder = job.folder, name = job.status.name, format = job.format
            let result: Result<PredictionReport, any Error>
            do {
                result = .success(try await worker.run {
                    let prediction = try predictor.predict(image: image, file: name, format: format,
                                                           caseID: CTSource.caseID(of: URL(fileURLWithPath: name)),
                                                           output: folder) { stage in
                        Task { await self.setStage(id, stage) }
                    }
                    try ViewerVolumes.write(image: prediction.image, labels: prediction.labels, to: folder)
                    return prediction.report
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

    private func finish(_ id: String, _ result: Result<PredictionReport, any Error>) {
        running = nil
        guard var job = jobs[id] else { return }
        switch result {
        case .success(let report):
            job.status.state = .done
            job.status.report = report
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
