import Foundation
import Pipeline

/// Everything `buildApplication(configuration:)` needs; defaults are what `neoich serve` uses.
public struct ReaderConfiguration: Sendable {
    /// Where the models come from.
    public enum Models: Sendable {
        /// Model folders, loaded when the application is built.
        case folders(ModelLocations)
        /// Models already in memory (tests).
        case loaded(PipelineModels)
    }

    /// Bind address; 127.0.0.1 so that only this machine can reach uploaded scans.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var models: Models
    /// Example cases (.nii/.nii.gz/.zip) offered on the page: `$NEOICH_EXAMPLES` or `Examples/`.
    public var examplesFolder: URL
    /// Uploaded scans and their results live here, one sub-folder per job.
    public var workFolder: URL
    /// Largest accepted upload: 512 MiB (a thin-slice DICOM zip fits; a 512×512×31 NIfTI is ~16 MB).
    public var maximumUploadBytes: Int = 512 << 20
    /// Jobs waiting or running at once; one more upload gets 503 and can be retried.
    public var queueCapacity: Int = 8
    /// Uploaded scans and results are deleted this long after their job was created: 1 hour.
    public var retentionSeconds: Double = 3600
    /// How often the retention sweep runs.
    public var sweepIntervalSeconds: Double = 60
    /// Sliding-window mirroring (nnU-Net default on; tests switch it off for speed).
    public var mirroring: Bool = true
    /// Lesion voxels the viewer's faithfulness is scored on (a seeded uniform sample; nil: all of them, exact).
    /// One perturbed forward per voxel: the exact score of a typical lesion (≈ 25 000 voxels) takes minutes on a
    /// 2-core CPU, so the reader samples by default and says so next to the score.
    public var faithfulnessVoxels: Int? = 1024

    public init(models: Models, examplesFolder: URL? = nil, workFolder: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.models = models
        self.examplesFolder = examplesFolder
            ?? URL(fileURLWithPath: environment["NEOICH_EXAMPLES"] ?? "Examples")
        self.workFolder = workFolder
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("neoich-reader-\(ProcessInfo.processInfo.processIdentifier)")
    }
}
