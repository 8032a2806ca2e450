import Foundation

/// The steps of one prediction, in order; each is timed and reported to progress observers.
public enum PipelineStage: String, Sendable, Codable, CaseIterable {
    /// Read the NIfTI or import the DICOM series.
    case read
    /// Sliding-window segmentation of ICH and PHE.
    case segment
    /// Lesions (connected components), volumes, densities, ABC/2, location.
    case measure
    /// Masked lesion crops through the classifier.
    case classify
    /// Label map, overlay montages and report on disk.
    case write
}

/// The time one stage took.
public struct StageTiming: Sendable, Codable, Equatable {
    public var stage: PipelineStage
    public var seconds: Double

    public init(stage: PipelineStage, seconds: Double) {
        self.stage = stage
        self.seconds = seconds
    }
}

/// Measures stages with a monotonic clock.
struct StageClock {
    private(set) var timings: [StageTiming] = []

    /// Runs `body` as `stage`, recording its duration even when it throws.
    mutating func run<T>(_ stage: PipelineStage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            timings.append(StageTiming(stage: stage, seconds: seconds))
        }
        return try body()
    }
}
