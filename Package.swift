// swift-tools-version: 6.0
// NeoICH: neoplastic vs non-neoplastic intracerebral hemorrhage on head CT.
import Foundation
import PackageDescription

// MARK: - libtorch location
// Debian's libtorch-dev by default. `LIBTORCH=/path` (a libtorch distribution with include/ and lib/), or
// `LIBTORCH_INCLUDE` and `LIBTORCH_LIB` separately, build against another one (e.g. a CUDA build).
// `LIBTORCH_CUDA=1` links the CUDA libraries too; `LIBTORCH_CXX11_ABI=0` matches pre-cxx11-ABI builds.
let environment = ProcessInfo.processInfo.environment
let torchRoot = environment["LIBTORCH"]
let torchInclude = environment["LIBTORCH_INCLUDE"] ?? torchRoot.map { "\($0)/include" } ?? "/usr/include"
let torchLib = environment["LIBTORCH_LIB"] ?? torchRoot.map { "\($0)/lib" } ?? "/usr/lib/x86_64-linux-gnu"
let torchCUDA = environment["LIBTORCH_CUDA"] == "1"
var torchCxxFlags = ["-I\(torchInclude)", "-I\(torchInclude)/torch/csrc/api/include", "-Wno-deprecated-declarations"]
if let abi = environment["LIBTORCH_CXX11_ABI"] { torchCxxFlags.append("-D_GLIBCXX_USE_CXX11_ABI=\(abi)") }
if torchCUDA { torchCxxFlags.append("-DCTORCH_CUDA=1") }
let torchLibraries = ["torch_cpu", "c10"] + (torchCUDA ? ["torch_cuda", "c10_cuda", "torch"] : [])
var torchLinker: [LinkerSetting] = [.unsafeFlags(["-L\(torchLib)", "-Xlinker", "-rpath", "-Xlinker", torchLib])]
if torchRoot == nil && environment["LIBTORCH_LIB"] == nil {
    torchLinker += torchLibraries.map { .linkedLibrary($0) }
} else {
    // Another libtorch is linked by path: pkg-config (libpng) puts -L/usr/lib/x86_64-linux-gnu first, where a
    // `-ltorch_cpu` would find Debian's. The CUDA libraries are kept even though no symbol names them directly
    // (their kernels register themselves when loaded), hence --no-as-needed.
    torchLinker.append(.unsafeFlags(["-Xlinker", "--no-as-needed"] + torchLibraries.flatMap { ["-Xlinker", "\(torchLib)/lib\($0).so"] }))
}
// oneDNN itself (Debian's libdnnl, the one Debian's libtorch uses) for the fused inference graphs, which are built
// against Debian's libtorch only (another libtorch's headers may carry another oneDNN: see Sources/CTorch/fused.cpp).
if torchRoot == nil && environment["LIBTORCH_INCLUDE"] == nil {
    torchCxxFlags.append("-DCTORCH_FUSED=1")
    torchLinker.append(.linkedLibrary("dnnl"))
}
torchLinker.append(.linkedLibrary("stdc++"))

