import Testing
import TestSupport
@testable import Stats
@testable import Study

@Suite struct FaithfulnessTableTests {
    @Test func meanAndSDAsNumPy() throws {
        let reference = try StudyReference.load()
        let table = try FaithfulnessTable.build(["GradCAMPlusPlus", "Saliency"].map { method in
            (method, reference.studyCases.compactMap { $0.methods.first { $0.method == method }?.faithfulness })
        })
        for (row, e) in zip(table.rows, reference.table2) {
            #expect(row.method == e.method)
            #expect(row.n == e.n && row.undefined == e.undefined)
            expectReference("table2.mean", try #require(row.mean), e.mean, relative: 1e-14)
            expectReference("table2.sd", try #require(row.standardDeviation), e.sd, relative: 1e-13)
            expectReference("table2.median", try #require(row.median), e.median, relative: 1e-14)
        }
        #expect(table.mostFaithful == "GradCAMPlusPlus")
        #expect(table.rows[0].text == "0.48 ± 0.07")
    }

    @Test func methodWithoutScores() throws {
        let table = try FaithfulnessTable.build([("A", [.nan, .nan]), ("B", [0.2])])
        #expect(table.rows[0].text == "–" && table.rows[0].undefined == 2)
        #expect(table.rows[1].standardDeviation == nil)
        #expect(table.mostFaithful == "B")
    }
}
