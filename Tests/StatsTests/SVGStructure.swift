import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The elements of an SVG document as parsed by Foundation's XMLParser: parsing fails unless the
/// document is well-formed XML.
struct SVGStructure {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    let elements: [Element]

    init(_ svg: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw ParseError(message: parser.parserError.map { "\($0)" } ?? "unknown XML error")
        }
        elements = collector.elements
    }

    struct ParseError: Error, CustomStringConvertible {
        let message: String
        var description: String { "SVG is not well-formed XML: \(message)" }
    }

    /// Elements named `name`, optionally only those with `class` = `className`.
    func all(_ name: String, className: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (className == nil || $0.attributes["class"] == className) }
    }

    /// The text of every `<text>` element.
    var texts: [String] { all("text").map(\.text) }

    /// Every numeric attribute value parses and is finite (no "nan"/"inf" slipped into coordinates).
    var numericAttributesAreFinite: Bool {
        let numeric: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"]
        return elements.allSatisfy { element in
            element.attributes.allSatisfy { key, value in
                !numeric.contains(key) || value.hasSuffix("%") || Double(value)?.isFinite == true
            }
        }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            open.removeLast()
        }
    }
}
