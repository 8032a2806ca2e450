import Testing

@Suite struct StatsReferenceTests {
    /// The fixture names the library versions it was computed with (the script writes them).
    @Test func recordsLibraryVersions() throws {
        let versions = try StatsReference.load().versions
        #expect(versions.scipy.hasPrefix("1."))
        #expect(!versions.numpy.isEmpty && !versions.sklearn.isEmpty && !versions.python.isEmpty)
    }
}
