import Foundation
import Imaging
import Output

/// Writes a synthetic cohort as an nnU-Net raw dataset plus cohort.csv (`neoich synth`).
public struct CohortSynthesizer: Sendable {
    /// The case generator (centre and seed).
    public let generator: PhantomGenerator
    /// Cases generated at once (each on its own core).
    public var jobs: Int
    /// gzip level of the NIfTI files (1: fast; the label maps compress well at any level).
    public var compressionLevel: Int

    public init(generator: PhantomGenerator, jobs: Int = 2, compressionLevel: Int = 1) {
        self.generator = generator
        self.jobs = max(1, jobs)
        self.compressionLevel = compressionLevel
    }

    /// Writes cases `start ..< start + count` into `root` (created if needed). An existing dataset is extended:
    /// its cohort.csv rows for other cases are kept, so a cohort can be grown or regenerated case by case.
    ///
    /// - Parameters:
    ///   - root: the `DatasetNNN_Name` folder.
    ///   - start: the first case index.
    ///   - count: the number of cases.
    ///   - progress: the progress reporter (nil: silent).
    /// - Returns: the dataset, with metadata written.
    /// - Throws: `ImagingError` from writing, `PhantomError` for a bad range.
    @discardableResult
    public func write(to root: URL, start: Int = 0, count: Int, progress: ProgressReporter? = nil) throws -> NNUNetDataset {
        guard start >= 0, count >= 1 else {
            throw PhantomError.invalidConfiguration(field: "cases", value: "start \(start), count \(count)", expected: "start ≥ 0 and count ≥ 1")
        }
        let existing = FileManager.default.fileExists(atPath: root.appendingPathComponent("dataset.json").path)
            ? try NNUNetDataset.open(root) : nil
        var dataset = try existing ?? NNUNetDataset.create(
            at: root, description: .neoICH(numTraining: 0, name: root.lastPathComponent),
            cohort: CohortTable(covariateNames: PhantomCase.covariateNames))
        var description = dataset.description
        description.description = "NeoICH synthetic head CT (Phantom), centre \(generator.profile.centre), seed \(generator.cohortSeed). "
            + "Synthetic data for testing and demonstration only."
        dataset.description = description
        let options = NIfTIWriteOptions(compressionLevel: compressionLevel, description: "NeoICH phantom")
        let results = ResultCollector(count: count)
        let generator = self.generator, jobs = self.jobs
        let datasetCopy = dataset
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            var index = worker
            while index < count {
                let phantom = generator.generate(index: start + index)
                do {
                    try NIfTIFile.write(phantom.image, to: datasetCopy.imageURL(phantom.spec.caseID), options: options)
                    try NIfTIFile.write(phantom.labels, to: datasetCopy.labelURL(phantom.spec.caseID), options: options)
                    results.store(index, .success(phantom.record(centre: generator.profile.centre)))
                } catch {
                    results.store(index, .failure(error))
                }
                progress?.advance(detail: phantom.spec.caseID)
                index += jobs
            }
        }
        progress?.finish()
        var records = dataset.cohort?.records ?? []
        for result in results.all {
            let record = try result.get()
            records.removeAll { $0.caseID == record.caseID }
            records.append(record)
            if !dataset.cases.contains(record.caseID) { dataset.cases.append(record.caseID) }
        }
        dataset.cases.sort()
        records.sort { $0.caseID < $1.caseID }
        let names = dataset.cohort?.covariateNames ?? PhantomCase.covariateNames
        dataset.cohort = CohortTable(covariateNames: names.isEmpty ? PhantomCase.covariateNames : names, records: records)
        try dataset.writeMetadata()
        return dataset
    }

    /// A PNG montage of a few cases: for each, the slice with the most lesion and its neighbours, with the ICH
    /// (green) and PHE (red) overlays, one case per row.
    ///
    /// - Throws: `ImagingError` from rendering or writing.
    public func writePreview(to url: URL, start: Int = 0, count: Int = 4, slicesPerCase: Int = 3, scale: Int = 1) throws {
        var rows: [RGBAImage] = []
        for index in start..<(start + max(count, 1)) {
            let phantom = generator.generate(index: index, parallel: true)
            let z = Self.slicesWithMostLesion(phantom.labels, count: slicesPerCase)
            let image = phantom.image.map { Float($0) }
            let options = SliceRenderingOptions(window: .brain, labels: phantom.labels, labelOpacity: 0.35, scale: scale)
            let plain = SliceRenderingOptions(window: .brain, scale: scale)
            let lesionTiles = try SliceRenderer.renderMontage(image, slices: z, columns: z.count, options: options)
            let plainTile = try SliceRenderer.renderMontage(image, slices: [z[z.count / 2]], columns: 1, options: plain)
            var row = RGBAImage(width: plainTile.width + 2 + lesionTiles.width, height: plainTile.height, fill: RGBColor(40, 40, 40))
            row.draw(plainTile, row: 0, column: 0)
            row.draw(lesionTiles, row: 0, column: plainTile.width + 2)
            rows.append(row)
        }
        let width = rows.map(\.width).max() ?? 1
        var montage = RGBAImage(width: width, height: rows.reduce(0) { $0 + $1.height + 2 } - 2, fill: RGBColor(40, 40, 40))
        var y = 0
        for row in rows {
            montage.draw(row, row: y, column: 0)
            y += row.height + 2
        }
        try montage.writePNG(to: url)
    }

    /// The `count` consecutive slices around the slice with the most labelled voxels.
    static func slicesWithMostLesion(_ labels: LabelMap, count: Int) -> [Int] {
        let shape = labels.shape, plane = shape.y * shape.x
        let perSlice = labels.withUnsafeVoxels { v in
            (0..<shape.z).map { k in (0..<plane).reduce(0) { $0 + (v[k * plane + $1] != 0 ? 1 : 0) } }
        }
        let best = perSlice.indices.max { perSlice[$0] < perSlice[$1] } ?? shape.z / 2
        let n = min(max(count, 1), shape.z)
        let first = min(max(best - (n - 1) / 2, 0), shape.z - n)
        return Array(first..<(first + n))
    }
}

/// Results of parallel workers, one slot per case.
final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<CohortRecord, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result<CohortRecord, Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = result
    }

    var all: [Result<CohortRecord, Error>] {
        lock.lock(); defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
