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
    let models: PipelineModels
    switch configuration.models {
    case .loaded(let loaded): models = loaded
    case .folders(let locations): models = try await runBlocking { try PipelineModels.load(locations) }
    }
    try FileManager.default.createDirectory(at: configuration.workFolder, withIntermediateDirectories: true)
    let predictor = CasePredictor(models: models, segmentation: PredictionConfiguration(mirroring: configuration.mirroring))
    let queue = JobQueue(predictor: predictor, worker: ModelWorker(), workFolder: configuration.workFolder,
                         capacity: configuration.queueCapacity, retentionSeconds: configuration.retentionSeconds,
                         faithfulnessVoxels: configuration.faithfulnessVoxels)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    ReaderRoutes(queue: queue, uploads: UploadReceiver(workFolder: configuration.workFolder, maximumBytes: configuration.maximumUploadBytes),
                 examples: ExampleCases(folder: configuration.examplesFolder), assets: .bundled, models: models.identifiers)
        .add(to: router)
    var logger = Logger(label: "neoich.reader")
    logger.logLevel = .info
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "NeoICH"),
        services: [RetentionSweep(queue: queue, intervalSeconds: configuration.sweepIntervalSeconds)],
        logger: logger)
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
