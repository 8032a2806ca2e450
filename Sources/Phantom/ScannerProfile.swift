import Foundation

/// How one centre's scanner and protocol turn the ideal head into the CT that is stored.
///
/// Centre A is the development centre (001_…: Charité), centre B the external one (001_…: Hamburg). B differs
/// in every appearance parameter at once — pixel spacing, slice thickness, a sharper reconstruction kernel
/// with more (and less correlated) noise, a soft-tissue contrast of its own (tube voltage), a calibration
/// offset that drifts from scan to scan, and residual beam-hardening cupping — the kind of shift that made the
/// paper's classifier fall from AUC 0.85 internally to 0.68 externally (001_… §4 names scanners, kernels and
/// noise levels). The class signal itself is the same in both centres: only the appearance changes.
///
/// Parameters that vary from scan to scan (the offset's drift, the cupping depth) are drawn per case from the
/// case's own stream (`PhantomCaseSpec.scan`), so a cohort stays deterministic for its seed.
public struct ScannerProfile: Sendable, Codable, Equatable {
    /// Centre name written to cohort.csv ("A", "B", …).
    public var centre: String
    /// In-plane grid (y = x), voxels.
    public var matrixSize: Int
    /// In-plane pixel spacing, mm.
    public var pixelSpacingMM: Double
    /// Slice thickness = slice spacing, mm (contiguous axial slices).
    public var sliceThicknessMM: Double
    /// Number of axial slices.
    public var sliceCount: Int
    /// Thin sub-slices rendered per stored slice and averaged into it (partial-volume effect along z).
    public var subSlicesPerSlice: Int
    /// Standard deviation of the Gaussian in-plane point-spread function (reconstruction kernel), mm.
    public var pointSpreadSigmaMM: Double
    /// Standard deviation of the image noise after reconstruction, HU (measured in a uniform region).
    public var noiseSigmaHU: Double
    /// Calibration offset added to every voxel, HU (water reads `offset` instead of 0).
    public var offsetHU: Double
    /// Value of voxels outside the reconstruction circle, HU (scanner padding).
    public var paddingHU: Double
    /// SD of the calibration offset's drift between scans, HU (each scan's offset ~ N(`offsetHU`, this)).
    public var offsetDriftSDHU: Double
    /// Mean depth of beam-hardening cupping, HU: tissue at the brain's centre reads this much lower than at its
    /// surface (a parabolic profile over the brain's ellipsoid radius); each scan draws 0.5–1.5 × this.
    public var cuppingHU: Double
    /// Soft-tissue contrast relative to centre A's protocol (tube voltage and calibration slope): every HU is
    /// multiplied by this before the offset, so a lower voltage (gain > 1) spreads blood, brain and edema apart.
    public var contrastGain: Double

    public init(centre: String, matrixSize: Int, pixelSpacingMM: Double, sliceThicknessMM: Double, sliceCount: Int,
                subSlicesPerSlice: Int, pointSpreadSigmaMM: Double, noiseSigmaHU: Double, offsetHU: Double,
                paddingHU: Double = -1024, offsetDriftSDHU: Double = 0, cuppingHU: Double = 0, contrastGain: Double = 1) {
        self.centre = centre
        self.matrixSize = matrixSize
        self.pixelSpacingMM = pixelSpacingMM
        self.sliceThicknessMM = sliceThicknessMM
        self.sliceCount = sliceCount
        self.subSlicesPerSlice = subSlicesPerSlice
        self.pointSpreadSigmaMM = pointSpreadSigmaMM
        self.noiseSigmaHU = noiseSigmaHU
        self.offsetHU = offsetHU
        self.paddingHU = paddingHU
        self.offsetDriftSDHU = offsetDriftSDHU
        self.cuppingHU = cuppingHU
        self.contrastGain = contrastGain
    }

    private enum CodingKeys: String, CodingKey {
        case centre, matrixSize, pixelSpacingMM, sliceThicknessMM, sliceCount, subSlicesPerSlice, pointSpreadSigmaMM
        case noiseSigmaHU, offsetHU, paddingHU, offsetDriftSDHU, cuppingHU, contrastGain
    }

