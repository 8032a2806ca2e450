import Foundation

/// A CT volume imported from DICOM, with the series choice that produced it.
public struct DICOMImport: Sendable {
    /// The CT in HU (RescaleSlope/RescaleIntercept applied: dcm2niix stores them as scl_slope/scl_inter).
    public var volume: Volume<Float>
    /// The chosen series and the verdict on every other.
    public var selection: DICOMSeriesSelection
}

/// Imports a DICOM folder or .zip through dcm2niix (Debian package `dcm2niix`).
///
/// dcm2niix converts every series into a temporary folder (NIfTI plus a BIDS JSON sidecar with Modality,
/// ImageType, SeriesNumber, SliceThickness); `DICOMSeriesSelection` picks one; the NIfTI is read with
/// `NIfTIFile`, so orientation and HU follow the NIfTI conventions (RAS+ affine). A .zip is listed and
/// checked with `ZipArchive` before extraction.
public enum DICOMImporter {
    /// Imports the CT series of a DICOM folder or .zip.
    ///
    /// - Parameters:
    ///   - source: a folder (searched recursively) or a `.zip`.
    ///   - dcm2niix: path of the converter; `nil` looks on `PATH` and in /usr/bin.
    /// - Throws: `ImagingError` naming `source`: `.fileNotFound`, `.emptyDICOMFolder`, `.noDICOMSeries`,
    ///   `.noCTSeries`, `.noEligibleSeries`, `.unsafeArchiveEntry`, `.invalidArchive`, `.externalToolMissing`,
    ///   `.externalToolFailed`, or a NIfTI error for a broken conversion.
    public static func importCT(from source: URL, dcm2niix: String? = nil) throws -> DICOMImport {
        try importCT(from: source, dcm2niix: dcm2niix) { imported, _ in imported }
    }

    /// Imports the CT series of a DICOM folder or .zip and hands it to `body` together with the folder of
    /// DICOM files it was converted from (the extracted copy of a .zip), before temporary files are removed:
    /// the way to read the headers of the very files dcm2niix converted.
    ///
    /// - Throws: as `importCT(from:dcm2niix:)`, and what `body` throws.
    public static func importCT<T>(from source: URL, dcm2niix: String? = nil,
                                   reading body: (DICOMImport, URL) throws -> T) throws -> T {
        let work = try PrivateFolder.make(prefix: "neoich-dicom-")
        defer { try? FileManager.default.removeItem(at: work) }
        let file = source.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else {
            throw ImagingError.fileNotFound(file: file)
        }
        var folder = source
        if !isFolder.boolValue {
            guard source.pathExtension.lowercased() == "zip" else {
                throw ImagingError.unsupportedFileExtension(file: file, expected: "a DICOM folder or a .zip")
            }
            folder = work.appendingPathComponent("extracted")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ZipArchive.extract(source, into: folder)
        }
        guard containsFiles(folder) else { throw ImagingError.emptyDICOMFolder(file: file) }

        let converter = try ExternalTool.locate("dcm2niix", path: dcm2niix)
        let output = work.appendingPathComponent("nifti")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // The converter runs under resource limits: a series whose headers promise absurd sizes makes it fail,
        // not the machine swap (address space 8 GiB, files 2 GiB, 10 min of CPU).
        let limited = try ExternalTool.locate("prlimit")
        let run = try limited.run(
            ["--as=\(8 << 30)", "--fsize=\(2 << 30)", "--cpu=600", converter.path,
             "-b", "y", "-z", "n", "-f", "%s_%j", "-o", output.path, folder.path], file: file)
        if run.signaled {
            throw ImagingError.externalToolFailed(
                tool: "dcm2niix", file: file, status: run.status,
                message: "ended by signal \(run.status) (over its memory, file-size or CPU limit)")
        }
        let candidates = convertedSeries(in: output)
        guard !candidates.isEmpty else {
            let message = (run.standardError + run.standardOutput).split(separator: "\n")
                .first { $0.localizedCaseInsensitiveContains("error") }.map(String.init)
            throw ImagingError.noDICOMSeries(file: file, detail: message ?? "dcm2niix exited with status \(run.status)")
        }
        let selection = try DICOMSeriesSelection.select(candidates, file: file)
        let volume = try NIfTIFile.read(URL(fileURLWithPath: selection.chosen.niftiFile), as: Float.self)
        return try body(DICOMImport(volume: volume, selection: selection), folder)
    }

    /// Imports and writes the CT as NIfTI (`neoich convert DICOM OUT.nii.gz`).
    ///
    /// - Returns: the series selection, to print.
    /// - Throws: as `importCT` and `NIfTIFile.write`.
    @discardableResult
    public static func convert(_ source: URL, to destination: URL, dcm2niix: String? = nil) throws -> DICOMSeriesSelection {
        let imported = try importCT(from: source, dcm2niix: dcm2niix)
        try NIfTIFile.write(imported.volume, to: destination)
        return imported.selection
    }

    /// The series dcm2niix wrote: each `.nii` with its JSON sidecar.
    /// A file NeoICH cannot read as a 3-D volume (a 2-D localizer) counts as 0 slices, so the rules reject it.
    private static func convertedSeries(in folder: URL) -> [DICOMSeriesCandidate] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".nii") }.sorted().map { name in
            let nifti = folder.appendingPathComponent(name)
            let sidecar = nifti.deletingPathExtension().appendingPathExtension("json")
            let tags = (try? JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: sidecar))) ?? Sidecar()
            let header = try? NIfTIHeader.inspect(nifti)
            return DICOMSeriesCandidate(
                seriesNumber: tags.SeriesNumber, seriesDescription: tags.SeriesDescription ?? "",
                seriesInstanceUID: seriesInstanceUID(inFileName: name),
                modality: tags.Modality ?? "unknown", imageType: tags.ImageType ?? [],
                sliceThicknessMM: tags.SliceThickness ?? header?.pixdim[3] ?? 0, slices: header?.shape.z ?? 0,
                eligible: false, reason: "", niftiFile: nifti.path)
        }
    }

    /// The SeriesInstanceUID in a converted file's name (`%s_%j`: series number, `_`, the UID, then any
    /// suffix dcm2niix adds), or `nil`.
    static func seriesInstanceUID(inFileName name: String) -> String? {
        guard let separator = name.firstIndex(of: "_") else { return nil }
        let uid = name[name.index(after: separator)...].prefix { $0.isNumber || $0 == "." }
        let trimmed = uid.hasSuffix(".") ? uid.dropLast() : uid
        return trimmed.contains(".") ? String(trimmed) : nil
    }

    private static func containsFiles(_ folder: URL) -> Bool {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return false
        }
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            return true
        }
        return false
    }

    /// The dcm2niix BIDS sidecar fields NeoICH uses (names as dcm2niix writes them).
    private struct Sidecar: Decodable {
        var Modality: String?
        var SeriesDescription: String?
        var ImageType: [String]?
        var SeriesNumber: Int?
        var SliceThickness: Double?
    }
}
