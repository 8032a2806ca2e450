import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Plots

@Suite struct SVGDocumentTests {
    @Test func numbersAndEscaping() {
        #expect(SVGDocument.number(3) == "3")
        #expect(SVGDocument.number(2.5) == "2.5")
        #expect(SVGDocument.number(1.005_1) == "1.01")
        #expect(SVGDocument.number(-0.001) == "0")
        #expect(SVGDocument.number(.nan) == "0")
        #expect(SVGDocument.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }
}
