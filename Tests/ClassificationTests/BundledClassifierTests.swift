import Foundation
import Testing
@testable import Classification
import NN

/// The two bundled demo classifiers: their cards, their weights, and the CAM grid each gives the explainability
/// study (the reason the stem-stride-1 model is bundled).
@Suite("Bundled classifiers")
struct BundledClassifierTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models")

    /// layer4's (z, y, x) grid for the study's 20×200×200 crop.
    static func layer4Grid(_ model: ClassifierModel) throws -> [Int] {
        let x = try Tensor.zeros([1, 1, 20, 200, 200])
        let out = try GradMode.withoutGrad { try model.network.forward(x, mode: .inference, capture: ["layer4"]) }
        let layer4 = try #require(out.activations["layer4"])
        #expect(out.logits.shape == [1, 2])
        return Array(layer4.shape.dropFirst(2))
    }

    @Test func stemStride1ModelHasThePaperModelsCAMGrid() throws {
        let model = try ClassifierModel.load(from: Self.models.appendingPathComponent("classifier-stem1"))
        let a = model.card.architecture
        #expect(a.stemStride == [1, 1, 1])
        #expect(a.layers == [3, 4, 6, 3] && a.width == 8)
        #expect(model.card.notice.contains("synthetic"))
        #expect(model.card.trainingOrientation == "LPS")
        #expect(model.card.threshold > 0 && model.card.threshold < 1)
        #expect(try Self.layer4Grid(model) == [2, 13, 13])
    }

    @Test func defaultModelHasTheCoarserGrid() throws {
        let model = try ClassifierModel.load(from: Self.models.appendingPathComponent("classifier"))
        #expect(model.card.architecture.stemStride == [1, 2, 2])
        #expect(try Self.layer4Grid(model) == [2, 7, 7])
    }
}
