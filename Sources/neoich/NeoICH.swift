import ArgumentParser
import Foundation
import Torch

/// The `neoich` command line: one subcommand per job, each handing off to library code.
@main
struct NeoICH: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "neoich",
        abstract: "Intracerebral hemorrhage and perihematomal edema on head CT: segmentation, volumetry, "
            + "neoplastic-vs-non-neoplastic classification and explanations.",
        discussion: "Research software. The bundled models were trained on synthetic data and are not for clinical use.",
        version: "neoich \(version) (libtorch \(Runtime.compiledVersion))",
        subcommands: [Doctor.self, Info.self, Convert.self, Synth.self, PhantomCalibration.self, Plan.self, TrainSeg.self, Segment.self, EvaluateSeg.self, TrainCls.self, EvaluateCls.self, Finetune.self, ExportMONAI.self, ImportMONAI.self, ExportNNUNet.self, ExplainCommand.self, FaithfulnessCommand.self, Predict.self, Watch.self, Serve.self, PlumbingFixturesCommand.self, AnalyzeCommand.self, DatasetCommand.self, CardCommand.self, Merge.self, Shard.self, Launch.self]
    )

    /// Process-wide start-up shared by every subcommand: libtorch version check and thread count.
    static func prepareEngine() throws {
        do {
            try Runtime.checkVersion()
            try Runtime.configureThreads(environment: ProcessInfo.processInfo.environment)
        } catch let error as TorchError {
            throw RuntimeFailure(error.description)
        }
    }
}
