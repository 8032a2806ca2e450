import Foundation
import Hummingbird
import Logging
import Pipeline
import Segmentation
import ServiceLifecycle

/// Builds the reader: loads the models (or takes them), sets up the job queue, the routes and the
/// retention sweep. Tests call it in-process; `neoich serve` runs it.
///
/// - Parameter configuration: address, models, folders, limits.
/// - Returns: the application, ready for `runService()` or HummingbirdTesting's `test`.
/// - Throws: `PipelineError` when the model folders are missing or unusable.
public func buildApplication(configuration: ReaderConfiguration) async throws -> some ApplicationProtocol {
    let policy = try AccessPolicy(configuration: configuration)
    let models: PipelineModels
    switch configuration.models {
    case .loaded(let loaded): models = loaded
    case .folders(let locations): models = try await runBlocking { try PipelineModels.load(locations) }
    }
    // Uploads and results are readable by this user only (folders 0700, files 0600).
    umask(0o077)
    let workFolder: URL, ownedFolder: URL?
    if let configured = configuration.workFolder {
        workFolder = configured
        ownedFolder = nil
        try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } else {
        WorkFolder.sweepStale()
        workFolder = try WorkFolder.create()
        ownedFolder = workFolder
    }
    try models.move(to: configuration.device)
    let predictor = CasePredictor(models: models, segmentation: PredictionConfiguration(
        mirroring: configuration.mirroring, device: configuration.device, precision: configuration.precision))
    let queue = JobQueue(predictor: predictor, worker: ModelWorker(), workFolder: workFolder,
                         capacity: configuration.queueCapacity, retentionSeconds: configuration.retentionSeconds,
                         faithfulnessVoxels: configuration.faithfulnessVoxels,
                         maximumPendingExplanations: configuration.maximumPendingExplanations)
    let uploads = UploadReceiver(workFolder: workFolder, maximumBytes: configuration.maximumUploadBytes,
                                 slots: UploadSlots(maximum: configuration.maximumConcurrentUploads),
                                 stallSeconds: configuration.uploadStallSeconds, timeLimitSeconds: configuration.uploadTimeLimitSeconds)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: SecurityMiddleware(policy: policy))
    ReaderRoutes(queue: queue, uploads: uploads, examples: ExampleCases(folder: configuration.examplesFolder), assets: .bundled,
                 models: models.identifiers)
        .add(to: router)
    var logger = Logger(label: "neoich.reader")
    logger.logLevel = .info
    var services: [any Service] = [RetentionSweep(queue: queue, intervalSeconds: configuration.sweepIntervalSeconds)]
    if let ownedFolder { services.append(WorkFolderRemoval(folder: ownedFolder)) }
    let idleNanoseconds = Int64(max(0.05, configuration.connectionIdleSeconds) * 1e9)
    return Application(
        router: HeadAsGet(router: router),
        server: .http1(configuration: .init(idleTimeout: .nanoseconds(idleNanoseconds))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "NeoICH"),
        services: services,
        logger: logger)
}

/// Removes the reader's own work folder when the server shuts down gracefully.
struct WorkFolderRemoval: Service {
    let folder: URL

    func run() async throws {
        try? await gracefulShutdown()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Deletes expired uploads and results every `intervalSeconds` while the server runs.
struct RetentionSweep: Service {
    let queue: JobQueue
    let intervalSeconds: Double

    func run() async throws {
        // Ends at once on graceful shutdown instead of finishing the current sleep.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(max(0.1, intervalSeconds))) }
            } catch {
                return
            }
            await queue.sweep()
        }
    }
}
