import Foundation

/// A tensor as the fixture scripts store it: shape plus row-major values (float64).
public struct TensorData: Codable, Sendable {
    public var shape: [Int]
    public var values: [Double]
}