    /// Decodes a profile; the scan-to-scan and contrast fields may be left out (no drift, no cupping, gain 1).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(centre: try c.decode(String.self, forKey: .centre), matrixSize: try c.decode(Int.self, forKey: .matrixSize),
                  pixelSpacingMM: try c.decode(Double.self, forKey: .pixelSpacingMM),
                  sliceThicknessMM: try c.decode(Double.self, forKey: .sliceThicknessMM),
                  sliceCount: try c.decode(Int.self, forKey: .sliceCount),
                  subSlicesPerSlice: try c.decodeIfPresent(Int.self, forKey: .subSlicesPerSlice) ?? 3,
                  pointSpreadSigmaMM: try c.decode(Double.self, forKey: .pointSpreadSigmaMM),
                  noiseSigmaHU: try c.decode(Double.self, forKey: .noiseSigmaHU),
                  offsetHU: try c.decodeIfPresent(Double.self, forKey: .offsetHU) ?? 0,
                  paddingHU: try c.decodeIfPresent(Double.self, forKey: .paddingHU) ?? -1024,
                  offsetDriftSDHU: try c.decodeIfPresent(Double.self, forKey: .offsetDriftSDHU) ?? 0,
                  cuppingHU: try c.decodeIfPresent(Double.self, forKey: .cuppingHU) ?? 0,
                  contrastGain: try c.decodeIfPresent(Double.self, forKey: .contrastGain) ?? 1)
    }

    /// Centre A (development): 512×512×31 at 0.45×0.45×5 mm (issue 4 / 001_…: 8.1 M voxels per scan), a
    /// soft brain kernel (PSF σ 0.55 mm) and low noise (σ 3.5 HU), no calibration offset.
    public static let centreA = ScannerProfile(
        centre: "A", matrixSize: 512, pixelSpacingMM: 0.45, sliceThicknessMM: 5, sliceCount: 31,
        subSlicesPerSlice: 3, pointSpreadSigmaMM: 0.55, noiseSigmaHU: 3.5, offsetHU: 0)

    /// Centre B (external): 250 mm field of view (0.488 mm pixels), 4 mm slices (38 slices, same coverage),
    /// a sharper kernel (PSF σ 0.35 mm) with more noise (σ 7 HU), a lower tube voltage (soft-tissue contrast
    /// × 1.1), water reading +5 HU with a scan-to-scan drift of SD 5 HU (a fleet of older scanners), and
    /// residual beam-hardening cupping of 3–9 HU (mean 6) at the brain's centre. Chosen with the demo models
    /// (README "The synthetic cohort"): noise, kernel, slice thickness and contrast alone do not lower the
    /// classifier's AUC; HU that vary from scan to scan or with position do, and they cost the segmentation
    /// model most, since cupping makes deep brain read like edema (with a 12 HU mean the external PHE Dice
    /// fell to 0.41, far below 001_…'s 0.60).
    public static let centreB = ScannerProfile(
        centre: "B", matrixSize: 512, pixelSpacingMM: 0.488, sliceThicknessMM: 4, sliceCount: 38,
        subSlicesPerSlice: 3, pointSpreadSigmaMM: 0.35, noiseSigmaHU: 7, offsetHU: 5,
        offsetDriftSDHU: 5, cuppingHU: 6, contrastGain: 1.1)

    /// The built-in centres by name.
    public static let builtIn: [String: ScannerProfile] = ["A": centreA, "B": centreB]

    /// A built-in centre.
    ///
    /// - Throws: `PhantomError.unknownCentre`.
    public static func named(_ name: String) throws -> ScannerProfile {
        guard let profile = builtIn[name.uppercased()] else {
            throw PhantomError.unknownCentre(name, known: builtIn.keys.sorted())
        }
        return profile
    }

    /// A profile from a JSON file (the fields of `ScannerProfile`; the scan-to-scan and contrast fields are
    /// optional), validated.
    ///
    /// - Throws: `PhantomError.invalidDataset` naming the file when it cannot be read or decoded,
    ///   `PhantomError.invalidConfiguration` for a field out of its domain.
    public static func load(from url: URL) throws -> ScannerProfile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PhantomError.invalidDataset(file: url.path, detail: "cannot read the scanner profile (\(error.localizedDescription))")
        }
        let profile: ScannerProfile
        do { profile = try JSONDecoder().decode(ScannerProfile.self, from: data) } catch let error as DecodingError {
            let detail: String
            switch error {
            case .keyNotFound(let key, _): detail = "missing field \"\(key.stringValue)\""
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                detail = path.isEmpty ? context.debugDescription : "field \"\(path)\": \(context.debugDescription)"
            @unknown default: detail = "\(error)"
            }
            throw PhantomError.invalidDataset(file: url.path, detail: "not a scanner profile: \(detail)")
        }
        try profile.validate()
        return profile
    }

    /// The same protocol on a coarser in-plane grid covering the same field of view (for quick tests and
    /// previews; never used unless asked for).
    public func withMatrixSize(_ size: Int) -> ScannerProfile {
        var copy = self
        copy.pixelSpacingMM = pixelSpacingMM * Double(matrixSize) / Double(size)
        copy.matrixSize = size
        return copy
    }

    /// Field of view, mm.
    public var fieldOfViewMM: Double { Double(matrixSize) * pixelSpacingMM }

    /// Checks every field.
    ///
    /// - Throws: `PhantomError.invalidConfiguration` naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ expected: String) throws {
            if !ok { throw PhantomError.invalidConfiguration(field: field, value: "\(value)", expected: expected) }
        }
        try check((16...2048).contains(matrixSize), "matrixSize", matrixSize, "16…2048")
        try check(pixelSpacingMM > 0 && fieldOfViewMM >= 180, "pixelSpacingMM", pixelSpacingMM, "> 0 with a field of view ≥ 180 mm")
        try check(sliceThicknessMM > 0 && sliceThicknessMM <= 10, "sliceThicknessMM", sliceThicknessMM, "in (0, 10]")
        try check(sliceCount >= 1 && sliceCount <= 400, "sliceCount", sliceCount, "1…400")
        try check((1...9).contains(subSlicesPerSlice), "subSlicesPerSlice", subSlicesPerSlice, "1…9")
        try check(pointSpreadSigmaMM >= 0 && pointSpreadSigmaMM < 5, "pointSpreadSigmaMM", pointSpreadSigmaMM, "in [0, 5)")
        try check(noiseSigmaHU >= 0 && noiseSigmaHU < 100, "noiseSigmaHU", noiseSigmaHU, "in [0, 100)")
        try check(abs(offsetHU) < 100, "offsetHU", offsetHU, "|offset| < 100")
        try check(offsetDriftSDHU >= 0 && offsetDriftSDHU < 20, "offsetDriftSDHU", offsetDriftSDHU, "in [0, 20)")
        try check(cuppingHU >= 0 && cuppingHU < 50, "cuppingHU", cuppingHU, "in [0, 50)")
        try check(contrastGain >= 0.5 && contrastGain <= 2, "contrastGain", contrastGain, "in [0.5, 2]")
    }
}
