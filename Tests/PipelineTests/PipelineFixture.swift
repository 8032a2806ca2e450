import Foundation
import Imaging
import Pipeline
import TestSupport

/// A temporary folder with tiny untrained models and tiny synthetic CTs, loaded fresh per test (the
/// networks are not shared between concurrently running tests).
struct PipelineFixture {
    let directory: TemporaryDirectory
    let locations: ModelLocations
    let models: PipelineModels

    init(_ prefix: String = "neoich-pipeline") throws {
        directory = try TemporaryDirectory(prefix)
        locations = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        models = try PipelineModels.load(locations)
    }

    var predictor: CasePredictor {
        CasePredictor(models: models, segmentation: .init(mirroring: false))
    }

    /// Writes a tiny CT and returns its path.
    func writeCT(_ name: String, seed: UInt64 = 0, in folder: String = "input") throws -> URL {
        let dir = directory.file(folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: seed), to: url)
        return url
    }
}
