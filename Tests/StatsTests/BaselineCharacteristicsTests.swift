import Testing
import TestSupport
@testable import Stats
@testable import Study

@Suite struct BaselineCharacteristicsTests {
    @Test func tableOneMatchesNumPyAndSciPy() throws {
        let reference = try StudyReference.load()
        let cases = reference.studyCases
        let (variables, skipped) = BaselineVariables.make(cases, covariateNames: StudyReference.covariateNames)
        #expect(skipped.isEmpty)
        let table = try BaselineCharacteristics.build(inFirstGroup: cases.map(\.neoplastic), groupNames: ["neoplastic", "non-neoplastic"],
                                                      variables: variables)
        #expect(table.sizes == [16, 8, 8])
        for expected in reference.table1 {
            let row = try #require(table.rows.first { $0.name == expected.name }, "\(expected.name)")
            #expect(row.kind == expected.kind)
            for (cell, e) in zip(row.cells, expected.cells) {
                #expect(cell.n == e.n, "\(expected.name)")
                if let m = e.median { expectReference("table1.median", try #require(cell.median), m, relative: 1e-12) }
                if let q = e.q1 { expectReference("table1.q1", try #require(cell.q1), q, relative: 1e-12) }
                if let q = e.q3 { expectReference("table1.q3", try #require(cell.q3), q, relative: 1e-12) }
                if let c = e.count { #expect(cell.count == c, "\(expected.name)") }
                if let p = e.percent { expectReference("table1.percent", try #require(cell.percent), p, relative: 1e-12) }
            }
            expectReference("table1.statistic", try #require(row.statistic), try #require(expected.statistic), relative: 1e-12)
            expectReference("table1.p", try #require(row.pValue), try #require(expected.pvalue), relative: 1e-9)
        }
        // The missing age and onset values are left out of their rows only.
        #expect(table.rows.first { $0.name == "Age [years]" }?.cells.map(\.n) == [15, 7, 8])
        // Subtype rows are descriptive, non-neoplastic subtypes first.
        let subtypes = table.rows.filter { $0.name.hasPrefix("Subtype: ") }
        #expect(subtypes.count == 6)
        #expect(subtypes.allSatisfy { $0.pValue == nil && $0.test == nil })
        #expect(subtypes.first?.name == "Subtype: hypertensive")
        #expect(subtypes.first?.cells.map(\.text) == ["3 (18.8%)", "0 (0.0%)", "3 (37.5%)"])
    }

    @Test func formatsCellsAsTheStudy() throws {
        let table = try BaselineCharacteristics.build(
            inFirstGroup: [true, true, false, false],
            groupNames: ["a", "b"],
            variables: [.init(name: "x", values: .continuous([1, 2, 3, nil])), .init(name: "y", values: .binary([true, nil, false, false]))])
        #expect(table.rows[0].cells.map(\.text) == ["2.00 [1.50; 2.50]", "1.50 [1.25; 1.75]", "3.00 [3.00; 3.00]"])
        #expect(table.rows[1].cells.map(\.text) == ["1 (33.3%)", "1 (100.0%)", "0 (0.0%)"])
    }

    @Test func undefinedTestsBecomeNotes() throws {
        let table = try BaselineCharacteristics.build(
            inFirstGroup: [true, true, false, false], groupNames: ["a", "b"],
            variables: [.init(name: "nobody", values: .binary([false, false, false, false])),
                        .init(name: "one group", values: .continuous([1, 2, nil, nil]))])
        #expect(table.rows.allSatisfy { $0.pValue == nil && $0.note != nil })
    }

    @Test func infersColumnKinds() {
        let cases = [("1", "F", "lobar", "12", "3"), ("0", "m", "deep", "NA", "7")].enumerated().map { i, v in
            StudyCase(caseID: "\(i)", neoplastic: i == 0,
                      covariates: ["oac": v.0, "sex": v.1, "location": v.2, "lesions": v.3, "seed": v.4,
                                   "scan_offset_hu": v.4, "scan_cupping_hu": v.3])
        }
        // The seed and the scanner's per-scan draws are not patient characteristics.
        let (variables, skipped) = BaselineVariables.make(cases, covariateNames: ["seed", "location", "lesions", "sex", "oac",
                                                                                 "scan_offset_hu", "scan_cupping_hu"])
        #expect(variables.map(\.name) == ["Female", "Oral anticoagulation", "Lesions"])
        #expect(variables[0].values == .binary([true, false]))
        #expect(variables[2].values == .continuous([12, nil]))
        #expect(skipped == ["location (categorical or text)"])
    }

    @Test func rejectsMismatchedLengths() {
        #expect(throws: StatsError.self) {
            try BaselineCharacteristics.build(inFirstGroup: [true], groupNames: ["a", "b"], variables: [.init(name: "x", values: .continuous([1, 2]))])
        }
    }
}
