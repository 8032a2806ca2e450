import Foundation
import Pipeline

/// What the page polls for one uploaded case: `GET /api/cases/{id}`.
public struct JobStatus: Codable, Sendable, Equatable {
    /// Where a job is.
    public enum State: String, Codable, Sendable {
        case queued, running, done, failed
    }

    public var id: String
    /// The uploaded file's name (or the example's).
    public var name: String
    public var state: State
    /// The pipeline stage while running.
    public var stage: PipelineStage?
    /// Jobs ahead of this one while queued (0: next).
    public var queuePosition: Int?
    /// Why the job failed.
    public var error: ReaderError.Body.Detail?
    /// The report once done.
    public var report: PredictionReport?
    /// Seconds since 1970 when the job was created; the job is deleted `retentionSeconds` later.
    public var createdAt: Double
    /// When its files will be deleted, seconds since 1970.
    public var expiresAt: Double
}
