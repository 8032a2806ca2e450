import CDCMTK
import Foundation

/// A DICOM dataset in memory (DCMTK's `DcmFileFormat`), read from a file or built attribute by attribute.
///
/// Attributes are addressed by DCMTK path strings: a dictionary name ("ImagePositionPatient"), a tag
/// ("(0020,0032)"), or a nested path ("PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0].ImagePositionPatient").
final class DICOMDataset {
    private let handle: OpaquePointer

    /// Reads `file`; `headersOnly` stops before the pixel data.
    ///
    /// - Throws: `DICOMError.toolkit` with DCMTK's message for a file that is not DICOM.
    init(reading file: String, headersOnly: Bool = true) throws {
        var out: OpaquePointer?
        try check(cd_dataset_load(file, headersOnly ? 1 : 0, &out), "reading \(file)")
        handle = out!
    }

    /// An empty dataset.
    init() throws {
        var out: OpaquePointer?
        try check(cd_dataset_new(&out), "creating a dataset")
        handle = out!
    }

    deinit { cd_dataset_free(handle) }

    /// The C handle, for the other CDCMTK calls.
    var pointer: OpaquePointer { handle }

    /// The value at `path` (several values joined by "\"), or `nil` when the attribute is absent.
    func string(_ path: String) throws -> String? {
        var needed: Int64 = 0, present: Int32 = 0
        try check(cd_dataset_get_string(handle, path, nil, 0, &needed, &present), "reading \(path)")
        guard present != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(needed))
        try check(cd_dataset_get_string(handle, path, &buffer, needed, &needed, &present), "reading \(path)")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The values at `path` as numbers (DS/IS/US…), or `nil` when the attribute is absent or empty.
    ///
    /// - Throws: `DICOMError.invalidAttribute` for a value that is not a list of numbers.
    func numbers(_ path: String, file: String) throws -> [Double]? {
        guard let text = try string(path), !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        let values = text.split(separator: "\\", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.allSatisfy({ $0?.isFinite == true }) else {
            throw DICOMError.invalidAttribute(file: file, attribute: path, value: text)
        }
        return values.compactMap { $0 }
    }

    /// The number of items of the sequence at `path` (0 when absent).
    func count(_ path: String) throws -> Int {
        var n: Int64 = 0
        try check(cd_dataset_sequence_count(handle, path, &n), "reading \(path)")
        return Int(n)
    }

    /// Sets the attribute at `path`, creating sequences and items on the way.
    func set(_ path: String, _ value: String) throws {
        try check(cd_dataset_put_string(handle, path, value), "setting \(path)")
    }

    /// Sets Pixel Data from 16-bit words.
    func setPixels(_ words: [UInt16]) throws {
        try check(cd_dataset_put_pixels16(handle, words, Int64(words.count)), "setting PixelData")
    }

    /// Sets Pixel Data from bytes (8-bit samples).
    func setPixels(bytes: [UInt8]) throws {
        try check(cd_dataset_put_pixels8(handle, bytes, Int64(bytes.count)), "setting PixelData")
    }

    /// Pixel Data's bytes as stored (empty when absent; needs a dataset read with `headersOnly: false`).
    func pixelBytes() throws -> [UInt8] {
        var needed: Int64 = 0
        try check(cd_dataset_get_pixel_bytes(handle, nil, 0, &needed), "reading PixelData")
        guard needed > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(needed))
        try check(cd_dataset_get_pixel_bytes(handle, &bytes, needed, &needed), "reading PixelData")
        return bytes
    }

    /// Writes a Part 10 file (explicit VR little endian).
    func write(to url: URL) throws {
        try check(cd_dataset_save(handle, url.path), "writing \(url.path)")
    }
}

/// A new globally unique UID under DCMTK's site root.
func newDICOMUID() throws -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    var needed: Int64 = 0
    try check(cd_new_uid(&buffer, Int64(buffer.count), &needed), "generating a UID")
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Turns a C ABI status into a thrown `DICOMError.toolkit` with the thread-local message.
@inline(__always)
func check(_ status: cd_status, _ operation: @autoclosure () -> String) throws {
    if status != CD_OK {
        throw DICOMError.toolkit(operation: operation(), message: String(cString: cd_last_error()))
    }
}
