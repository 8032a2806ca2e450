import Foundation
import Imaging
@testable import Pipeline
import Testing
import TestSupport

@Suite struct CohortShardTests {
    /// The FNV-1a 64 test vectors of the FNV specification (draft-eastlake-fnv, appendix C).
    @Test func hashIsFNV1a64() {
        #expect(CohortShard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(CohortShard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(CohortShard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func parsesIOverNAndRefusesTheRest() throws {
        let shard = try CohortShard(parsing: "3/4")
        #expect(shard.index == 3 && shard.count == 4)
        for bad in ["4/4", "-1/2", "1", "a/b", "1/0", "1/2/3", ""] {
            #expect(throws: ShardError.self) { try CohortShard(parsing: bad) }
        }
    }

    @Test func everyCaseInExactlyOneShardAndStaysThereWhenTheCohortGrows() throws {
        let ids = (0..<500).map { String(format: "case%04d", $0) }
        let shards = try (0..<7).map { try CohortShard(index: $0, count: 7) }
        for id in ids { #expect(shards.filter { $0.contains(id) }.count == 1) }
        let sizes = shards.map { shard in ids.filter(shard.contains).count }
        #expect(sizes.allSatisfy { $0 > 40 && $0 < 105 }, "\(sizes)")
        let before = ShardManifest(step: "predict", shard: shards[2], cohortCases: ids)
        let after = ShardManifest(step: "predict", shard: shards[2], cohortCases: ids + ["new1", "new2", "zz"])
        #expect(Set(before.cases).isSubset(of: Set(after.cases)))
    }

    // MARK: - predict --cohort --shard and merge

    /// c1 … c4 and a broken c5; by the hand-computed FNV-1a values, shard 0/2 holds c2, c4 and 1/2 holds c1, c3, c5.
    private func cohort(_ fixture: PipelineFixture) throws -> URL {
        for k in 1...4 { _ = try fixture.writeCT("c\(k).nii.gz", seed: UInt64(k), in: "cohort") }
        try Data("broken".utf8).write(to: fixture.directory.file("cohort/c5.nii.gz"))
        return fixture.directory.file("cohort")
    }

    private func withoutSeconds(_ csv: String) -> [[Substring]] {
        let seconds = PredictionTableRow.header.firstIndex(of: "seconds")!
        return csv.split(separator: "\n").map { row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false)
            fields[seconds] = ""
            return fields
        }
    }

