import Foundation
import Output

/// One thing wrong with a dataset, naming the file.
public struct DatasetProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The file (or folder) concerned.
    public var file: String
    /// What is wrong.
    public var problem: String

    public var description: String { "\(file): \(problem)" }
}

/// A dataset in the nnU-Net v2 raw layout plus NeoICH's `cohort.csv`:
///
/// ```
/// DatasetNNN_Name/
///   dataset.json                  NNUNetDatasetDescription
///   imagesTr/{case}_0000.nii.gz   CT (one channel)
///   labelsTr/{case}.nii.gz        0 background, 1 ICH, 2 PHE, on the image's grid
///   cohort.csv                    CohortTable (optional)
/// ```
public struct NNUNetDataset: Sendable {
    /// The `DatasetNNN_Name` folder.
    public var root: URL
    /// `dataset.json`.
    public var description: NNUNetDatasetDescription
    /// Case identifiers found in imagesTr, sorted.
    public var cases: [String]
    /// `cohort.csv`, when present.
    public var cohort: CohortTable?

    /// The CT of a case (`imagesTr/{case}_0000{ending}`).
    public func imageURL(_ caseID: String) -> URL {
        root.appendingPathComponent("imagesTr/\(caseID)_0000\(description.fileEnding)")
    }

    /// The label map of a case (`labelsTr/{case}{ending}`).
    public func labelURL(_ caseID: String) -> URL {
        root.appendingPathComponent("labelsTr/\(caseID)\(description.fileEnding)")
    }

