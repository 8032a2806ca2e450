import Foundation

/// An input that a statistical function cannot work with.
///
/// Each case names the argument (`"x"`, `"labels"`, `"table[1][2]"`, …) and what was expected. Functions throw
/// where SciPy / scikit-learn raise an error *and* where they would only warn and return NaN because the input
/// is empty or too small; degenerate but valid input (zero variance, all values tied) returns what the
/// reference library returns, NaN included. Each function's documentation says which.
public enum StatsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The argument has no elements.
    case empty(argument: String)
    /// The argument has fewer elements than the method needs.
    case tooFewObservations(argument: String, count: Int, minimum: Int)
    /// The argument holds a NaN or an infinity (NumPy would propagate it; here it is an input error).
    case nonFinite(argument: String, index: Int)
    /// Two arguments that must pair up element by element differ in length.
    case lengthMismatch(first: String, firstCount: Int, second: String, secondCount: Int)
    /// A parameter outside its domain, with the domain spelled out.
    case outOfDomain(argument: String, value: Double, expected: String)
    /// A contingency table that is ragged, negative or has a zero expected frequency.
    case invalidTable(String)
    /// A two-class method was given labels of only one class.
    case singleClass(argument: String)

    /// A message naming the argument and what was expected.
    public var description: String {
        switch self {
        case .empty(let argument):
            "\(argument) is empty; expected at least one value"
        case .tooFewObservations(let argument, let count, let minimum):
            "\(argument) has \(count) value\(count == 1 ? "" : "s"); expected at least \(minimum)"
        case .nonFinite(let argument, let index):
            "\(argument)[\(index)] is not finite; expected finite numbers only"
        case .lengthMismatch(let first, let firstCount, let second, let secondCount):
            "\(first) has \(firstCount) values but \(second) has \(secondCount); expected equal lengths"
        case .outOfDomain(let argument, let value, let expected):
            "\(argument) = \(value); expected \(expected)"
        case .invalidTable(let reason):
            "invalid contingency table: \(reason)"
        case .singleClass(let argument):
            "\(argument) holds only one class; expected both positive and negative cases"
        }
    }
}

// MARK: - Argument checks shared by the public entry points

extension StatsError {
    /// Throws unless `values` is non-empty, has at least `minimum` elements and is finite.
    static func check(_ values: [Double], _ argument: String, minimum: Int = 1) throws {
        if values.isEmpty { throw StatsError.empty(argument: argument) }
        if values.count < minimum {
            throw StatsError.tooFewObservations(argument: argument, count: values.count, minimum: minimum)
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw StatsError.nonFinite(argument: argument, index: index)
        }
    }

    /// Throws unless the two arguments have the same length.
    package static func checkPaired(_ first: Int, _ firstName: String, _ second: Int, _ secondName: String) throws {
        if first != second {
            throw StatsError.lengthMismatch(first: firstName, firstCount: first, second: secondName, secondCount: second)
        }
    }
}
