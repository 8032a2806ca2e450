import ArgumentParser
import Foundation
import Hummingbird
import Pipeline
import Reader

/// `neoich serve`: the web reader (drop zone, viewer, overlays, prediction bar) on http://HOST:PORT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the NeoICH web reader (default http://127.0.0.1:8080).",
        discussion: """
            Uploaded scans and their results are kept in a private temporary folder and deleted after --retention-minutes \
            (the whole folder on shutdown). Binding to an address other than 127.0.0.1 makes scans reachable from the \
            network and needs a token (--token or $NEOICH_TOKEN): API requests must then carry it, and the page gets it \
            from the address printed at start (…/#token=…).
            """)

    @Option(help: "Address to bind; 127.0.0.1 keeps the reader private to this machine (any other address needs --token).")
    var host = "127.0.0.1"
    @Option(help: "Port.") var port = 8080
    @Option(help: "Secret the page and API clients must send (Authorization: Bearer …); default $NEOICH_TOKEN. Required unless --host is a loopback address.")
    var token: String?
    @Option(name: .customLong("allowed-host"), help: "Another host name or address the page may be opened by (repeatable; requests naming other hosts get 421).")
    var allowedHosts: [String] = []
    @OptionGroup var models: ModelFolderOptions
    @Option(help: "Folder of example cases (.nii/.nii.gz/.zip); default $NEOICH_EXAMPLES or Examples/.") var examples: String?
    @Option(name: .customLong("max-upload-mb"), help: "Largest accepted upload, MiB.") var maxUploadMB = 512
    @Option(name: .customLong("queue"), help: "Cases queued or running at once before new uploads get 503.") var queueCapacity = 8
    @Option(name: .customLong("retention-minutes"), help: "Delete uploads and results this long after upload.") var retentionMinutes = 60.0
    @Flag(inversion: .prefixedNo, help: "Average the 8 mirrored predictions per tile (nnU-Net default).") var mirroring = true
    @OptionGroup var inference: InferenceDeviceOptions
    @Option(name: .customLong("uploads"), help: "Uploads received at once; one more gets 503.") var concurrentUploads = 4
    @Option(name: .customLong("upload-stall-seconds"), help: "An upload that sends nothing for this long gets 408.")
    var uploadStallSeconds = 30.0
    @Option(name: .customLong("upload-time-limit-seconds"), help: "An upload unfinished after this long gets 408.")
    var uploadTimeLimitSeconds = 900.0
    @Option(name: .customLong("idle-seconds"), help: "Idle connections (and half-sent headers) are closed after this long.")
    var connectionIdleSeconds = 60.0
    @Option(name: .customLong("explanations"), help: "Explanations computed or waiting at once; one more gets 503.")
    var pendingExplanations = 4

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
        guard maxUploadMB > 0, queueCapacity > 0, retentionMinutes > 0, concurrentUploads > 0, uploadStallSeconds > 0,
              uploadTimeLimitSeconds > 0, connectionIdleSeconds > 0, pendingExplanations > 0 else {
            throw ValidationError("--max-upload-mb, --queue, --retention-minutes, --uploads, --upload-stall-seconds, "
                                  + "--upload-time-limit-seconds, --idle-seconds and --explanations must be positive")
        }
        var probe = ReaderConfiguration(models: .folders(models.locations))
        probe.host = host
        if !probe.bindsLoopbackOnly && resolvedToken == nil {
            throw ValidationError("--host \(host) makes uploaded scans reachable from the network, so the reader needs a token: "
                                  + "pass --token SECRET or set NEOICH_TOKEN (or keep --host 127.0.0.1)")
        }
        let missing = models.locations.missingFiles
        if !missing.isEmpty {
            throw ValidationError("the reader needs both models; missing: \(missing.joined(separator: ", ")) "
                                  + "(pass --segmentation-model / --classifier-model or set NEOICH_MODELS)")
        }
    }

    /// `--token`, else `$NEOICH_TOKEN`; nil when neither is set or empty.
    var resolvedToken: String? {
        let value = token ?? ProcessInfo.processInfo.environment["NEOICH_TOKEN"]
        return value?.isEmpty == false ? value : nil
    }

    func run() async throws {
        try NeoICH.prepareEngine()
        var configuration = ReaderConfiguration(models: .folders(models.locations), examplesFolder: examples.map { URL(fileURLWithPath: $0) })
        configuration.host = host
        configuration.port = port
        configuration.token = resolvedToken
        configuration.allowedHosts = allowedHosts
        configuration.maximumUploadBytes = maxUploadMB << 20
        configuration.queueCapacity = queueCapacity
        configuration.retentionSeconds = retentionMinutes * 60
        configuration.mirroring = mirroring
        (configuration.device, configuration.precision) = try inference.resolve()
        configuration.maximumConcurrentUploads = concurrentUploads
        configuration.uploadStallSeconds = uploadStallSeconds
        configuration.uploadTimeLimitSeconds = uploadTimeLimitSeconds
        configuration.connectionIdleSeconds = connectionIdleSeconds
        configuration.maximumPendingExplanations = pendingExplanations
        let app = try await buildApplication(configuration: configuration)
        if !configuration.bindsLoopbackOnly {
            print("warning: the reader listens on \(configuration.host): uploaded scans are reachable from the network "
                  + "(plain HTTP; anyone with the token can read them)")
        }
        print("NeoICH reader on \(configuration.pageURL) (Ctrl-C to stop)")
        do { try await app.runService() } catch { throw RuntimeFailure("the reader stopped: \(error)") }
    }
}
