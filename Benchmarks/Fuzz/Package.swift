// swift-tools-version: 6.0
// Coverage-guided fuzzing (libFuzzer) of the readers that take untrusted files: NIfTI (plain and gzip), zip
// archives and PyTorch checkpoints (zip container + restricted unpickler). A package of its own, because its
// executables are built with `-sanitize=fuzzer` and hand their `main` to libFuzzer's driver (FuzzDriver);
// run `scripts/fuzz` (it builds, seeds from the hostile corpus and the checkpoint fixtures, counts findings).
import PackageDescription

let package = Package(
    name: "NeoICHFuzz",
    dependencies: [.package(name: "NeoICH", path: "../..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "NIfTIFuzz", dependencies: ["FuzzDriver", .product(name: "NeoICHImaging", package: "NeoICH")]),
        .executableTarget(name: "ZipFuzz", dependencies: ["FuzzDriver", .product(name: "NeoICHImaging", package: "NeoICH")]),
        .executableTarget(name: "PickleFuzz", dependencies: ["FuzzDriver", .product(name: "NeoICHInterop", package: "NeoICH")]),
    ],
    swiftLanguageModes: [.v6]
)
