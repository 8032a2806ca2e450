import ArgumentParser
import Foundation
import Imaging
import Phantom
import Output

/// `neoich synth`: writes a synthetic head-CT cohort (nnU-Net raw layout + cohort.csv) or a preview PNG.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic head-CT cohort with ICH/PHE labels (nnU-Net raw layout + cohort.csv).",
        discussion: "Case k depends only on (seed, k, centre): --start extends or regenerates part of a cohort. "
            + "Synthetic data, for testing and demonstration only."
    )

    @Option(help: "Number of cases (default 20; 4 with --preview).")
    var cases: Int?

    @Option(help: "First case index (to extend a cohort).")
    var start = 0

    @Option(help: "Centre (scanner profile): A (development) or B (external).")
    var centre = "A"

    @Option(help: ArgumentHelp("A scanner profile (JSON with ScannerProfile's fields) instead of a built-in centre; its centre name goes into case IDs and cohort.csv.", valueName: "json"))
    var scanner: String?

    @Option(help: "Cohort seed.")
    var seed: UInt64 = 1

    @Option(help: "Output folder, DatasetNNN_Name (or the PNG path with --preview).")
    var out: String

    @Option(help: "In-plane matrix size (default: the centre's, 512); a smaller one keeps the field of view.")
    var matrix: Int?

    @Option(help: "Cases generated in parallel.")
    var jobs = 2

    @Option(help: "gzip level of the NIfTI files (0–9).")
    var gzipLevel = 1

    @Flag(help: "Write a PNG montage of --cases cases (3 slices around the lesion, ICH green, PHE red) instead of a dataset.")
    var preview = false

    func validate() throws {
        if let cases, cases < 1 { throw ValidationError("--cases must be ≥ 1") }
        if start < 0 { throw ValidationError("--start must be ≥ 0") }
        if jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
        if !(0...9).contains(gzipLevel) { throw ValidationError("--gzip-level must be 0…9") }
        if let matrix, !(64...2048).contains(matrix) { throw ValidationError("--matrix must be 64…2048") }
    }

    func run() throws {
        let profile = try scannerProfile(centre: centre, file: scanner, matrix: matrix)
        let generator = try PhantomGenerator(profile: profile, cohortSeed: seed)
        let synthesizer = CohortSynthesizer(generator: generator, jobs: jobs, compressionLevel: gzipLevel)
        let url = URL(fileURLWithPath: out)
        if preview {
            try synthesizer.writePreview(to: url, start: start, count: cases ?? 4)
            print("wrote \(url.path)")
            return
        }
        let cases = self.cases ?? 20
        let began = Date()
        let progress = ProgressReporter(total: cases, label: "synth \(profile.centre)")
        let dataset = try synthesizer.write(to: url, start: start, count: cases, progress: progress)
        let seconds = Date().timeIntervalSince(began)
        print(String(format: "wrote %d cases to %@ (%d in total) in %.1f s (%.2f cases/s)",
                     cases, url.path, dataset.cases.count, seconds, Double(cases) / seconds))
    }
}

/// `neoich phantom-calibration`: the oracle-AUC table of a synthetic cohort.
struct PhantomCalibration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phantom-calibration",
        abstract: "How separable a cohort's classes are on ground-truth lesion features (logistic regression, CV AUC).",
        discussion: "Features: ICH and PHE volume, mean ICH HU, ICH HU spread, PHE/ICH ratio, irregularity. "
            + "Reads DATASET, or with --generate N measures N cases generated in memory."
    )

    @Argument(help: "A dataset folder with cohort.csv (omit with --generate).")
    var dataset: String?

    @Option(help: "Generate this many cases in memory instead of reading a dataset.")
    var generate: Int?

    @Option(help: "Centre for --generate.")
    var centre = "A"

    @Option(help: ArgumentHelp("A scanner profile (JSON) for --generate instead of a built-in centre.", valueName: "json"))
    var scanner: String?

    @Option(help: "Seed for --generate.")
    var seed: UInt64 = 1

    @Option(help: "In-plane matrix for --generate (default 512).")
    var matrix: Int?

    @Option(help: "Cross-validation folds.")
    var folds = 5

    @Option(help: "Cases generated in parallel.")
    var jobs = 2

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if (dataset == nil) == (generate == nil) { throw ValidationError("give either DATASET or --generate N") }
        if folds < 2 { throw ValidationError("--folds must be ≥ 2") }
    }

    func run() throws {
        let table: OracleCalibration
        if let generate {
            let generator = try PhantomGenerator(profile: scannerProfile(centre: centre, file: scanner, matrix: matrix), cohortSeed: seed)
            table = try OracleCalibration.measure(generator: generator, cases: generate, jobs: jobs, folds: folds,
                                                  progress: ProgressReporter(total: generate, label: "measure"))
        } else {
            let opened = try NNUNetDataset.open(URL(fileURLWithPath: dataset ?? ""))
            table = try OracleCalibration.measure(dataset: opened, folds: folds,
                                                  progress: ProgressReporter(total: opened.cases.count, label: "measure"))
        }
        if json {
            print(String(decoding: try JSONFile.data(table), as: UTF8.self))
        } else {
            print(table.text)
        }
    }
}

/// The scanner of `synth` and `phantom-calibration --generate`: a profile file if given, else the built-in centre,
/// on another in-plane matrix if asked for.
func scannerProfile(centre: String, file: String?, matrix: Int?) throws -> ScannerProfile {
    let profile = try file.map { try ScannerProfile.load(from: URL(fileURLWithPath: $0)) } ?? ScannerProfile.named(centre)
    return matrix.map(profile.withMatrixSize) ?? profile
}
