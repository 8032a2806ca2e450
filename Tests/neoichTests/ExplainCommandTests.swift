import Foundation
import Testing
import TestSupport
@testable import neoich
import Classification
import Imaging
import NN

/// `neoich explain --crop C --crop-labels L --faithfulness` with its defaults against the study-protocol fixture
/// (scripts/fixtures/xai_protocol_fixtures.py): Captum's InputXGradient of log p on the log-softmax-wrapped network,
/// and AIX360's faithfulness loop over every voxel of the crop.
@Suite("neoich explain: the study's defaults")
struct ExplainCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExplainTests/Fixtures")

    struct Reference: Decodable {
        var faithfulness_crop: [String: Double]
        var predicted_sample0: Int
    }

    struct Report: Decodable {
        struct Method: Decodable { var method: String; var faithfulness: Double? }
        struct Summary: Decodable {
            var predictedClass: Int
            var output: String
            var camVariant: String
            var faithfulnessSet: String?
            var faithfulnessLabel: String?
            var methods: [Method]
        }
        var explanation: Summary
    }

    @Test func defaultsMatchCaptumOnTheLogSoftmaxModelAndTheLoopOverEveryVoxel() throws {
        let directory = try TemporaryDirectory("explain-protocol")
        let stored = try SafeTensors.read(Self.fixtures.appendingPathComponent("explain_reference.safetensors")).tensors
        let protocolTensors = try SafeTensors.read(Self.fixtures.appendingPathComponent("xai_protocol_reference.safetensors")).tensors
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("xai_protocol_reference.json")))
        struct Labels: Decodable { var labels: [UInt8]; var input_shape: [Int] }
        let labels = try JSONDecoder().decode(Labels.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("explain_reference.json")))

        let weights = stored.filter { $0.key.hasPrefix("model.") }.map { (name: String($0.key.dropFirst(6)), tensor: $0.value) }
        try SafeTensors.write(weights, to: directory.file("model.safetensors"))
        let architecture = ResNet3DConfiguration(block: .basic, layers: [1, 1, 1, 1], width: 4, stemStride: [1, 2, 2], shortcut: .b)
        let card = try JSONEncoder().encode(["architecture": architecture])
        try card.write(to: directory.file("model.json"))
        let shape = VolumeShape(z: labels.input_shape[2], y: labels.input_shape[3], x: labels.input_shape[4])
        let geometry = VolumeGeometry(shape: shape, spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        let input = try #require(stored["input"]).narrow(0, start: 0, length: 1)
        try NIfTIFile.write(try Volume<Float>(geometry: geometry, voxels: input.scalars()), to: directory.file("crop.nii.gz"))
        try NIfTIFile.write(try LabelMap(geometry: geometry, voxels: labels.labels), to: directory.file("labels.nii.gz"))

        let command = try #require(try NeoICH.parseAsRoot([
            "explain", "--weights", directory.file("model.safetensors").path, "--model-card", directory.file("model.json").path,
            "--crop", directory.file("crop.nii.gz").path, "--crop-labels", directory.file("labels.nii.gz").path,
            "--faithfulness", "--output", directory.file("out").path,
        ]) as? ExplainCommand)
        try command.run()

        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: directory.file("out/explanation.json")))
        let summary = report.explanation
        #expect(summary.predictedClass == reference.predicted_sample0)
        #expect(summary.output == "log-probability" && summary.camVariant == "monai" && summary.faithfulnessSet == "crop")
        #expect(summary.faithfulnessLabel?.hasPrefix("exact") == true)
        for (method, expected) in reference.faithfulness_crop {
            let score = try #require(summary.methods.first { $0.method == method }?.faithfulness)
            print("parity neoich explain faithfulness \(method): \(score) vs loop over every voxel \(expected)")
            expectClose(score, expected, absolute: 1e-4, relative: 0, method)
        }
        let map = try NIfTIFile.read(directory.file("out/InputXGradient_crop.nii.gz")).voxels.map(Double.init)
        let captum: [Float] = try #require(protocolTensors["output.input_x_gradient"]).narrow(0, start: 0, length: 1).scalars()
        let scale = Double(captum.map(abs).max() ?? 1)
        var worst = 0.0
        for (a, e) in zip(map, captum) { worst = max(worst, abs(a - Double(e))) }
        print("parity neoich explain InputXGradient vs Captum (log-softmax model): worst |Δ| / max |ref| \(worst / scale)")
        #expect(map.count == captum.count && worst <= 1e-4 * scale)
    }
}
