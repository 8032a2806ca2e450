import ArgumentParser
import Foundation
import Segmentation

/// `neoich export-nnunet`: a NeoICH segmentation model as an nnU-Net v2 results folder.
struct ExportNNUNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-nnunet",
        abstract: "Write a segmentation model as an nnU-Net v2 results folder (dataset.json, plans.json, fold_0/checkpoint_final.pth).",
        discussion: """
            Name the output …/nnUNet_results/DatasetNNN_Name/nnUNetTrainer__nnUNetPlans__3d_fullres; then
              nnUNetv2_predict -i IN -o OUT -d NNN -c 3d_fullres -f 0 -device cpu
            runs it (with nnUNet_results set). nnU-Net does not reorient scans: it sees what NeoICH sees for scans \
            stored in the model's training orientation (plans.json "orientation", LPS by default).
            """)

    @Option(help: "NeoICH segmentation model folder (plans.json + model.safetensors).") var model: String
    @Option(name: .shortAndLong, help: "Results folder to write.") var output: String

    func run() throws {
        try NeoICH.prepareEngine()
        let loaded = try SegmentationModel.read(URL(fileURLWithPath: model))
        let folder = URL(fileURLWithPath: output)
        try NNUNetExport.write(loaded, to: folder)
        print("wrote \(output): dataset.json, plans.json, fold_0/checkpoint_final.pth (\(loaded.plans.datasetName), "
              + "\(loaded.network.parameterCount) parameters, training orientation \(loaded.plans.trainingOrientation))")
    }
}
