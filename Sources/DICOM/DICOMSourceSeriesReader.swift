import Foundation
import Imaging

/// Reads the headers of one series from a folder of DICOM files and ties each instance to a volume slice.
enum DICOMSourceSeriesReader {
    /// Largest disagreement tolerated between direction cosines of the instances.
    static let orientationTolerance = 1e-4
    /// Largest offset (mm) of a slice position from the line through the first one along the normal.
    static let stackToleranceMM = 0.01
    /// The multi-frame CT storage classes (PS3.4 B.5): their frames' positions are in functional groups.
    static let multiFrameCTClasses = ["1.2.840.10008.5.1.4.1.1.2.1": "Enhanced CT Image Storage",
                                      "1.2.840.10008.5.1.4.1.1.2.2": "Legacy Converted Enhanced CT Image Storage"]

    /// - Parameters:
    ///   - folder: the DICOM files (searched recursively; files that are not DICOM are skipped, as dcm2niix does).
    ///   - chosen: the series dcm2niix converted.
    ///   - volume: the converted volume's grid.
    ///   - file: the user's input, for messages when no single file is to blame.
    static func read(folder: URL, chosen: DICOMSeriesCandidate, volume: VolumeGeometry,
                     file: String) throws -> DICOMSourceSeries {
        // Files are named inside the user's input ("study.zip/IM0002.dcm"), not in the temporary copy.
        var headers: [(file: String, dataset: DICOMDataset)] = []
        let prefix = folder.standardizedFileURL.path + "/"
        for path in regularFiles(in: folder) {
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            let name = URL(fileURLWithPath: file).appendingPathComponent(relative).path
            guard let dataset = try? DICOMDataset(reading: path), try belongs(dataset, to: chosen, file: name) else { continue }
            headers.append((name, dataset))
        }
        guard let (firstFile, first) = headers.first else {
            throw DICOMError.seriesNotFound(
                file: file, series: chosen.seriesInstanceUID ?? "number \(chosen.seriesNumber.map(String.init) ?? "?")")
        }
        func required(_ dataset: DICOMDataset, _ name: String, _ path: String) throws -> String {
            guard let value = try dataset.string(name), !value.isEmpty else {
                throw DICOMError.missingAttribute(file: path, attribute: name)
            }
            return value
        }
        func numbers(_ dataset: DICOMDataset, _ name: String, _ path: String, count: Int) throws -> [Double] {
            guard let values = try dataset.numbers(name, file: path) else {
                throw DICOMError.missingAttribute(file: path, attribute: name)
            }
            guard values.count == count else {
                throw DICOMError.invalidAttribute(file: path, attribute: name, value: try dataset.string(name) ?? "")
            }
            return values
        }

        for (path, dataset) in headers {
            let sopClass = try dataset.string("SOPClassUID") ?? ""
            let frames = try dataset.numbers("NumberOfFrames", file: path)?.first ?? 1
            if let name = multiFrameCTClasses[sopClass] {
                throw DICOMError.multiFrame(file: path, detail: "\(name) (SOP class \(sopClass))")
            }
            if frames > 1 { throw DICOMError.multiFrame(file: path, detail: "a multi-frame image (\(Int(frames)) frames)") }
        }
        let patientStudy = try DICOMPatientStudy(first)
        let frameOfReference = try required(first, "FrameOfReferenceUID", firstFile)
        let seriesUID = try required(first, "SeriesInstanceUID", firstFile)
        let rows = Int(try numbers(first, "Rows", firstFile, count: 1)[0])
        let columns = Int(try numbers(first, "Columns", firstFile, count: 1)[0])
        let spacing = try numbers(first, "PixelSpacing", firstFile, count: 2)
        let orientation = try numbers(first, "ImageOrientationPatient", firstFile, count: 6)
        try checkOrientation(orientation, file: firstFile)

        var instances: [DICOMSourceInstance] = []
        var seenUIDs: [String: String] = [:]
        for (path, dataset) in headers {
            let instance = DICOMSourceInstance(
                file: path, sopInstanceUID: try required(dataset, "SOPInstanceUID", path),
                sopClassUID: try required(dataset, "SOPClassUID", path),
                instanceNumber: try dataset.numbers("InstanceNumber", file: path)?.first.map { Int($0) },
                positionLPS: try numbers(dataset, "ImagePositionPatient", path, count: 3),
                orientation: try numbers(dataset, "ImageOrientationPatient", path, count: 6))
            if let other = seenUIDs[instance.sopInstanceUID] {
                throw DICOMError.mixedSeries(file: path, detail: "SOPInstanceUID \(instance.sopInstanceUID) also in \(other)")
            }
            seenUIDs[instance.sopInstanceUID] = path
            let size = (Int(try numbers(dataset, "Rows", path, count: 1)[0]), Int(try numbers(dataset, "Columns", path, count: 1)[0]))
            if size != (rows, columns) {
                throw DICOMError.mixedSeries(file: path, detail: "\(size.0)×\(size.1) pixels, \(firstFile) has \(rows)×\(columns)")
            }
            if try dataset.numbers("PixelSpacing", file: path) != spacing {
                throw DICOMError.mixedSeries(file: path, detail: "PixelSpacing differs from \(firstFile)")
            }
            if zip(instance.orientation, orientation).contains(where: { abs($0 - $1) > orientationTolerance }) {
                throw DICOMError.mixedSeries(file: path, detail: "ImageOrientationPatient \(instance.orientation) ≠ \(orientation) of \(firstFile)")
            }
            for (name, expected) in [("StudyInstanceUID", patientStudy.studyInstanceUID), ("FrameOfReferenceUID", frameOfReference)]
            where try dataset.string(name) ?? "" != expected {
                throw DICOMError.mixedSeries(file: path, detail: "\(name) differs from \(firstFile)")
            }
            instances.append(instance)
        }
        try checkStack(instances, orientation: orientation)

        // Each instance goes to the slice its position lies on; every slice needs exactly one.
        guard instances.count == volume.shape.z else {
            throw DICOMError.geometryMismatch(
                file: file, detail: "\(instances.count) DICOM images of series \(seriesUID) but \(volume.shape.z) slices converted")
        }
        guard let inverse = SlicePixelMapping.inverse(of: volume.affine) else {
            throw DICOMError.geometryMismatch(file: file, detail: "the converted volume's affine is singular")
        }
        var bySlice = [DICOMSourceInstance?](repeating: nil, count: volume.shape.z)
        for instance in instances {
            let p = instance.positionLPS, ras = [-p[0], -p[1], p[2]]
            let z = (0..<3).reduce(inverse.translation[2]) { $0 + inverse.matrix[2][$1] * ras[$1] }
            let k = Int(z.rounded())
            guard abs(z - z.rounded()) <= 0.01, bySlice.indices.contains(k) else {
                throw DICOMError.geometryMismatch(file: instance.file, detail: "position \(p) is not on a slice of the converted volume (slice coordinate \(z))")
            }
            if let other = bySlice[k] {
                throw DICOMError.mixedSeries(file: instance.file, detail: "same slice position as \(other.file)")
            }
            bySlice[k] = instance
        }
        let thickness = try first.numbers("SliceThickness", file: firstFile)?.first ?? volume.spacingMM.z
        let series = DICOMSourceSeries(
            patientStudy: patientStudy, seriesInstanceUID: seriesUID,
            seriesNumber: try first.numbers("SeriesNumber", file: firstFile)?.first.map { Int($0) },
            seriesDescription: try first.string("SeriesDescription") ?? "", frameOfReferenceUID: frameOfReference,
            modality: try first.string("Modality") ?? "", rows: rows, columns: columns, pixelSpacingMM: spacing,
            sliceThicknessMM: thickness, orientation: orientation, instances: bySlice.compactMap { $0 },
            volumeGeometry: volume)
        // Every pixel of every image must land on a voxel of its slice.
        for k in series.instances.indices { _ = try series.voxelMapping(slice: k) }
        return series
    }

