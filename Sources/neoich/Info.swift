import ArgumentParser
import Foundation
import Imaging

/// `neoich info FILE`: shape, spacing, orientation, affine, datatype and HU range of a NIfTI file.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a NIfTI image: shape, spacing, orientation, affine, datatype, value range."
    )

    @Argument(help: "A .nii or .nii.gz file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let info = try NIfTIFile.info(URL(fileURLWithPath: file))
        print(json ? try info.json() : info.text)
    }
}

/// `neoich convert DICOM_DIR_OR_ZIP OUT.nii.gz`: the CT series of a DICOM folder or zip as NIfTI, in HU.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a DICOM folder or .zip to NIfTI (via dcm2niix), choosing the axial CT series.",
        discussion: """
            Series are chosen by these rules: modality CT, no localizer/scout, slice thickness ≤ 5 mm; among \
            those the thinnest reconstruction, then the most slices. The choice and the reason for every \
            rejected series are printed.
            """
    )

    @Argument(help: "A folder of DICOM files (searched recursively) or a .zip of them.")
    var source: String

    @Argument(help: "Output .nii or .nii.gz.")
    var output: String

    func run() throws {
        let selection = try DICOMImporter.convert(URL(fileURLWithPath: source), to: URL(fileURLWithPath: output))
        print(selection.explanation)
        for candidate in selection.candidates where candidate != selection.chosen {
            print("  not used: series \(candidate.seriesNumber.map(String.init) ?? "?") \(candidate.seriesDescription): \(candidate.reason)")
        }
        print("written \(output)")
    }
}
