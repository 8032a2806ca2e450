import Testing
@testable import Stats

@Suite struct TableFormatTests {
    @Test func medianIQR() throws {
        // Median 3, type-7 quartiles 2 and 4.
        #expect(try TableFormat().medianIQR([1, 2, 3, 4, 5]) == "3.00 [2.00; 4.00]")
        // [1.92, 6.29, 19.56]: Q1 = 1.92 + 0.5·4.37 = 4.105, Q3 = 6.29 + 0.5·13.27 = 12.925.
        #expect(try TableFormat(decimals: 3).medianIQR([19.56, 1.92, 6.29]) == "6.290 [4.105; 12.925]")
    }

    @Test func meanSD() throws {
        // Mean 0.5, sample SD of [0.4, 0.5, 0.6] = 0.1.
        #expect(try TableFormat().meanSD([0.4, 0.5, 0.6]) == "0.50 ± 0.10")
    }

    @Test func countPercent() throws {
        // 001_… Table 1: 116 neoplastic of 291 = 39.86 %.
        #expect(try TableFormat().countPercent(116, of: 291) == "116 (39.9%)")
        #expect(try TableFormat(percentDecimals: 0).countPercent(175, of: 291) == "175 (60%)")
        #expect(throws: StatsError.self) { try TableFormat().countPercent(3, of: 0) }
        #expect(throws: StatsError.self) { try TableFormat().countPercent(4, of: 3) }
    }

    @Test func noNegativeZero() {
        #expect(TableFormat().number(-0.001, 2) == "0.00")
        #expect(TableFormat().number(-0.006, 2) == "-0.01")
        #expect(TableFormat().number(.nan, 2) == "NaN")
    }
}
