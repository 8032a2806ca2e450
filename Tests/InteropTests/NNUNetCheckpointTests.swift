import Foundation
import Testing
import TestSupport
@testable import Interop
import NN
@testable import Segmentation

/// nnU-Net v2's checkpoint_final.pth (as nnUNetTrainer.save_checkpoint writes it, around dynamic_network_architectures'
/// PlainConvUNet; scripts/fixtures/interop_fixtures.py) read into NeoICH's PlainConvUNet.
@Suite("nnU-Net checkpoints")
struct NNUNetCheckpointTests {
    struct Reference: Decodable {
        var input: TensorData
        var output: TensorData
    }

    static let expected = UNetArchitecture(inputChannels: 1, classes: 3, featuresPerStage: [2, 4, 8],
                                           kernelSizes: [[1, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2]])

    @Test func checkpointFinalLoadsAndGivesTheSameOutput() throws {
        let checkpoint = try NNUNetCheckpoint.read(Fixture.url("nnunet_checkpoint_final.pth", in: .module))
        #expect(checkpoint.architecture == Self.expected)
        #expect(checkpoint.configuration == "3d_fullres")
        #expect(checkpoint.trainerName == "nnUNetTrainer")
        #expect(checkpoint.mirroringAxes == [0, 1, 2])
        #expect(checkpoint.epoch == 1000)
        let network = try PlainConvUNet(checkpoint.architecture, generator: Generator(seed: 2))
        try network.load(nnUNetCheckpoint: checkpoint)
        let reference = try Fixture.json(Reference.self, "nnunet_checkpoint_final.json", in: .module)
        let x = try Tensor(reference.input.values.map(Float.init), shape: reference.input.shape)
        let y = try GradMode.withoutGrad { try network.forward(x, mode: .inference, deepSupervision: false)[0] }
        #expect(y.shape == reference.output.shape)
        expectClose(try y.flattened().scalars(as: Double.self), reference.output.values, absolute: 1e-4, relative: 1e-4)
    }

