import Foundation
import Testing
import TestSupport
@testable import Classification
import Explain
@testable import Interop
import NN

/// MONAI `ResNet` checkpoints written by torch.save (scripts/fixtures/interop_fixtures.py, torch 1.13, MONAI 1.3.2)
/// loaded into ResNet3D, and NeoICH's export read back by torch.load.
@Suite("MONAI checkpoints")
struct MONAICheckpointTests {
    struct Reference: Decodable {
        var keys: [String]
        var input: TensorData
        var logits: TensorData
    }

    struct ExportCheck: Decodable {
        var sha256: String
        var keys: [String]
        var dtypes: [String]
        var identical_to_original: Bool
        var logits: TensorData
    }

    static func reference() throws -> Reference { try Fixture.json(Reference.self, "monai_resnet34.json", in: .module) }

    static func card() throws -> ClassifierModelCard {
        try JSONDecoder().decode(ClassifierModelCard.self, from: Data(contentsOf: Fixture.url("monai_resnet34_card.json", in: .module)))
    }

    static func logits(_ network: any ClassifierNetwork, _ reference: Reference) throws -> [Double] {
        let x = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        return try GradMode.withoutGrad { try network.forward(x, mode: .inference).scalars(as: Double.self) }
    }

    @Test(arguments: ["monai_resnet34_plain.pt", "monai_resnet34_state_dict.pth", "monai_resnet34_module_model.pt"])
    func eachWrappingLoadsAndGivesMONAIsLogits(_ file: String) throws {
        let reference = try Self.reference()
        // The two inputs' logits differ: the fixture's network carries a signal through every stage.
        #expect(abs(reference.logits.values[0] - reference.logits.values[2]) > 1e-3)
        let network = try ResNet3D(try Self.card().architecture, generator: Generator(seed: 3))
        #expect(network.stateDict().map(\.name) == reference.keys)
        try network.load(pytorchCheckpoint: Fixture.url(file, in: .module))
        expectClose(try Self.logits(network, reference), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func aModelFolderWithModelPtLoads() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.copyItem(at: Fixture.url("monai_resnet34_card.json", in: .module), to: folder.file("model.json"))
        try FileManager.default.copyItem(at: Fixture.url("monai_resnet34_module_model.pt", in: .module), to: folder.file("model.pt"))
        let model = try ClassifierModel.load(from: folder.url)
        let reference = try Self.reference()
        expectClose(try Self.logits(model.network, reference), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func explainTakesACheckpointAsItsWeights() throws {
        let explained = try ExplainedClassifier(card: Fixture.url("monai_resnet34_card.json", in: .module),
                                                weights: Fixture.url("monai_resnet34_state_dict.pth", in: .module))
        let reference = try Self.reference()
        expectClose(try Self.logits(explained.network, reference), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func anUnwritableDestinationIsNamed() throws {
        let network = try ResNet3D(try Self.card().architecture, generator: Generator(seed: 6))
        let folder = try TemporaryDirectory()
        try Data("a file, not a folder".utf8).write(to: folder.file("blocker"))
        let destination = folder.file("blocker").appendingPathComponent("out.pt")
        #expect {
            try network.writePyTorchCheckpoint(to: destination)
        } throws: { error in
            (error as? InteropError).map { "\($0)".hasPrefix("\(destination.path): cannot be written") } ?? false
        }
    }

    @Test func aCheckpointOfAnotherWidthIsRefusedNamingTheKey() throws {
        let folder = try TemporaryDirectory()
        var card = try Self.card()
        card.architecture.width = 2
        try JSONEncoder().encode(card).write(to: folder.file("model.json"))
        try FileManager.default.copyItem(at: Fixture.url("monai_resnet34_plain.pt", in: .module), to: folder.file("model.pt"))
        #expect {
            _ = try ClassifierModel.load(from: folder.url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("model.pt") && text.contains("conv1.weight") && text.contains("[2, 1, 7, 7, 7]") && text.contains("[1, 1, 7, 7, 7]")
        }
    }

    @Test func aCheckpointWithoutAStateDictIsRefusedListingItsKeys() throws {
        let url = try Fixture.url("tensor_zoo.pt", in: .module)
        let checkpoint = try TorchCheckpoint.load(url)
        // The zoo is a dict of tensors, so it is a state dict; a nested dict of other things is not.
        #expect(try StateDictExtraction.stateDict(in: checkpoint, source: url.path).count == 15)
        let other = PickleValue.dict([(key: .string("epoch"), value: .int(3)), (key: .string("optimizer"), value: .none)])
        #expect {
            _ = try StateDictExtraction.stateDict(in: other, source: "other.pt")
        } throws: { error in
            "\(error)".contains("other.pt") && "\(error)".contains("'epoch'") && "\(error)".contains("no state dict")
        }
    }

    /// The committed `neoich_export.pt` was written by `neoich export-monai` from the MONAI checkpoint and read
    /// back by torch.load into MONAI's ResNet (neoich_export_check.json): exporting again must give the same bytes,
    /// and the logits MONAI computed from them must be the original model's.
    @Test func exportIsReadByTorchLoadAndIsByteForByteReproducible() throws {
        let check = try Fixture.json(ExportCheck.self, "neoich_export_check.json", in: .module)
        let reference = try Self.reference()
        #expect(check.identical_to_original)
        #expect(check.keys == reference.keys)
        #expect(check.dtypes == ["torch.float32", "torch.int64"])
        expectClose(check.logits.values, reference.logits.values, absolute: 1e-6, relative: 1e-6)

        let network = try ResNet3D(try Self.card().architecture, generator: Generator(seed: 4))
        try network.load(pytorchCheckpoint: Fixture.url("monai_resnet34_plain.pt", in: .module))
        let exported = try CheckpointWriter.encode(network.stateDict())
        let committed = try Data(contentsOf: Fixture.url("neoich_export.pt", in: .module))
        #expect(exported == committed)
        #expect(try sha256(of: Fixture.url("neoich_export.pt", in: .module)) == check.sha256)

        // And NeoICH reads its own export back.
        let again = try ResNet3D(try Self.card().architecture, generator: Generator(seed: 5))
        let folder = try TemporaryDirectory()
        try exported.write(to: folder.file("export.pt"))
        try again.load(pytorchCheckpoint: folder.file("export.pt"))
        expectClose(try Self.logits(again, reference), reference.logits.values, absolute: 1e-4, relative: 1e-4)
    }
}

/// The SHA-256 of a file in hex, from coreutils' `sha256sum`.
func sha256(of url: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [url.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}
