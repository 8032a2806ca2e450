import Foundation

/// A dataset made of some cases of another, in the nnU-Net raw layout: cohort.csv holds the chosen rows in the
/// source's order, imagesTr/labelsTr hold symbolic links to the source's files, dataset.json is the source's with
/// `numTraining` set to the number of cases. Nothing is copied, so a subset of 200 CTs costs a few kilobytes.
public struct DatasetSubset: Sendable, Equatable {
    /// Which rows of the source's cohort.csv are taken, in order; every criterion given must hold.
    public struct Selection: Sendable, Equatable {
        /// Only rows of this split.
        public var split: String?
        /// At most this many rows of each label (e.g. 144 neoplastic, 205 non-neoplastic); labels not listed
        /// are left out. nil: every label.
        public var perLabel: [String: Int]?
        /// At most this many rows in all, after the other criteria.
        public var first: Int?

        public init(split: String? = nil, perLabel: [String: Int]? = nil, first: Int? = nil) {
            self.split = split
            self.perLabel = perLabel
            self.first = first
        }

        /// The rows of `table` this selection takes, in the table's order.
        public func apply(to table: CohortTable) -> [CohortRecord] {
            var taken: [String: Int] = [:]
            var result: [CohortRecord] = []
            for record in table.records {
                if let first, result.count >= first { break }
                if let split, record.split != split { continue }
                if let perLabel {
                    guard let quota = perLabel[record.label], taken[record.label, default: 0] < quota else { continue }
                    taken[record.label, default: 0] += 1
                }
                result.append(record)
            }
            return result
        }
    }

    /// The cases written, in cohort order.
    public var cases: [String]
    /// Whether the target already held exactly this subset (nothing was written).
    public var unchanged: Bool

    /// Writes `target` as the subset `selection` of the dataset at `source`, replacing an earlier subset there
    /// unless it already holds the same cases (then nothing is written, so a plans file or preprocessed data
    /// next to it stays valid).
    ///
    /// - Throws: `ImagingError.fileNotFound` / `.invalidDataset` naming the source's dataset.json or cohort.csv;
    ///   `.invalidDataset` when a chosen case has no image, when nothing is chosen, or when the target holds
    ///   files of its own (not links) under imagesTr/labelsTr; `.writeFailed` naming the file.
    public static func write(from source: URL, to target: URL, selection: Selection) throws -> DatasetSubset {
        let dataset = try NNUNetDataset.open(source)
        let cohortURL = source.appendingPathComponent("cohort.csv")
        guard let cohort = dataset.cohort else { throw ImagingError.fileNotFound(file: cohortURL.path) }
        let records = selection.apply(to: cohort)
        guard !records.isEmpty else {
            throw ImagingError.invalidDataset(file: cohortURL.path, detail: "no case matches the selection")
        }
        let available = Set(dataset.cases)
        if let missing = records.first(where: { !available.contains($0.caseID) }) {
            throw ImagingError.invalidDataset(file: dataset.imageURL(missing.caseID).path, detail: "case \(missing.caseID) of cohort.csv has no image")
        }
        let table = CohortTable(covariateNames: cohort.covariateNames, records: records)
        let cases = records.map(\.caseID)
        let targetCohort = target.appendingPathComponent("cohort.csv")
        if let existing = try? CohortTable.read(targetCohort), existing == table,
           let opened = try? NNUNetDataset.open(target), opened.cases.sorted() == cases.sorted(),
           opened.description.numTraining == cases.count {
            return DatasetSubset(cases: cases, unchanged: true)
        }
        let fileManager = FileManager.default
        for folder in ["imagesTr", "labelsTr"] {
            let url = target.appendingPathComponent(folder)
            for name in (try? fileManager.contentsOfDirectory(atPath: url.path)) ?? [] {
                let file = url.appendingPathComponent(name)
                guard (try? fileManager.destinationOfSymbolicLink(atPath: file.path)) != nil else {
                    throw ImagingError.invalidDataset(file: file.path, detail: "not a link: the target is not a subset written by NeoICH; refusing to replace it")
                }
                do { try fileManager.removeItem(at: file) } catch { throw ImagingError.writeFailed(file: file.path, detail: "\(error)") }
            }
        }
        var description = dataset.description
        description.numTraining = cases.count
        let subset = try NNUNetDataset.create(at: target, description: description, cohort: table)
        let sourceRoot = source.standardizedFileURL.resolvingSymlinksInPath()
        let absolute = NNUNetDataset(root: sourceRoot, description: dataset.description, cases: dataset.cases, cohort: nil)
        for caseID in cases {
            var links = [(subset.imageURL(caseID), absolute.imageURL(caseID))]
            if fileManager.fileExists(atPath: absolute.labelURL(caseID).path) { links.append((subset.labelURL(caseID), absolute.labelURL(caseID))) }
            for (link, destination) in links {
                do { try fileManager.createSymbolicLink(at: link, withDestinationURL: destination) } catch {
                    throw ImagingError.writeFailed(file: link.path, detail: "\(error)")
                }
            }
        }
        return DatasetSubset(cases: cases, unchanged: false)
    }
}

extension CohortTable {
    /// The table with the split of every row whose split is `from` (every row when nil) set to `to`.
    public func resplit(from: String?, to: String) -> CohortTable {
        var table = self
        for i in table.records.indices where from == nil || table.records[i].split == from {
            table.records[i].split = to
        }
        return table
    }
}
