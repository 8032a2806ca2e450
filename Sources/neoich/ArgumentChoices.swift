import ArgumentParser
import Explain
import Segmentation

// Closed choices of the command line: parsed from their raw values, listed in the help from `allCases`.
extension CAMUpsampling: ExpressibleByArgument {}
extension CAMVariant: ExpressibleByArgument {}
extension FaithfulnessSet: ExpressibleByArgument {}
extension AttributionOutput: ExpressibleByArgument {}
extension PostProcessing: ExpressibleByArgument {}
extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}

extension AttributionMethodName {
    /// Parses a comma-separated list of method names or aliases.
    ///
    /// - Throws: `ValidationError` naming the unknown method and listing the known ones.
    static func parseList(_ list: String) throws -> [AttributionMethodName] {
        try list.split(separator: ",").map { text in
            guard let name = AttributionMethodName(parsing: String(text)) else {
                throw ValidationError("unknown method \(text) (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return name
        }
    }
}