let package = Package(
    name: "NeoICH",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "neoich", targets: ["neoich"]),
        // The file readers alone, for the fuzzers in Benchmarks/Fuzz.
        .library(name: "NeoICHImaging", targets: ["Imaging"]),
        // PyTorch checkpoint reading, for the pickle fuzzer in Benchmarks/Fuzz.
        .library(name: "NeoICHInterop", targets: ["Interop"]),
        .library(name: "NeoICH", targets: ["Torch", "NN", "Imaging", "DICOM", "Phantom", "Segmentation", "Classification", "Explain", "Pipeline", "Stats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // MARK: - Engine
        .target(
            name: "CTorch",
            cxxSettings: [.unsafeFlags(torchCxxFlags)],
            linkerSettings: torchLinker
        ),
        .target(name: "Torch", dependencies: ["CTorch"]),
        .target(name: "NN", dependencies: ["Torch", "Output"]),
        .target(name: "Output"),
        // PyTorch checkpoints (zip + restricted unpickler) read and written without Python.
        .target(name: "Interop", dependencies: ["Torch", "NN"]),

        // MARK: - Imaging
        .systemLibrary(name: "CNIfTI", path: "Sources/CNIfTI"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
        // niftilib's header includes <znzlib.h>, which Debian installs under /usr/include/nifti.
        .target(
            name: "Imaging", dependencies: ["CNIfTI", "CPNG", "Output", "Stats", "Torch"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I/usr/include/nifti"])]
        ),

        // MARK: - DICOM
        // DCMTK from Debian's libdcmtk-dev: dcmdata (headers), dcmiod/dcmfg/dcmseg (Segmentation objects),
        // dcmsr and its content mapping resource cmr (measurement reports).
        .target(
            name: "CDCMTK",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("cmr"), .linkedLibrary("dcmsr"),
                             .linkedLibrary("dcmseg"), .linkedLibrary("dcmfg"), .linkedLibrary("dcmiod"),
                             .linkedLibrary("dcmdata"), .linkedLibrary("oflog"), .linkedLibrary("ofstd"),
                             .linkedLibrary("stdc++")]
        ),
        .target(name: "DICOM", dependencies: ["CDCMTK", "Imaging"]),
        // Orthanc's REST API and the watcher that feeds its new CT studies to the pipeline (`neoich watch`).
        .target(name: "PACS", dependencies: ["DICOM", "Imaging", "NN"]),

        // MARK: - Synthetic cohort
        .target(name: "Phantom", dependencies: ["Imaging", "Stats", "Output"]),

        // MARK: - Models
        // nnU-Net's / batchgenerators' training augmentation on tensors, shared by both trainers.
        .target(name: "TrainingAugmentation", dependencies: ["Random", "Torch"]),
        .target(name: "Segmentation", dependencies: ["NN", "Imaging", "Interop", "Stats", "TrainingAugmentation", "Output"]),
        .target(name: "Classification", dependencies: ["NN", "Imaging", "Interop", "Stats", "Plots", "TrainingAugmentation", "Output"]),
        .target(name: "Explain", dependencies: ["NN", "Imaging", "Classification", "Stats", "Output"]),

        // MARK: - End to end
        .target(name: "Pipeline", dependencies: ["Imaging", "DICOM", "Segmentation", "Classification", "Explain", "Stats", "Output"]),
        .target(
            name: "Reader",
            dependencies: ["Pipeline", "DICOM", "Explain", "Imaging", "Segmentation", "Torch", .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.copy("Assets")]
        ),

        // MARK: - Statistics
        // Seeded generators (SplitMix64, xoshiro256**) and the draws built on them; Stats re-exports them.
        .target(name: "Random"),
        .target(name: "Stats", dependencies: ["Random"]),
        // SVG figures (ROC, histograms, violins, confusion matrices) over Stats' results.
        .target(name: "Plots", dependencies: ["Stats"]),
        // The explainability study of a cohort: loading, tables, figures, HTML report.
        .target(name: "Study", dependencies: ["Stats", "Plots", "Imaging", "Explain", "Output"]),

        // MARK: - Command line
        .executableTarget(
            name: "neoich",
            dependencies: [
                "Torch", "NN", "Imaging", "DICOM", "PACS", "Interop", "Phantom", "Segmentation", "Classification", "Explain", "Pipeline", "Reader", "Stats", "Plots", "Study", "Output",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmarks (run on demand: `make bench`)
        .executableTarget(
            name: "neoich-bench",
            dependencies: ["Torch", "NN", "Classification", "Output"],
            path: "Benchmarks/TorchBenchmarks"
        ),

        .executableTarget(
            name: "neoich-imaging-bench",
            dependencies: ["Imaging", "Torch", "Output"],
            path: "Benchmarks/ImagingBenchmarks"
        ),

        .executableTarget(
            name: "neoich-explain-bench",
            dependencies: ["Explain", "Classification", "Imaging", "NN", "Torch"],
            path: "Benchmarks/ExplainBenchmarks"
        ),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Stats"], path: "Tests/TestSupport"),
        .testTarget(name: "TorchTests", dependencies: ["Torch", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PhantomTests", dependencies: ["Phantom", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClassificationTests", dependencies: ["Classification", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "Study", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Classification", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ReaderTests",
            dependencies: ["Reader", "DICOM", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "OutputTests", dependencies: ["Output", "TestSupport"]),
        .testTarget(name: "neoichTests", dependencies: ["neoich", "Imaging", "DICOM", "PACS", "Pipeline", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "InteropTests", dependencies: ["Interop", "Classification", "Explain", "Segmentation", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Imaging", "TestSupport"]),
        .testTarget(name: "PACSTests", dependencies: ["PACS", "TestSupport"]),
        .testTarget(name: "TrainingAugmentationTests", dependencies: ["TrainingAugmentation", "TestSupport"]),
        .testTarget(name: "StatsTests", dependencies: ["Stats", "Plots", "Study", "TestSupport"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
