import Foundation
import Imaging

/// One synthetic case: the CT, its label map, its ground truth and its cohort.csv row.
public struct PhantomCase: Sendable {
    /// Everything drawn for the case.
    public var spec: PhantomCaseSpec
    /// The stored CT, integer HU.
    public var image: Volume<Int16>
    /// 0 background, 1 ICH, 2 PHE (majority of each voxel's sub-slices).
    public var labels: LabelMap
    /// The `Tissue` of each voxel's central sub-slice, when asked for.
    public var tissue: Volume<UInt8>?

    /// The cohort.csv row: class, subtype, centre, split, clinical covariates and ground-truth descriptors.
    public func record(centre: String) -> CohortRecord {
        var covariates = spec.covariates.columns
        let main = spec.hemorrhages.first
        covariates["location"] = main?.location.rawValue ?? ""
        covariates["lesions"] = "\(spec.hemorrhages.count)"
        covariates["ventricular_extension"] = spec.hemorrhages.contains { $0.ventricularExtension } ? "1" : "0"
        covariates["seed"] = "\(spec.seed)"
        covariates["scan_offset_hu"] = String(format: "%.2f", spec.scan.calibrationOffsetHU)
        covariates["scan_cupping_hu"] = String(format: "%.2f", spec.scan.cuppingHU)
        return CohortRecord(caseID: spec.caseID, label: spec.etiologyClass.rawValue, subtype: spec.subtype.rawValue,
                            centre: centre, split: spec.split, covariates: covariates)
    }

    /// cohort.csv's covariate columns, in order. The last two are this scan's draws of its centre's scan-to-scan
    /// variation (`ScanConditions`: the HU water reads, the cupping depth), for studies of the scanner's effect;
    /// they are not clinical characteristics and stay out of Table 1.
    public static let covariateNames = ClinicalCovariates.columnNames
        + ["location", "lesions", "ventricular_extension", "seed", "scan_offset_hu", "scan_cupping_hu"]
}

/// Makes the cases of one cohort: case k depends only on (cohort seed, k, centre).
public struct PhantomGenerator: Sendable {
    /// The centre's scanner.
    public let profile: ScannerProfile
    /// The cohort seed.
    public let cohortSeed: UInt64
    private let renderer: PhantomRenderer

    /// - Throws: `PhantomError.invalidConfiguration` for an invalid profile.
    public init(profile: ScannerProfile, cohortSeed: UInt64) throws {
        try profile.validate()
        self.profile = profile
        self.cohortSeed = cohortSeed
        renderer = PhantomRenderer(profile: profile)
    }

    /// The random draws of case `index` (cheap: nothing is rendered).
    public func spec(index: Int) -> PhantomCaseSpec {
        PhantomCaseSpec.draw(cohortSeed: cohortSeed, index: index, profile: profile)
    }

    /// Renders case `index`.
    ///
    /// - Parameters:
    ///   - index: the case number (≥ 0).
    ///   - includeTissueMap: also return the tissue map.
    ///   - parallel: use every core for this one case.
    public func generate(index: Int, includeTissueMap: Bool = false, parallel: Bool = false) -> PhantomCase {
        let spec = spec(index: index)
        let rendered = renderer.render(spec, includeTissueMap: includeTissueMap, parallel: parallel)
        return PhantomCase(spec: spec, image: rendered.image, labels: rendered.labels, tissue: rendered.tissue)
    }
}
