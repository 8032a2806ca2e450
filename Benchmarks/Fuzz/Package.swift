// swift-tools-version: 6.0
// Coverage-guided fuzzing (libFuzzer) of the readers that take untrusted files: NIfTI (plain and gzip) and
// zip archives. A package of its own, because its executables have no `main` (libFuzzer brings it) and are
// built with `-sanitize=fuzzer`; run `scripts/fuzz` (it builds, seeds from the hostile corpus and counts findings).
import PackageDescription

let package = Package(
    name: "NeoICHFuzz",
    dependencies: [.package(name: "NeoICH", path: "../..")],
    targets: [
        .executableTarget(name: "NIfTIFuzz", dependencies: [.product(name: "NeoICHImaging", package: "NeoICH")]),
        .executableTarget(name: "ZipFuzz", dependencies: [.product(name: "NeoICHImaging", package: "NeoICH")]),
    ],
    swiftLanguageModes: [.v6]
)