    @Test func shardsPlusMergeEqualOneRun() throws {
        let fixture = try PipelineFixture("neoich-shards")
        let input = try cohort(fixture)
        let prediction = CohortPrediction(predictor: fixture.predictor)
        let single = fixture.directory.file("single")
        _ = try prediction.run(input, output: single, progressStyle: .silent)

        var shardFolders: [URL] = []
        for (index, expected) in [(0, ["c2", "c4"]), (1, ["c1", "c3"])] {
            let folder = fixture.directory.file("shard\(index)")
            let summary = try prediction.run(input, output: folder, shard: try CohortShard(index: index, count: 2), progressStyle: .silent)
            #expect(summary.predicted == expected)
            #expect(summary.failed.keys.sorted() == (index == 1 ? ["c5"] : []))
            // Resumable as an unsharded run: the second time every finished case is skipped.
            let again = try prediction.run(input, output: folder, shard: try CohortShard(index: index, count: 2), progressStyle: .silent)
            #expect(again.skipped == expected && again.predicted.isEmpty)
            shardFolders.append(folder)
        }
        let merged = fixture.directory.file("merged")
        let summary = try ShardMerge.merge(shardFolders.reversed(), into: merged)
        #expect(summary.folders == ["": "predict"])

        let names = { (url: URL) in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }
        #expect(try names(merged) == names(single))
        for id in ["c1", "c2", "c3", "c4"] {
            #expect(try names(merged.appendingPathComponent(id)) == names(single.appendingPathComponent(id)))
            for file in try names(single.appendingPathComponent(id)) where file != CasePredictor.reportFileName {
                #expect(try Data(contentsOf: merged.appendingPathComponent("\(id)/\(file)"))
                        == Data(contentsOf: single.appendingPathComponent("\(id)/\(file)")), "\(id)/\(file)")
            }
            let a = try PredictionReport.read(merged.appendingPathComponent("\(id)/report.json"))
            let b = try PredictionReport.read(single.appendingPathComponent("\(id)/report.json"))
            #expect(a.comparable == b.comparable)
        }
        // The table: equal to the single run's but for the timing column, and byte for byte what a run writes
        // from the merged reports (which resumes with every case done).
        let mergedTable = try String(contentsOf: merged.appendingPathComponent("predictions.csv"), encoding: .utf8)
        let singleTable = try String(contentsOf: single.appendingPathComponent("predictions.csv"), encoding: .utf8)
        #expect(withoutSeconds(mergedTable) == withoutSeconds(singleTable))
        #expect(mergedTable.split(separator: "\n").count == 6)
        let rerun = try prediction.run(input, output: merged, progressStyle: .silent)
        #expect(rerun.skipped == ["c1", "c2", "c3", "c4"] && rerun.predicted.isEmpty)
        #expect(try String(contentsOf: merged.appendingPathComponent("predictions.csv"), encoding: .utf8) == mergedTable)
    }

    @Test func mergeRefusesMissingDuplicateMixedAndOverlappingShards() throws {
        let directory = try TemporaryDirectory("neoich-shard-merge")
        let ids = ["c1", "c2", "c3", "c4", "c5"]
        func shard(_ name: String, _ index: Int, _ count: Int, cohort: [String] = ids, step: String = "explain") throws -> URL {
            let folder = directory.file(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let part = try CohortShard(index: index, count: count)
            try ShardManifest.claim(folder: folder, step: step, shard: part, cohortCases: cohort)
            for id in cohort where part.contains(id) {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(id), withIntermediateDirectories: true)
                try Data("{\"case\":\"\(id)\"}".utf8).write(to: folder.appendingPathComponent("\(id)/explanation.json"))
            }
            return folder
        }
        let s0 = try shard("s0", 0, 2), s1 = try shard("s1", 1, 2)
        func refusal(_ shards: [URL], _ fragment: String) {
            do {
                _ = try ShardMerge.merge(shards, into: directory.file("out-\(UUID().uuidString)"))
                Issue.record("merged \(shards.map(\.lastPathComponent)) without complaint")
            } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
        refusal([s0], "1/2 missing")
        refusal([s0, s0], "given twice")
        refusal([s0, try shard("t1", 1, 3)], "different splits")
        refusal([s0, try shard("u1", 1, 2, cohort: ids + ["c6"])], "different cohorts")
        refusal([s0, try shard("v1", 1, 2, step: "predict")], "a predict shard")
        let overlapping = try shard("w1", 1, 2)
        try FileManager.default.createDirectory(at: overlapping.appendingPathComponent("c2"), withIntermediateDirectories: true)
        refusal([s0, overlapping], "c2 is in both")
        refusal([s0, directory.file("nothing")], "no such folder")
        try FileManager.default.createDirectory(at: directory.file("plain"), withIntermediateDirectories: true)
        refusal([s0, directory.file("plain")], "no neoich-shard.json")

        let out = directory.file("merged")
        _ = try ShardMerge.merge([s1, s0], into: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ids)
        // A folder holds one shard: another shard, or an unsharded run, is refused there.
        #expect(throws: ShardError.self) {
            try ShardManifest.claim(folder: s0, step: "explain", shard: try CohortShard(index: 1, count: 2), cohortCases: ids)
        }
        #expect(throws: ShardError.self) { try ShardManifest.claim(folder: s0, step: "explain", shard: nil, cohortCases: ids) }
    }

    @Test func studyFoldersMergeEachShardedSubfolder() throws {
        let directory = try TemporaryDirectory("neoich-shard-study")
        let ids = ["c1", "c2", "c3"]
        var shards: [URL] = []
        for index in 0..<2 {
            let part = try CohortShard(index: index, count: 2)
            let study = directory.file("study\(index)")
            let explanations = study.appendingPathComponent("explanations")
            try FileManager.default.createDirectory(at: explanations, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: study.appendingPathComponent("inputs"), withIntermediateDirectories: true)
            try ShardManifest.claim(folder: explanations, step: "explain", shard: part, cohortCases: ids)
            for id in ids where part.contains(id) { try Data(id.utf8).write(to: explanations.appendingPathComponent("\(id).json")) }
            shards.append(study)
        }
        let summary = try ShardMerge.merge(shards, into: directory.file("study"))
        #expect(summary.folders == ["explanations": "explain"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("study/explanations").path).sorted()
                == ["c1.json", "c2.json", "c3.json"])
    }
}
