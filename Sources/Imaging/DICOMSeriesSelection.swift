import Foundation

/// One series that dcm2niix converted, with the verdict of the selection rules.
public struct DICOMSeriesCandidate: Sendable, Codable, Equatable {
    /// DICOM SeriesNumber, when present.
    public var seriesNumber: Int?
    /// DICOM SeriesDescription.
    public var seriesDescription: String
    /// DICOM SeriesInstanceUID, when the converter reported it.
    public var seriesInstanceUID: String? = nil
    /// DICOM Modality ("CT", "MR", …).
    public var modality: String
    /// DICOM ImageType values.
    public var imageType: [String]
    /// DICOM SliceThickness, or the slice spacing when the tag is absent, mm.
    public var sliceThicknessMM: Double
    /// Number of slices (z size after conversion).
    public var slices: Int
    /// Whether the rules allow this series.
    public var eligible: Bool
    /// Why it is (not) eligible, in words.
    public var reason: String
    /// The converted file (inside the temporary folder; for diagnostics).
    var niftiFile: String
}

/// Which series of a DICOM folder becomes the CT volume, and why.
///
/// Rules, in order: (1) Modality is CT; (2) not a localizer: ImageType without LOCALIZER, a description
/// without scout/topogram/localizer/surview, and at least 3 slices; (3) slice thickness ≤ 5 mm (the
/// thickest head-CT reconstruction the segmentation model is meant for). Among the eligible series the
/// thinnest reconstruction wins, then the one with most slices, then the lowest series number.
public struct DICOMSeriesSelection: Sendable, Codable, Equatable {
    /// The series used.
    public var chosen: DICOMSeriesCandidate
    /// Every converted series with its verdict (the chosen one included).
    public var candidates: [DICOMSeriesCandidate]
    /// One sentence: which series and why.
    public var explanation: String

    /// The largest slice thickness accepted, mm.
    public static let maximumSliceThicknessMM = 5.0

    /// Applies the rules.
    ///
    /// - Throws: `ImagingError.noCTSeries` when no series is CT, `.noEligibleSeries` when no CT series
    ///   passes, each naming `file`.
    static func select(_ all: [DICOMSeriesCandidate], file: String) throws -> DICOMSeriesSelection {
        var candidates = all.map(judge)
        guard candidates.contains(where: { $0.modality.uppercased() == "CT" }) else {
            let found = Set(candidates.map(\.modality)).sorted().map(describe(modality:)).joined(separator: ", ")
            throw ImagingError.noCTSeries(file: file, found: found.isEmpty ? "no modality" : "modalities \(found)")
        }
        let ranked = candidates.filter(\.eligible).sorted { a, b in
            if a.sliceThicknessMM != b.sliceThicknessMM { return a.sliceThicknessMM < b.sliceThicknessMM }
            if a.slices != b.slices { return a.slices > b.slices }
            return (a.seriesNumber ?? .max) < (b.seriesNumber ?? .max)
        }
        guard let chosen = ranked.first else {
            let reasons = candidates.map { "series \($0.seriesNumber.map(String.init) ?? "?") (\($0.seriesDescription)): \($0.reason)" }
            throw ImagingError.noEligibleSeries(file: file, detail: reasons.joined(separator: "; "))
        }
        candidates.sort { ($0.seriesNumber ?? .max) < ($1.seriesNumber ?? .max) }
        let others = ranked.count - 1
        let explanation = "series \(chosen.seriesNumber.map(String.init) ?? "?") \"\(chosen.seriesDescription)\": CT, "
            + "\(chosen.slices) slices of \(chosen.sliceThicknessMM) mm"
            + (others > 0 ? ", the thinnest (then most slices) of \(ranked.count) eligible series" : ", the only eligible series")
            + " (\(candidates.count - ranked.count) rejected)"
        return DICOMSeriesSelection(chosen: chosen, candidates: candidates, explanation: explanation)
    }

    /// A DICOM modality code with what it means, for messages ("OT (other, e.g. a secondary-capture screenshot)").
    static func describe(modality code: String) -> String {
        let meanings = [
            "OT": "other, e.g. a secondary-capture screenshot", "SC": "secondary capture", "SR": "structured report",
            "SEG": "segmentation", "PR": "presentation state", "KO": "key object selection", "DOC": "document",
            "MR": "MRI", "CR": "radiograph", "DX": "radiograph", "PT": "PET", "NM": "nuclear medicine",
            "US": "ultrasound", "XA": "angiography", "RTSTRUCT": "radiotherapy structures", "unknown": "not recorded",
        ]
        return meanings[code.uppercased()].map { "\(code) (\($0))" } ?? code
    }

    private static func judge(_ candidate: DICOMSeriesCandidate) -> DICOMSeriesCandidate {
        var c = candidate
        let description = c.seriesDescription.lowercased()
        if c.modality.uppercased() != "CT" {
            (c.eligible, c.reason) = (false, "modality \(describe(modality: c.modality)), not CT")
        } else if c.imageType.contains(where: { $0.uppercased() == "LOCALIZER" })
                    || ["scout", "topogram", "localizer", "surview"].contains(where: description.contains) {
            (c.eligible, c.reason) = (false, "localizer")
        } else if c.slices < 3 {
            (c.eligible, c.reason) = (false, "\(c.slices) slice(s), not a volume")
        } else if c.sliceThicknessMM > maximumSliceThicknessMM + 1e-6 {
            (c.eligible, c.reason) = (false, "slice thickness \(c.sliceThicknessMM) mm > \(maximumSliceThicknessMM) mm")
        } else {
            (c.eligible, c.reason) = (true, "axial CT volume, \(c.slices) slices of \(c.sliceThicknessMM) mm")
        }
        return c
    }
}
