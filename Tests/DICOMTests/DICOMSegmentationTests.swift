import Foundation
@testable import DICOM
import Imaging
import TestSupport
import Testing

/// Writing ICH/PHE label maps as DICOM Segmentations over their source series, and reading them back.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMSegmentationTests {
    /// A converted synthetic series, a label map on its grid with ICH and PHE spread over all slices
    /// (asymmetric in every axis, so that a flip or transposition changes it), and the written SEG.
    struct Written {
        var series: SyntheticCTSeries
        var read: DICOMSeriesImport
        var labels: LabelMap
        var seg: URL
        let directory: TemporaryDirectory

        init(_ layout: SeriesLayout) throws {
            directory = try TemporaryDirectory()
            series = layout.series
            try series.write(to: directory.file("dicom"))
            read = try DICOMSeriesImport.read(directory.file("dicom"))
            var labels = LabelMap(geometry: read.imported.volume.geometry)
            let shape = labels.shape
            for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
                let v = (x + 2 * y + 3 * z) % 5
                labels[z, y, x] = v == 0 ? 1 : (v == 1 && x > 0 ? 2 : 0)
            } } }
            self.labels = labels
            seg = directory.file("seg.dcm")
            try DICOMSegmentationWriter.write(labels, source: read.source,
                                              creator: .init(algorithmVersion: "9.8.7"), to: seg)
        }

        /// The voxel (z, y, x) holding pixel (r, c) of image n, found from the converted HU values (each
        /// pixel of the series has its own), independently of the writer's mapping.
        func voxelIndex() -> [Int: (Int, Int, Int)] {
            var index: [Int: (Int, Int, Int)] = [:]
            let volume = read.imported.volume, shape = volume.shape
            for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
                index[Int(volume[z, y, x]) + 1024] = (z, y, x)
            } } }
            return index
        }

        func image(of uid: String) -> Int? { (0..<series.count).first { series.instanceUID($0) == uid } }
    }

    @Test(arguments: SeriesLayout.allCases)
    func everyFrameLiesOnItsSourceImage(layout: SeriesLayout) throws {
        let written = try Written(layout)
        let (rows, columns, frames) = try DICOMSegmentationReader.frames(of: written.seg)
        let series = written.series
        #expect(rows == series.rows && columns == series.columns)
        #expect(frames.count == 2 * series.count)
        let voxels = written.voxelIndex()
        var seen = Set<String>()
        for frame in frames {
            let n = try #require(written.image(of: frame.sourceSOPInstanceUID), "frame source \(frame.sourceSOPInstanceUID)")
            #expect(seen.insert("\(frame.segmentNumber)/\(n)").inserted, "one frame per segment and image")
            expectClose(frame.positionLPS, series.position(n), absolute: 1e-6, "frame of image \(n)")
            let label = UInt8(frame.segmentNumber)
            for r in 0..<rows { for c in 0..<columns {
                let v = try #require(voxels[SyntheticCTSeries.storedValue(row: r, column: c, image: n)])
                let inside = written.labels[v.0, v.1, v.2] == label
                #expect(frame.pixels[r * columns + c] == (inside ? 1 : 0), "segment \(label), image \(n), pixel (\(r), \(c))")
            } }
        }
        #expect(seen.count == 2 * series.count)
    }

    @Test(arguments: [SeriesLayout.headFirst, .feetFirst])
    func readingBackGivesTheLabelMap(layout: SeriesLayout) throws {
        let written = try Written(layout)
        let (_, columns, frames) = try DICOMSegmentationReader.frames(of: written.seg)
        let voxels = written.voxelIndex()
        var rebuilt = LabelMap(geometry: written.labels.geometry)
        for frame in frames {
            let n = try #require(written.image(of: frame.sourceSOPInstanceUID))
            for (i, bit) in frame.pixels.enumerated() where bit == 1 {
                let v = try #require(voxels[SyntheticCTSeries.storedValue(row: i / columns, column: i % columns, image: n)])
                #expect(rebuilt[v.0, v.1, v.2] == 0, "voxel in two segments")
                rebuilt[v.0, v.1, v.2] = UInt8(frame.segmentNumber)
            }
        }
        #expect(rebuilt.voxels == written.labels.voxels)
        #expect(written.labels.voxels.contains(1) && written.labels.voxels.contains(2))
    }

    @Test func carriesIdentityCodesAndReferences() throws {
        let written = try Written(.headFirst)
        let seg = try DICOMDataset(reading: written.seg.path)
        let series = written.series
        #expect(try seg.string("SOPClassUID") == "1.2.840.10008.5.1.4.1.1.66.4")
        #expect(try seg.string("Modality") == "SEG" && seg.string("SegmentationType") == "BINARY")
        #expect(try seg.string("PatientName") == "Test^Synthetic" && seg.string("PatientID") == "NEOICH-0001")
        #expect(try seg.string("StudyInstanceUID") == series.studyUID && seg.string("AccessionNumber") == "ACC42")
        #expect(try seg.string("FrameOfReferenceUID") == series.frameOfReferenceUID)
        #expect(try seg.string("SeriesInstanceUID") != series.seriesUID)
        #expect(try seg.string("ReferencedSeriesSequence[0].SeriesInstanceUID") == series.seriesUID)
        let referenced = try (0..<seg.count("ReferencedSeriesSequence[0].ReferencedInstanceSequence")).map {
            try seg.string("ReferencedSeriesSequence[0].ReferencedInstanceSequence[\($0)].ReferencedSOPInstanceUID") ?? ""
        }
        #expect(Set(referenced) == Set((0..<series.count).map(series.instanceUID)))
        #expect(try seg.count("SegmentSequence") == 2)
        for (i, definition) in SegmentDefinition.neoICH.enumerated() {
            let item = "SegmentSequence[\(i)]"
            #expect(try seg.string("\(item).SegmentNumber") == String(i + 1))
            #expect(try seg.string("\(item).SegmentLabel") == definition.name)
            #expect(try seg.string("\(item).SegmentAlgorithmType") == "AUTOMATIC")
            #expect(try seg.string("\(item).SegmentAlgorithmName") == "NeoICH")
            #expect(try seg.string("\(item).SegmentedPropertyCategoryCodeSequence[0].CodeValue") == "49755003")
            #expect(try seg.string("\(item).SegmentedPropertyTypeCodeSequence[0].CodeValue") == definition.type.value)
            #expect(try seg.string("\(item).SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator") == "SCT")
            #expect(try seg.string("\(item).SegmentationAlgorithmIdentificationSequence[0].AlgorithmVersion") == "9.8.7")
        }
        #expect(try seg.string("SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient")
                == "1\\0\\0\\0\\1\\0")
    }

    @Test(.enabled(if: Dciodvfy.isInstalled, Comment(rawValue: Dciodvfy.missing)), arguments: [SeriesLayout.headFirst, .coronal])
    func dciodvfyReportsNoErrors(layout: SeriesLayout) throws {
        let written = try Written(layout)
        let (errors, output) = try Dciodvfy.check(written.seg)
        #expect(errors.isEmpty, "dciodvfy:\n\(output)")
        #expect(output.contains("Segmentation"), "dciodvfy did not recognise the object:\n\(output)")
    }

    @Test func labelMapOnAnotherGridIsRefused() throws {
        let written = try Written(.headFirst)
        let other = LabelMap(geometry: VolumeGeometry(shape: VolumeShape(z: 4, y: 6, x: 5),
                                                      spacingMM: SpacingMM(z: 2.5, y: 0.7, x: 0.5)))
        let out = written.directory.file("other.dcm")
        #expect { try DICOMSegmentationWriter.write(other, source: written.read.source, creator: .init(algorithmVersion: "1"), to: out) }
            throws: { error in
                if case DICOMError.geometryMismatch(let file, let detail)? = error as? DICOMError {
                    return file == out.path && detail.contains("grid")
                }
                return false
            }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