    @Test func anotherArchitectureIsRefusedNamingTheDifference() throws {
        let checkpoint = try NNUNetCheckpoint.read(Fixture.url("nnunet_checkpoint_final.pth", in: .module))
        var wider = Self.expected
        wider.featuresPerStage = [4, 8, 16]
        let network = try PlainConvUNet(wider, generator: Generator(seed: 2))
        #expect {
            try network.load(nnUNetCheckpoint: checkpoint)
        } throws: { error in
            let text = "\(error)"
            return text.contains("nnunet_checkpoint_final.pth") && text.contains("featuresPerStage: checkpoint [2, 4, 8], network [4, 8, 16]")
        }
    }

    @Test func aModelFolderWithPlansAndCheckpointFinalLoads() throws {
        let folder = try TemporaryDirectory()
        let topology = try JSONDecoder().decode(NetworkTopology.self, from: Data("""
            {"poolsPerAxis": [1, 2], "strides": [[1, 1, 1], [1, 2, 2], [2, 2, 2]], "kernelSizes": [[1, 3, 3], [3, 3, 3], [3, 3, 3]],
             "patchSize": [4, 8, 8], "divisor": [2, 4, 4]}
            """.utf8))
        var plans = SegmentationPlans(datasetName: "Dataset001_ICH", targetSpacingMM: [5, 0.45, 0.45], medianShapeAfterResampling: [4, 8, 8],
                                      patchSize: [4, 8, 8], batchSize: 2, topology: topology, featuresPerStage: [2, 4, 8],
                                      labelNames: ["background", "hemorrhage", "edema"],
                                      normalization: CTNormalization(lowerHU: 0, upperHU: 100, meanHU: 50, stdHU: 20))
        try plans.write(to: folder.file("plans.json"))
        try FileManager.default.copyItem(at: Fixture.url("nnunet_checkpoint_final.pth", in: .module), to: folder.file("checkpoint_final.pth"))
        let model = try SegmentationModel.read(folder.url)
        #expect((model.network as? PlainConvUNet)?.architecture == Self.expected)
        // The same folder with plans of another depth of features is refused.
        plans.featuresPerStage = [2, 4, 6]
        try plans.write(to: folder.file("plans.json"))
        #expect { _ = try SegmentationModel.read(folder.url) } throws: { "\($0)".contains("featuresPerStage") }
    }

    /// nnU-Net 2.0–2.3 plans (no arch_kwargs), configuration inheritance, and what is refused.
    @Test func olderPlansAndUnsupportedNetworks() throws {
        func plans(_ configurations: [(String, PickleValue)]) -> PickleValue {
            .dict([(key: .string("configurations"), value: .dict(configurations.map { (key: .string($0.0), value: $0.1) }))])
        }
        func list(_ values: [Int]) -> PickleValue { .list(values.map { .int($0) }) }
        let old = PickleValue.dict([
            (key: .string("UNet_class_name"), value: .string("PlainConvUNet")),
            (key: .string("UNet_base_num_features"), value: .int(32)),
            (key: .string("unet_max_num_features"), value: .int(64)),
            (key: .string("conv_kernel_sizes"), value: .list([list([1, 3, 3]), list([3, 3, 3]), list([3, 3, 3])])),
            (key: .string("pool_op_kernel_sizes"), value: .list([list([1, 1, 1]), list([1, 2, 2]), list([2, 2, 2])])),
            (key: .string("n_conv_per_stage_encoder"), value: list([2, 2, 2])),
            (key: .string("n_conv_per_stage_decoder"), value: list([2, 2])),
        ])
        let child = PickleValue.dict([(key: .string("inherits_from"), value: .string("3d_fullres")),
                                      (key: .string("unet_max_num_features"), value: .int(48))])
        let dataset = PickleValue.dict([
            (key: .string("channel_names"), value: .dict([(key: .string("0"), value: .string("CT"))])),
            (key: .string("labels"), value: .dict([(key: .string("background"), value: .int(0)), (key: .string("bleed"), value: .int(1)),
                                                   (key: .string("ignore"), value: .int(2))])),
        ])
        let p = plans([("3d_fullres", old), ("3d_child", child)])
        let a = try NNUNetCheckpoint.architecture(plans: p, configuration: "3d_fullres", datasetJSON: dataset, source: "old.pth")
        #expect(a.featuresPerStage == [32, 64, 64])
        #expect(a.classes == 2)
        #expect(a.strides == [[1, 1, 1], [1, 2, 2], [2, 2, 2]])
        let inherited = try NNUNetCheckpoint.architecture(plans: p, configuration: "3d_child", datasetJSON: dataset, source: "old.pth")
        #expect(inherited.featuresPerStage == [32, 48, 48])

        let residual = PickleValue.dict([(key: .string("UNet_class_name"), value: .string("ResidualEncoderUNet"))])
        #expect { _ = try NNUNetCheckpoint.architecture(plans: plans([("3d", residual)]), configuration: "3d", datasetJSON: dataset, source: "res.pth") }
            throws: { "\($0)".contains("res.pth") && "\($0)".contains("ResidualEncoderUNet is not supported") }
        #expect { _ = try NNUNetCheckpoint.architecture(plans: p, configuration: "2d", datasetJSON: dataset, source: "p.pth") }
            throws: { "\($0)".contains("no configuration '2d'") }
        let regions = PickleValue.dict([(key: .string("labels"), value: .dict([(key: .string("background"), value: .int(0)),
                                                                                (key: .string("whole"), value: list([1, 2]))]))])
        #expect { _ = try NNUNetCheckpoint.architecture(plans: p, configuration: "3d_fullres", datasetJSON: regions, source: "r.pth") }
            throws: { "\($0)".contains("region-based") }
        // A MONAI state dict is not an nnU-Net checkpoint.
        let monai = try TorchCheckpoint.load(Fixture.url("monai_resnet34_plain.pt", in: .module))
        #expect { _ = try NNUNetCheckpoint.read(monai, source: "monai.pt") } throws: { "\($0)".contains("no 'network_weights'") }
    }
}