    /// Opens a dataset: reads dataset.json and cohort.csv and lists the cases (no image is read).
    ///
    /// - Throws: `ImagingError.fileNotFound` / `.invalidDataset` for a missing or malformed dataset.json
    ///   or cohort.csv.
    public static func open(_ root: URL) throws -> NNUNetDataset {
        let json = root.appendingPathComponent("dataset.json")
        guard let data = FileManager.default.contents(atPath: json.path) else { throw ImagingError.fileNotFound(file: json.path) }
        let description: NNUNetDatasetDescription
        do { description = try JSONDecoder().decode(NNUNetDatasetDescription.self, from: data) } catch {
            throw ImagingError.invalidDataset(file: json.path, detail: "not an nnU-Net dataset.json: \(error)")
        }
        let suffix = "_0000" + description.fileEnding
        let images = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("imagesTr").path)) ?? []
        let cases = images.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.sorted()
        let cohortURL = root.appendingPathComponent("cohort.csv")
        let cohort = FileManager.default.fileExists(atPath: cohortURL.path) ? try CohortTable.read(cohortURL) : nil
        return NNUNetDataset(root: root, description: description, cases: cases, cohort: cohort)
    }

    /// Creates the folders and writes dataset.json (and cohort.csv when given).
    ///
    /// - Throws: `ImagingError.writeFailed`.
    public static func create(at root: URL, description: NNUNetDatasetDescription,
                              cohort: CohortTable? = nil) throws -> NNUNetDataset {
        do {
            for folder in ["imagesTr", "labelsTr"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
        } catch {
            throw ImagingError.writeFailed(file: root.path, detail: "\(error)")
        }
        var dataset = NNUNetDataset(root: root, description: description, cases: [], cohort: cohort)
        try dataset.writeMetadata()
        return dataset
    }

    /// Writes one case: the CT and its label map (which must be on the CT's grid and hold only 0, 1, 2).
    ///
    /// - Throws: `ImagingError.geometryMismatch` / `.invalidLabelValues` (nothing is written), or a write error.
    public mutating func write<T: VoxelScalar>(case caseID: String, image: Volume<T>, labels: LabelMap) throws {
        try labels.validateLabels(on: image.geometry, file: labelURL(caseID).path)
        try NIfTIFile.write(image, to: imageURL(caseID))
        try NIfTIFile.write(labels, to: labelURL(caseID))
        if !cases.contains(caseID) {
            cases.append(caseID)
            cases.sort()
        }
    }

    /// Writes dataset.json (with `numTraining` set to the number of cases) and cohort.csv.
    ///
    /// - Throws: `ImagingError.writeFailed`.
    public mutating func writeMetadata() throws {
        if !cases.isEmpty { description.numTraining = cases.count }
        let json = root.appendingPathComponent("dataset.json")
        do { try AtomicFile.write(try JSONFile.data(description, escapingSlashes: false), to: json) } catch {
            throw ImagingError.writeFailed(file: json.path, detail: "\(error)")
        }
        try cohort?.write(to: root.appendingPathComponent("cohort.csv"))
    }

    /// Checks the whole dataset and lists every problem found (empty when valid).
    ///
    /// Checks: folder name `DatasetNNN_Name`; dataset.json declares one CT channel and labels background 0,
    /// ICH 1, PHE 2; numTraining equals the number of images; every image reads as a 3-D CT and has a label
    /// map of the same shape and geometry (`VolumeGeometry.mismatch`) with values in {0, 1, 2}; no label
    /// without image, no extra channel; cohort.csv lists exactly the dataset's cases.
    public func validate() -> [DatasetProblem] {
        var problems: [DatasetProblem] = []
        func report(_ url: URL, _ problem: String) { problems.append(DatasetProblem(file: url.path, problem: problem)) }
        let name = root.lastPathComponent
        if name.range(of: #"^Dataset\d{3}_.+$"#, options: .regularExpression) == nil {
            report(root, "folder name should be DatasetNNN_Name (nnU-Net)")
        }
        let json = root.appendingPathComponent("dataset.json")
        if description.channelNames != ["0": "CT"] { report(json, "channel_names \(description.channelNames), expected {\"0\": \"CT\"}") }
        if description.labels != NNUNetDatasetDescription.neoICHLabels {
            report(json, "labels \(description.labels), expected {\"background\": 0, \"ICH\": 1, \"PHE\": 2}")
        }
        if description.numTraining != cases.count { report(json, "numTraining \(description.numTraining), but imagesTr holds \(cases.count) cases") }
        let imageFolder = root.appendingPathComponent("imagesTr"), labelFolder = root.appendingPathComponent("labelsTr")
        let ending = description.fileEnding
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: imageFolder.path)) ?? []).sorted()
        where file.hasSuffix(ending) && !file.hasSuffix("_0000" + ending) {
            report(imageFolder.appendingPathComponent(file), "not channel 0000; NeoICH datasets have one CT channel")
        }
        let caseSet = Set(cases)
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: labelFolder.path)) ?? []).sorted()
        where file.hasSuffix(ending) && !caseSet.contains(String(file.dropLast(ending.count))) {
            report(labelFolder.appendingPathComponent(file), "label map without an image")
        }
        for caseID in cases {
            let imageFile = imageURL(caseID), labelFile = labelURL(caseID)
            let image: Volume<Float>
            do { image = try NIfTIFile.read(imageFile, as: Float.self) } catch {
                report(imageFile, "\(error)")
                continue
            }
            guard FileManager.default.fileExists(atPath: labelFile.path) else {
                report(labelFile, "missing label map for case \(caseID)")
                continue
            }
            do {
                let labels = try NIfTIFile.read(labelFile, as: UInt8.self)
                try labels.validateLabels(on: image.geometry, file: labelFile.path)
            } catch let error as ImagingError {
                switch error {
                case .geometryMismatch(_, let detail): report(labelFile, "not on the grid of its image: \(detail)")
                case .invalidLabelValues(_, let values): report(labelFile, "label values \(values) outside {0, 1, 2}")
                default: report(labelFile, error.description)
                }
            } catch {
                report(labelFile, "\(error)")
            }
        }
        if let cohort {
            let csv = root.appendingPathComponent("cohort.csv")
            let listed = Set(cohort.records.map(\.caseID))
            for caseID in cases where !listed.contains(caseID) { report(csv, "case \(caseID) has no row") }
            for record in cohort.records where !caseSet.contains(record.caseID) {
                report(csv, "case \(record.caseID) has no image in imagesTr")
            }
            for record in cohort.records where record.label.isEmpty || record.split.isEmpty {
                report(csv, "case \(record.caseID): empty label or split")
            }
        }
        return problems
    }
}
