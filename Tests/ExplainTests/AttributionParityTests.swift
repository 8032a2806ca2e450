import Foundation
import Testing
import TestSupport
@testable import Explain
import Classification
import NN

/// Every method against the library that defines it (REFERENCES.md §2), on the same weights and inputs.
/// Tolerances are relative to the largest reference value: 1e-5 absolute-of-scale plus 1e-4 relative.
@Suite("Attribution parity with Captum 0.7 and pytorch-grad-cam 1.5.7")
struct AttributionParityTests {
    @Test func predictedClassesMatchTheReference() throws {
        let f = try ExplainFixture()
        #expect(try f.model.resolve(.predicted, for: f.input) == f.reference.targets)
    }

    @Test func saliencyMatchesCaptum() throws {
        let f = try ExplainFixture()
        try expectParity(Saliency(model: f.model).attribute(f.input), f.output("saliency"), "Saliency")
        let other = f.reference.targets.map { 1 - $0 }
        try expectParity(Saliency(model: f.model).attribute(f.input, target: .perSample(other)), f.output("saliency_other_class"), "Saliency other class")
    }

    @Test func inputXGradientMatchesCaptum() throws {
        let f = try ExplainFixture()
        try expectParity(InputXGradient(model: f.model).attribute(f.input), f.output("input_x_gradient"), "InputXGradient")
    }

    @Test func smoothGradWithCaptumsNoiseMatchesCaptum() throws {
        let f = try ExplainFixture()
        let method = SmoothGrad(model: f.model, samples: f.reference.smoothgrad.samples, noise: .absolute(f.reference.smoothgrad.stdev),
                                batchSize: 3, generator: try Generator(seed: 1))
        try expectParity(method.attribute(f.input, target: .predicted, noise: f.output("smoothgrad_noise")), f.output("smoothgrad"), "SmoothGrad")
    }

    @Test func gradientShapWithCaptumsDrawsMatchesCaptum() throws {
        let f = try ExplainFixture()
        let draws = GradientShapDraws(baselineIndices: f.reference.gradient_shap.baseline_indices, alphas: f.reference.gradient_shap.alphas)
        let method = GradientShap(model: f.model, baselines: try f.output("gradient_shap_baselines"), samples: f.reference.gradient_shap.samples,
                                  batchSize: 4, generator: try Generator(seed: 1))
        try expectParity(method.attribute(f.input, target: .predicted, draws: draws), f.output("gradient_shap"), "GradientShap")
    }

    @Test func guidedBackpropMatchesCaptum() throws {
        let f = try ExplainFixture()
        try expectParity(GuidedBackprop(model: f.model).attribute(f.input), f.output("guided_backprop"), "GuidedBackprop")
    }

    @Test(arguments: ["layer4", "layer3"])
    func gradCAMMatchesPytorchGradCAMAndCaptum(_ layer: String) throws {
        let f = try ExplainFixture()
        let method = GradCAM(model: f.model, layer: layer)
        let raw = try method.layerMap(f.input, target: .predicted)
        try expectParity(raw, f.output("gradcam_\(layer)"), "GradCAM raw \(layer) vs pytorch-grad-cam")
        try expectParity(raw, f.output("captum_gradcam_\(layer)"), "GradCAM raw \(layer) vs Captum LayerGradCam")
        try expectParity(method.attribute(f.input), f.output("captum_gradcam_\(layer)_trilinear"), "GradCAM trilinear \(layer) vs Captum interpolate")
    }

    @Test(arguments: ["layer4", "layer3"])
    func gradCAMPlusPlusMatchesPytorchGradCAM(_ layer: String) throws {
        let f = try ExplainFixture()
        let raw = try GradCAMPlusPlus(model: f.model, layer: layer, variant: .gradCAM).layerMap(f.input, target: .predicted)
        try expectParity(raw, f.output("gradcam_plus_plus_\(layer)"), "GradCAM++ raw \(layer) vs pytorch-grad-cam")
    }

    @Test(arguments: ["layer4", "layer3"])
    func guidedGradCAMWithNearestUpsamplingMatchesCaptum(_ layer: String) throws {
        let f = try ExplainFixture()
        let method = GuidedGradCAM(model: f.model, layer: layer, upsampling: .nearest)
        try expectParity(method.attribute(f.input), f.output("guided_gradcam_\(layer)"), "Guided GradCAM \(layer) vs Captum")
    }

    @Test func defaultLayerIsTheLastResidualStage() throws {
        let f = try ExplainFixture()
        #expect(GradCAM(model: f.model).layer == "layer4")
        #expect(f.model.attributionLayers == ["stem", "layer1", "layer2", "layer3", "layer4"])
    }
}
