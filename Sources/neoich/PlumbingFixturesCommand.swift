import ArgumentParser
import Foundation
import Imaging
import Pipeline

/// `neoich plumbing-fixtures DIR`: tiny untrained models and tiny synthetic CTs for the browser test and
/// for trying the commands without trained models. Hidden: its models' outputs mean nothing.
struct PlumbingFixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plumbing-fixtures",
        abstract: "Write tiny untrained models (DIR/models) and tiny synthetic CTs (DIR/examples) for software tests.",
        shouldDisplay: false)

    @Argument(help: "Output folder.") var output: String
    @Option(help: "Number of example CTs.") var cases = 2

    func run() throws {
        try NeoICH.prepareEngine()
        let root = URL(fileURLWithPath: output)
        let locations = try PlumbingFixtures.writeUntrainedModels(to: root.appendingPathComponent("models"))
        let examples = root.appendingPathComponent("examples")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        for k in 0..<max(1, cases) {
            try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: UInt64(k + 3)), to: examples.appendingPathComponent(String(format: "tiny_%03d.nii.gz", k)))
        }
        print("models: \(locations.segmentation.path), \(locations.classifier.path); examples: \(examples.path)")
    }
}
