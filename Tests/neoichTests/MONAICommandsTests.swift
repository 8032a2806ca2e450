import Foundation
import Testing
import TestSupport
import Classification
import NN
@testable import neoich

/// `neoich export-monai` and `neoich import-monai`: a classifier folder to a torch.save checkpoint and back.
@Suite("neoich export-monai / import-monai")
struct MONAICommandsTests {
    @Test func exportThenImportGivesTheSameWeights() throws {
        let folder = try TemporaryDirectory()
        let card = ClassifierModelCard(name: "round-trip", architecture: .init(block: .basic, layers: [1, 1], width: 2))
        let model = try ClassifierModel(card: card, seed: 9)
        try model.save(to: folder.file("original"))
        let checkpoint = folder.file("exported.pt").path
        var export = try #require(try NeoICH.parseAsRoot(["export-monai", folder.file("original").path, checkpoint]) as? ExportMONAI)
        try export.run()
        var importing = try #require(try NeoICH.parseAsRoot(["import-monai", folder.file("original/model.json").path, checkpoint,
                                                              folder.file("imported").path]) as? ImportMONAI)
        try importing.run()
        let imported = try ClassifierModel.load(from: folder.file("imported"))
        let before = model.network.stateDict(), after = imported.network.stateDict()
        #expect(before.map(\.name) == after.map(\.name))
        for ((name, a), (_, b)) in zip(before, after) {
            #expect(try a.to(.float64).flattened().scalars(as: Double.self) == b.to(.float64).flattened().scalars(as: Double.self), "\(name)")
        }
        // A card of another width is refused naming the first mismatching key.
        var wide = card
        wide.architecture.width = 4
        try JSONEncoder().encode(wide).write(to: folder.file("wide.json"))
        var refused = try #require(try NeoICH.parseAsRoot(["import-monai", folder.file("wide.json").path, checkpoint, folder.file("wide").path]) as? ImportMONAI)
        #expect { try refused.run() } throws: { "\($0)".contains("exported.pt") && "\($0)".contains("conv1.weight") }
    }
}
