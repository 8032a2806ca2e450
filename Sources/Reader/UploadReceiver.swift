import Foundation
import Hummingbird
import Imaging
import Pipeline

/// Receives one upload: streams the body to a private temporary file (never more than the size limit),
/// reads and validates the scan, and deletes the file again.
struct UploadReceiver: Sendable {
    var workFolder: URL
    var maximumBytes: Int

    /// A file name safe to use on disk, keeping the extension that decides the format.
    static func sanitizedName(_ raw: String?) throws(ReaderError) -> String {
        let base = (raw ?? "").split(separator: "/").last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        guard !cleaned.isEmpty, !cleaned.hasPrefix(".") else {
            throw ReaderError(.badRequest, "missing file name: upload with ?name=scan.nii.gz")
        }
        let lower = cleaned.lowercased()
        guard lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") || lower.hasSuffix(".zip") else {
            throw ReaderError(.unsupportedMediaType, "\(cleaned): unsupported file type; drop a NIfTI file (.nii, .nii.gz) or a .zip of DICOM files")
        }
        return String(cleaned.prefix(200))
    }

    /// The scan in the request body, read and checked.
    ///
    /// - Throws: `ReaderError` 413 (too large), 415 (wrong type), 422 (not a readable 3-D CT).
    func receive(_ request: Request, name: String) async throws -> (image: Volume<Float>, format: String) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBytes {
            throw tooLarge(name)
        }
        let folder = workFolder.appendingPathComponent("uploads").appendingPathComponent("neoich-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw ReaderError(.internalServerError, "cannot store the upload on the server")
        }
        var received = 0
        do {
            defer { try? handle.close() }
            for try await buffer in request.body {
                received += buffer.readableBytes
                if received > maximumBytes { throw tooLarge(name) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
        }
        guard received > 0 else { throw ReaderError(.badRequest, "\(name): the upload is empty") }
        return try await Self.read(file, name: name)
    }

    /// Reads a scan file off the cooperative threads, mapping errors to 4xx.
    static func read(_ file: URL, name: String) async throws -> (image: Volume<Float>, format: String) {
        do {
            let (image, format) = try await runBlocking { try CTSource.read(file) }
            return (image, format)
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
