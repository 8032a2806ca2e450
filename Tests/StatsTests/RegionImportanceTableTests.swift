import Testing
import TestSupport
@testable import Stats
@testable import Study

@Suite struct RegionImportanceTableTests {
    @Test func tableThreeMatchesSciPy() throws {
        let reference = try StudyReference.load()
        for (method, expected) in reference.table3 {
            let observations = reference.studyCases.compactMap { c in
                c.methods.first { $0.method == method }.map {
                    RegionImportanceTable.Observation(neoplastic: c.neoplastic, ichVolumeML: c.ichVolumeML, ich: $0.ich, phe: $0.phe,
                                                      background: $0.background)
                }
            }
            let table = try RegionImportanceTable.build(observations)
            expectReference("table3.median", try #require(table.medianICHVolumeML), expected.medianICHVolume, relative: 0)
            #expect(table.subsets.map(\.name) == expected.subsets.map(\.name))
            for (subset, e) in zip(table.subsets, expected.subsets) {
                #expect(subset.sizes == e.sizes, "\(method) \(e.name)")
                for (row, r) in zip(subset.regions, e.regions) {
                    expectClose(row.summaries.compactMap(\.mean), r.means, absolute: 0, relative: 1e-13)
                    expectClose(row.summaries.compactMap(\.standardDeviation), r.sds, absolute: 0, relative: 1e-12)
                    let c = try #require(row.comparison)
                    #expect(c.test == r.comparison.test, "\(method) \(e.name) \(row.region)")
                    expectReference("table3.statistic", c.statistic, r.comparison.statistic, relative: 1e-12)
                    expectReference("table3.p", c.pValue, r.comparison.pvalue, relative: 1e-9)
                    expectReference("table3.shapiro", c.normalityPValueNeoplastic, r.comparison.shapiroNeoplastic, relative: 1e-9)
                    expectReference("table3.shapiro", c.normalityPValueNonNeoplastic, r.comparison.shapiroNonNeoplastic, relative: 1e-9)
                }
                for (pair, p) in zip(subset.ichVersusPHE, e.pairs) {
                    #expect(pair.n == p.n)
                    expectReference("table3.meanDifference", try #require(pair.meanDifference), p.meanDifference, relative: 1e-12)
                    let c = try #require(pair.comparison)
                    #expect(c.test.rawValue == p.test)
                    expectReference("table3.pairedStatistic", c.statistic, p.statistic, relative: 1e-11)
                    expectReference("table3.pairedP", c.pValue, p.pvalue, relative: 1e-9)
                    let u = try #require(pair.unpaired)
                    #expect(u.test == p.unpaired.test, "\(method) \(e.name) \(p.n) ICH vs PHE")
                    expectReference("table3.unpairedStatistic", u.statistic, p.unpaired.statistic, relative: 1e-11)
                    expectReference("table3.unpairedP", u.pValue, p.unpaired.pvalue, relative: 1e-9)
                    expectReference("table3.unpairedShapiroICH", u.normalityPValueICH, p.unpaired.shapiroNeoplastic, relative: 1e-9)
                    expectReference("table3.unpairedShapiroPHE", u.normalityPValuePHE, p.unpaired.shapiroNonNeoplastic, relative: 1e-9)
                }
            }
        }
    }

    @Test func missingRegionsAndVolumes() throws {
        var observations: [RegionImportanceTable.Observation] = []
        for i in 0..<6 {
            let ich: Double = 0.5 + 0.01 * Double(i)
            let phe: Double = i == 0 ? .nan : 0.3 + 0.02 * Double(i)
            observations.append(.init(neoplastic: i < 3, ichVolumeML: nil, ich: ich, phe: phe, background: 0.01))
        }
        let table = try RegionImportanceTable.build(observations)
        #expect(table.medianICHVolumeML == nil)
        let names: [String] = table.subsets.map { $0.name }
        #expect(names == ["all"])
        let phe = table.subsets[0].regions[1]
        let counts: [Int] = phe.summaries.map { $0.n }
        #expect(counts == [5, 2, 3])
        #expect(phe.comparison == nil && phe.note != nil)
        let pairCounts: [Int] = table.subsets[0].ichVersusPHE.map { $0.n }
        #expect(pairCounts == [5, 2, 3])
        #expect(table.subsets[0].ichVersusPHE[1].comparison == nil && table.subsets[0].ichVersusPHE[1].unpaired == nil)
        #expect(table.subsets[0].ichVersusPHE[0].unpaired != nil)
    }
}
