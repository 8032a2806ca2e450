import DICOM
import Foundation
import Hummingbird
import Imaging
import Pipeline

/// Receives one upload: streams the body to a private temporary file (never more than the size limit, never
/// slower than the deadlines allow), reads and validates the scan, and deletes the file again.
///
/// Uploads hold no place in the job queue while they arrive: at most `slots` of them are received at once, and
/// one that stalls or drags on past its time limit is ended with 408.
struct UploadReceiver: Sendable {
    var workFolder: URL
    var maximumBytes: Int
    /// Uploads received at once.
    var slots: UploadSlots
    /// Nothing received for this long: 408.
    var stallSeconds: Double
    /// Still incomplete after this long: 408.
    var timeLimitSeconds: Double

    /// The extensions that decide the format, longest first.
    static let extensions = [".nii.gz", ".nii", ".zip"]
    /// Longest stored name, extension included.
    static let maximumNameLength = 200

    /// A file name safe to use on disk, keeping the extension that decides the format (also when shortened).
    static func sanitizedName(_ raw: String?) throws(ReaderError) -> String {
        let base = (raw ?? "").split(separator: "/").last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        guard !cleaned.isEmpty, !cleaned.hasPrefix(".") else {
            throw ReaderError(.badRequest, "missing file name: upload with ?name=scan.nii.gz")
        }
        let lower = cleaned.lowercased()
        guard let suffix = extensions.first(where: { lower.hasSuffix($0) }) else {
            throw ReaderError(.unsupportedMediaType, "\(cleaned): unsupported file type; drop a NIfTI file (.nii, .nii.gz) or a .zip of DICOM files")
        }
        guard cleaned.count > maximumNameLength else { return cleaned }
        let stem = cleaned.dropLast(suffix.count)
        return String(stem.prefix(maximumNameLength - suffix.count)) + String(cleaned.suffix(suffix.count))
    }

    /// The scan in the request body, read and checked.
    ///
    /// - Throws: `ReaderError` 408 (stalled or too slow), 413 (too large), 415 (wrong type), 422 (not a readable
    ///   3-D CT), 503 (too many uploads at once).
    func receive(_ request: Request, name: String) async throws -> (image: Volume<Float>, format: String, dicom: DICOMSourceSeries?) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBytes {
            throw tooLarge(name)
        }
        return try await receive(body: request.body, name: name)
    }

    /// Receives `body` under an upload slot and the deadlines, then reads the scan.
    func receive<Body: AsyncSequence & Sendable>(body: Body, name: String) async throws -> (image: Volume<Float>, format: String, dicom: DICOMSourceSeries?)
    where Body.Element == ByteBuffer {
        try await slots.acquire()
        do {
            let result = try await receiveHoldingSlot(body: body, name: name)
            await slots.release()
            return result
        } catch {
            await slots.release()
            throw error
        }
    }

    private func receiveHoldingSlot<Body: AsyncSequence & Sendable>(body: Body, name: String) async throws -> (image: Volume<Float>, format: String, dicom: DICOMSourceSeries?)
    where Body.Element == ByteBuffer {
        let folder = workFolder.appendingPathComponent("uploads").appendingPathComponent("neoich-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw ReaderError(.internalServerError, "cannot store the upload on the server")
        }
        let progress = UploadProgress()
        let maximumBytes = maximumBytes, tooLarge = tooLarge(name)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { try? handle.close() }
                var received = 0
                for try await buffer in body {
                    received += buffer.readableBytes
                    if received > maximumBytes { throw tooLarge }
                    try handle.write(contentsOf: Data(buffer.readableBytesView))
                    progress.advance()
                }
                try Task.checkCancellation()
                guard received > 0 else { throw ReaderError(.badRequest, "\(name): the upload is empty") }
            }
            group.addTask { try await watch(progress, name: name) }
            _ = try await group.next()
            group.cancelAll()
        }
        return try await Self.read(file, name: name)
    }

    /// Throws 408 once the upload has received nothing for `stallSeconds` or has taken `timeLimitSeconds`;
    /// runs until cancelled otherwise.
    private func watch(_ progress: UploadProgress, name: String) async throws {
        let start = ContinuousClock.now
        let stall = Duration.seconds(stallSeconds), limit = Duration.seconds(timeLimitSeconds)
        let tick = Duration.seconds(max(0.02, min(stallSeconds, timeLimitSeconds) / 8))
        while true {
            try await Task.sleep(for: tick)
            let now = ContinuousClock.now
            if now - start >= limit {
                throw ReaderError(.requestTimeout, "\(name): the upload did not finish within \(Self.seconds(timeLimitSeconds)); "
                                  + "upload again over a faster connection")
            }
            if now - progress.lastProgress >= stall {
                throw ReaderError(.requestTimeout, "\(name): the upload stalled (nothing received for \(Self.seconds(stallSeconds))); "
                                  + "check the connection and upload again")
            }
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    /// Reads a scan file off the cooperative threads, mapping errors to 4xx.
    /// A DICOM upload comes with the headers of its series (`dicom`), for the DICOM downloads.
    static func read(_ file: URL, name: String) async throws -> (image: Volume<Float>, format: String, dicom: DICOMSourceSeries?) {
        do {
            // What cannot be a head CT in HU is refused here, before it takes a queue place.
            return try await runBlocking {
                let (image, format, dicom) = try DICOMCaseResults.readScan(file)
                _ = try HeadCTPlausibility(image).warnings(file: file.path)
                return (image, format, dicom)
            }
        } catch let error as ImagingError {
            switch error {
            case .externalToolMissing: throw ReaderError(.internalServerError, ReaderMessages.describe(error, name: name))
            case .unsupportedFileExtension: throw ReaderError(.unsupportedMediaType, ReaderMessages.describe(error, name: name))
            default: throw ReaderError(.unprocessableContent, ReaderMessages.describe(error, name: name))
            }
        } catch let error as PipelineError {
            throw ReaderError(.unsupportedMediaType, ReaderMessages.describe(error, name: name))
        }
    }

    private func tooLarge(_ name: String) -> ReaderError {
        ReaderError(.contentTooLarge, "\(name): larger than the upload limit of \(maximumBytes / (1 << 20)) MiB")
    }
}

/// When an upload last received bytes, shared between its receiving task and its watchdog.
final class UploadProgress: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var last = ContinuousClock.now

    /// Records that bytes arrived now.
    func advance() { lock.withLock { last = ContinuousClock.now } }

    /// When bytes last arrived (the start when none have).
    var lastProgress: ContinuousClock.Instant { lock.withLock { last } }
}

/// The bounded count of uploads being received at once.
actor UploadSlots {
    private let maximum: Int
    private var inUse = 0

    init(maximum: Int) { self.maximum = max(1, maximum) }

    /// Takes a slot.
    ///
    /// - Throws: `ReaderError` 503 when every slot is taken.
    func acquire() throws(ReaderError) {
        guard inUse < maximum else {
            throw ReaderError.busy("The reader is receiving as many uploads as it takes at once (\(maximum))")
        }
        inUse += 1
    }

    /// Gives a slot back.
    func release() { inUse = max(0, inUse - 1) }

    /// Slots taken (for tests).
    var count: Int { inUse }
}
