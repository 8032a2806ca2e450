import Foundation
import NN
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

    /// Bind address; 127.0.0.1 so that only this machine can reach uploaded scans. Any other address needs `token`.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// The secret API requests must carry as `Authorization: Bearer …`; required when `host` is not a loopback
    /// address, optional otherwise (nil: loopback requests need none).
    public var token: String?
    /// Host names (or addresses) the page may be reached by besides the bind address and localhost / 127.0.0.1 /
    /// [::1]; requests naming any other host are refused (DNS rebinding). A port, if given, is ignored.
    public var allowedHosts: [String] = []
    public var models: Models
    /// Example cases (.nii/.nii.gz/.zip) offered on the page: `$NEOICH_EXAMPLES` or `Examples/`.
    public var examplesFolder: URL
    /// Uploaded scans and their results live here, one sub-folder per job. nil: a fresh private (0700) folder
    /// `neoich-reader-XXXXXX` in the temporary directory, removed on graceful shutdown (and, after a crash, by the
    /// next reader's start).
    public var workFolder: URL?
    /// Largest accepted upload: 512 MiB (a thin-slice DICOM zip fits; a 512×512×31 NIfTI is ~16 MB).
    public var maximumUploadBytes: Int = 512 << 20
    /// Jobs waiting or running at once; one more upload gets 503 and can be retried.
    public var queueCapacity: Int = 8
    /// Uploads being received at once, apart from the queue (a slow upload holds no queue place); one more gets 503.
    public var maximumConcurrentUploads: Int = 4
    /// An upload that sends nothing for this long is ended with 408 and its partial file deleted.
    public var uploadStallSeconds: Double = 30
    /// An upload still incomplete after this long is ended with 408 (512 MiB at 1 MiB/s fits).
    public var uploadTimeLimitSeconds: Double = 900
    /// A connection that sends nothing (no request, no header or body bytes) for this long is closed.
    public var connectionIdleSeconds: Double = 60
    /// Explanation computations waiting or running at once (duplicates of one in flight share it); one more gets 503.
    public var maximumPendingExplanations: Int = 4
    /// Uploaded scans and results are deleted this long after their job was created: 1 hour.
    public var retentionSeconds: Double = 3600
    /// How often the retention sweep runs.
    public var sweepIntervalSeconds: Double = 60
    /// Sliding-window mirroring (nnU-Net default on; tests switch it off for speed).
    public var mirroring: Bool = true
    /// Where the networks run (the CPU, or a GPU of a CUDA libtorch) and in which inference precision.
    public var device: Device = .cpu
    public var precision: Precision = .fp32
    /// Lesion voxels the viewer's faithfulness is scored on (a seeded uniform sample; nil: all of them, exact).
    /// One perturbed forward per voxel: the exact score of a typical lesion (≈ 25 000 voxels) takes minutes on a
    /// 2-core CPU, so the reader samples by default and says so next to the score.
    public var faithfulnessVoxels: Int? = 1024

    /// Whether `host` is a loopback address, reachable from this machine only (no token needed).
    public var bindsLoopbackOnly: Bool { AccessPolicy.isLoopback(host) }

    /// The address to open the page at: the bind address (this machine's name for a wildcard bind), with the
    /// token in the fragment, which the page reads and browsers never send to the server.
    public var pageURL: String {
        var name = AccessPolicy.isWildcard(host) ? ProcessInfo.processInfo.hostName : host
        if name.contains(":") && !name.hasPrefix("[") { name = "[\(name)]" }
        let fragment = token.map { $0.isEmpty ? "" : "#token=\($0.addingPercentEncoding(withAllowedCharacters: Self.tokenCharacters) ?? $0)" } ?? ""
        return "http://\(name):\(port)/\(fragment)"
    }

    private static let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    public init(models: Models, examplesFolder: URL? = nil, workFolder: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.models = models
        self.examplesFolder = examplesFolder
            ?? URL(fileURLWithPath: environment["NEOICH_EXAMPLES"] ?? "Examples")
        self.workFolder = workFolder
    }
}