    /// Whether a header belongs to the converted series.
    private static func belongs(_ dataset: DICOMDataset, to chosen: DICOMSeriesCandidate, file: String) throws -> Bool {
        if let uid = chosen.seriesInstanceUID { return try dataset.string("SeriesInstanceUID") == uid }
        let number = try dataset.numbers("SeriesNumber", file: file).flatMap { $0.first.map { Int($0) } }
        let modality = try dataset.string("Modality")
        return number == chosen.seriesNumber && modality == chosen.modality
    }

    /// Unit row and column cosines, perpendicular to each other.
    private static func checkOrientation(_ o: [Double], file: String) throws {
        let row = Array(o[0..<3]), column = Array(o[3..<6])
        let dot = zip(row, column).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = [row, column].map { v in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        guard abs(dot) < 1e-3, norms.allSatisfy({ abs($0 - 1) < 1e-3 }) else {
            throw DICOMError.invalidAttribute(file: file, attribute: "ImageOrientationPatient",
                                              value: o.map { String($0) }.joined(separator: "\\"))
        }
    }

    /// The positions must lie on one line along the plane normal (no gantry tilt, no shear).
    private static func checkStack(_ instances: [DICOMSourceInstance], orientation o: [Double]) throws {
        let normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
        guard let first = instances.first else { return }
        for instance in instances.dropFirst() {
            let d = (0..<3).map { instance.positionLPS[$0] - first.positionLPS[$0] }
            let along = (0..<3).reduce(0) { $0 + d[$1] * normal[$1] }
            let offset = (0..<3).map { d[$0] - along * normal[$0] }
            let distance = offset.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if distance > stackToleranceMM {
                throw DICOMError.gantryTilt(
                    file: instance.file,
                    detail: String(format: "position lies %.3f mm off the normal through %@", distance, first.file))
            }
        }
    }

    private static func regularFiles(in folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var files: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.standardizedFileURL.path)
        }
        return files.sorted()
    }
}
