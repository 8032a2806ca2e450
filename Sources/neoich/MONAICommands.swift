import ArgumentParser
import Classification
import Foundation

/// `neoich export-monai`: a classifier's weights as a PyTorch checkpoint for MONAI's `ResNet`.
struct ExportMONAI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-monai",
        abstract: "Write a classifier's weights as a PyTorch checkpoint (torch.save format) for MONAI's ResNet.",
        discussion: """
            The output is a state dict with MONAI's key names; in Python:
              net = monai.networks.nets.ResNet(block=..., layers=..., block_inplanes=..., spatial_dims=3, \
            n_input_channels=1, num_classes=2, conv1_t_stride=...)   # as in the folder's model.json
              net.load_state_dict(torch.load("OUT.pt"))
            """
    )

    @Argument(help: "Classifier model folder (model.json + model.safetensors or model.pt).") var classifier: String
    @Argument(help: "Checkpoint to write (.pt).") var output: String

    func run() throws {
        try NeoICH.prepareEngine()
        let model = try ClassifierModel.load(from: URL(fileURLWithPath: classifier))
        try model.network.writePyTorchCheckpoint(to: URL(fileURLWithPath: output))
        let a = model.card.architecture
        print("wrote \(output): \(model.network.stateDict().count) tensors of \(model.card.name) "
              + "(MONAI ResNet block=\(a.block.rawValue), layers=\(a.layers), block_inplanes=\(a.stageWidths), "
              + "conv1_t_size=\(a.stemKernel), conv1_t_stride=\(a.stemStride), no_max_pool=\(!a.maxPool ? "True" : "False"), "
              + "shortcut_type=\(a.shortcut.rawValue), bias_downsample=\(a.downsampleBias ? "True" : "False"), "
              + "n_input_channels=\(a.inputChannels), num_classes=\(a.classes))")
    }
}

/// `neoich import-monai`: a MONAI `ResNet` checkpoint and a card as a NeoICH classifier folder.
struct ImportMONAI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-monai",
        abstract: "Make a classifier folder (model.json + model.safetensors) from a card and a MONAI ResNet checkpoint (.pt/.pth).",
        discussion: "The checkpoint may be a plain state dict or wrapped as {\"state_dict\": …} / {\"model\": …}, with or without a `module.` prefix; the card's architecture must match it."
    )

    @Argument(help: "Model card (model.json) describing the network.") var card: String
    @Argument(help: "torch.save checkpoint of MONAI's ResNet.") var checkpoint: String
    @Argument(help: "Classifier folder to write.") var output: String

    func run() throws {
        try NeoICH.prepareEngine()
        let cardURL = URL(fileURLWithPath: card)
        let decoded = try ClassifierModelCard.read(cardURL)
        let model = try ClassifierModel(card: decoded, seed: 0)
        try model.network.load(pytorchCheckpoint: URL(fileURLWithPath: checkpoint))
        try model.save(to: URL(fileURLWithPath: output))
        print("wrote \(output) (model.json, model.safetensors) from \(checkpoint)")
    }
}
