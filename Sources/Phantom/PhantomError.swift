/// What can go wrong when synthesising or measuring a phantom cohort.
public enum PhantomError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A configuration value outside its domain.
    case invalidConfiguration(field: String, value: String, expected: String)
    /// An unknown centre name.
    case unknownCentre(String, known: [String])
    /// A dataset that cannot be measured (missing cohort.csv, labels, unknown class…).
    case invalidDataset(file: String, detail: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let value, let expected):
            "phantom configuration: \(field) = \(value); expected \(expected)"
        case .unknownCentre(let name, let known):
            "unknown centre \"\(name)\"; known centres: \(known.joined(separator: ", "))"
        case .invalidDataset(let file, let detail):
            "\(file): \(detail)"
        }
    }
}
