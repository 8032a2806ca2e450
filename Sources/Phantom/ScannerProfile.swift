/// How one centre's scanner and protocol turn the ideal head into the CT that is stored.
///
/// Centre A is the development centre (001_…: Charité), centre B the external one (001_…: Hamburg). B differs
/// in every appearance parameter at once — pixel spacing, slice thickness, a sharper reconstruction kernel
/// with more (and less correlated) noise, and a small HU calibration offset — the kind of shift that made the
/// paper's classifier fall from AUC 0.85 internally to 0.68 externally. The class signal itself is the same in
/// both centres: only the appearance changes.
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

    public init(centre: String, matrixSize: Int, pixelSpacingMM: Double, sliceThicknessMM: Double, sliceCount: Int,
                subSlicesPerSlice: Int, pointSpreadSigmaMM: Double, noiseSigmaHU: Double, offsetHU: Double,
                paddingHU: Double = -1024) {
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
    }

    /// Centre A (development): 512×512×31 at 0.45×0.45×5 mm (issue 4 / 001_…: 8.1 M voxels per scan), a
    /// soft brain kernel (PSF σ 0.55 mm) and low noise (σ 3.5 HU), no calibration offset.
    public static let centreA = ScannerProfile(
        centre: "A", matrixSize: 512, pixelSpacingMM: 0.45, sliceThicknessMM: 5, sliceCount: 31,
        subSlicesPerSlice: 3, pointSpreadSigmaMM: 0.55, noiseSigmaHU: 3.5, offsetHU: 0)

    /// Centre B (external): 250 mm field of view (0.488 mm pixels), 4 mm slices (38 slices, same coverage),
    /// a sharper kernel (PSF σ 0.35 mm) with more noise (σ 6 HU), and water reading +5 HU.
    public static let centreB = ScannerProfile(
        centre: "B", matrixSize: 512, pixelSpacingMM: 0.488, sliceThicknessMM: 4, sliceCount: 38,
        subSlicesPerSlice: 3, pointSpreadSigmaMM: 0.35, noiseSigmaHU: 6, offsetHU: 5)

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
    }
}
