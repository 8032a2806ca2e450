import Testing
import TestSupport
@testable import Explain

@Suite("Region importance")
struct RegionImportanceTests {
    @Test func meansOfTheMinMaxNormalisedMapPerRegion() throws {
        // Map −1…3 normalises to (v + 1) / 4: ICH {3, 1} → {1, 0.5}, PHE {0, 0} → {0.25, 0.25}, background {−1, 1} → {0, 0.5}.
        let map: [Float] = [3, 1, 0, 0, -1, 1]
        let labels: [UInt8] = [1, 1, 2, 2, 0, 0]
        let importance = try RegionImportance(map: map, labels: labels)
        expectClose(importance.ich, 0.75)
        expectClose(importance.phe, 0.25)
        expectClose(importance.background, 0.25)
    }

    @Test func constantMapIsZeroAndEmptyRegionIsNaN() throws {
        let importance = try RegionImportance(map: [2, 2, 2], labels: [1, 1, 0])
        #expect(importance.ich == 0 && importance.background == 0)
        #expect(importance.phe.isNaN)
    }

    @Test func rejectsMismatchedOrNonFiniteMaps() {
        #expect(throws: ExplainError.self) { try RegionImportance(map: [1, 2], labels: [0]) }
        #expect(throws: ExplainError.self) { try RegionImportance(map: [1, .nan], labels: [0, 1]) }
    }
}
