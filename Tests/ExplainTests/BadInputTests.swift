import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import NN

@Suite("Attribution refuses bad input")
struct BadInputTests {
    @Test func wrongRankIsRefused() throws {
        let f = try ExplainFixture()
        let flat = try f.input.narrow(0, start: 0, length: 1).squeezed(0)
        for method in AttributionMethodName.study {
            let m = try AttributionMethods.make(method, model: f.model, generator: try Generator(seed: 0))
            #expect(throws: ExplainError.self, "\(method)") { try m.attribute(flat) }
        }
    }

    @Test func nanIsRefused() throws {
        let f = try ExplainFixture()
        let bad = try f.input.clone()
        try bad.withUnsafeMutableBufferPointer(as: Float.self) { $0[17] = .nan }
        for method in AttributionMethodName.study {
            let m = try AttributionMethods.make(method, model: f.model, generator: try Generator(seed: 0))
            #expect(throws: ExplainError.invalidInput("the input holds NaN or infinite values"), "\(method)") { try m.attribute(bad) }
        }
        #expect(throws: ExplainError.self) { try VoxelDeletion(model: f.model).probabilities(bad.narrow(0, start: 0, length: 1), voxelOffsets: [0]) }
    }

    @Test func badTargetsLayersAndDrawsAreRefused() throws {
        let f = try ExplainFixture()
        #expect(throws: ExplainError.self) { try Saliency(model: f.model).attribute(f.input, target: .classIndex(2)) }
        #expect(throws: ExplainError.self) { try Saliency(model: f.model).attribute(f.input, target: .perSample([0])) }
        #expect(throws: ExplainError.unknownLayer("layer9", available: f.model.attributionLayers)) {
            try GradCAM(model: f.model, layer: "layer9").attribute(f.input)
        }
        let shap = GradientShap(model: f.model, generator: try Generator(seed: 0))
        #expect(throws: ExplainError.self) { try shap.attribute(f.input, target: .predicted, draws: GradientShapDraws(baselineIndices: [0], alphas: [0.5])) }
        let smooth = SmoothGrad(model: f.model, generator: try Generator(seed: 0))
        #expect(throws: ExplainError.self) { try smooth.attribute(f.input, target: .predicted, noise: f.input) }
        #expect(throws: ExplainError.self) {
            try VoxelDeletion(model: f.model).probabilities(f.input.narrow(0, start: 0, length: 1), voxelOffsets: [f.input.count])
        }
    }

    @Test func seededMethodsAreReproducible() throws {
        let f = try ExplainFixture()
        let a = try SmoothGrad(model: f.model, samples: 2, generator: Generator(seed: 4)).attribute(f.input).scalars(as: Float.self)
        let b = try SmoothGrad(model: f.model, samples: 2, generator: Generator(seed: 4)).attribute(f.input).scalars(as: Float.self)
        #expect(a == b)
        #expect(AttributionMethodName(parsing: "gradcam++") == .gradCAMPlusPlus)
        #expect(AttributionMethodName(parsing: "Guided-GradCAM") == .guidedGradCAM)
    }
}
