import Foundation
import Testing
import TestSupport
import Imaging
import NN
@testable import Segmentation

/// A segmentation network that is not a U-Net: one 1×1×1 convolution from the normalised CT to the class logits.
/// Added to NeoICH through `SegmentationNetworks.register` alone.
final class ToyVoxelNet: SegmentationNetwork {
    let conv: Conv3d
    var upsampling: UpsamplingMethod = .libtorch

    init(_ plans: SegmentationPlans, generator: Generator) throws {
        conv = try Conv3d(1, plans.classCount, kernel: [1, 1, 1], generator: generator)
    }

    var children: [(name: String, module: any Module)] { [("conv", conv)] }

    func forward(_ input: Tensor, mode: Mode, deepSupervision: Bool) throws -> [Tensor] {
        [try conv.forward(input, mode: mode)]
    }
}

@Suite("A segmentation network is added through the registry alone")
struct SegmentationNetworkRegistryTests {
    init() {
        SegmentationNetworks.register("ToyVoxelNet") { try ToyVoxelNet($0, generator: $1) }
    }

    @Test func plansNamingTheToyNetworkWriteReadAndPredictAsDerivedByHand() throws {
        var plans = SyntheticLesions.tinyPlans(patch: [8, 16, 16], features: [4, 8])
        plans.network = "ToyVoxelNet"
        let network = try SegmentationNetworks.make(plans, generator: Generator(seed: 1))
        #expect(network is ToyVoxelNet)
        // logits: background 0, ICH 10·x, PHE −10, on x = (clip(HU, 0, 100) − 40) / 20: ICH exactly where HU > 40.
        try network.load(stateDict: ["conv.weight": try Tensor([0, 10, 0] as [Float], shape: [3, 1, 1, 1, 1]),
                                     "conv.bias": try Tensor([0, 0, -10] as [Float], shape: [3])])
        let folder = try TemporaryDirectory()
        try SegmentationModel(plans: plans, network: network).write(to: folder.url)
        let loaded = try SegmentationModel.read(folder.url)
        #expect(loaded.network is ToyVoxelNet)
        #expect(loaded.plans.network == "ToyVoxelNet")

        let geometry = VolumeGeometry(shape: VolumeShape(z: 8, y: 16, x: 16), spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        let hu = (0..<geometry.shape.count).map { Float(($0 * 37) % 120) - 10 }  // −10 … 109 HU, none exactly 40
        let ct = try Volume<Float>(geometry: geometry, voxels: hu)
        let configuration = PredictionConfiguration(mirroring: true, skipAirTiles: false, postProcessing: .keepAll)
        let mask = try SlidingWindowPredictor(network: loaded.network, plans: loaded.plans, configuration: configuration).predict(ct)
        #expect(mask.voxels == hu.map { $0 > 40 ? 1 : 0 })
    }

    @Test func plansNamingAnUnknownNetworkAreRefusedNamingTheFile() throws {
        var plans = SyntheticLesions.tinyPlans()
        plans.network = "NoSuchNet"
        let folder = try TemporaryDirectory()
        try plans.write(to: folder.file("plans.json"))
        #expect { try SegmentationPlans.read(folder.file("plans.json")) } throws: { "\($0)".contains("plans.json") && "\($0)".contains("NoSuchNet") }
    }
}
