/// NIfTI's voxel scaling, `value = slope · stored + intercept`.
struct VoxelScaling: Sendable {
    var slope: Double
    var intercept: Double

    /// A slope of 0 or NaN means "no scaling" (NIfTI-1 standard; nibabel does the same).
    init(slope: Double, intercept: Double) {
        if slope == 0 || !slope.isFinite {
            self.slope = 1
            self.intercept = 0
        } else {
            self.slope = slope
            self.intercept = intercept.isFinite ? intercept : 0
        }
    }

    var isIdentity: Bool { slope == 1 && intercept == 0 }
}

/// Converts raw voxel data of any supported NIfTI datatype into a `VoxelBuffer<T>`, applying scaling and
/// rejecting NaN/Inf and values that `T` cannot hold exactly.
enum VoxelConversion {
    static func convert<T: VoxelScalar>(
        _ data: UnsafeRawPointer, datatype: NIfTIDatatype, count: Int, scaling: VoxelScaling,
        to: T.Type, file: String
    ) throws -> VoxelBuffer<T> {
        switch datatype {
        case .uint8: return try convert(data.bindMemory(to: UInt8.self, capacity: count), count, scaling, file)
        case .int16: return try convert(data.bindMemory(to: Int16.self, capacity: count), count, scaling, file)
        case .int32: return try convert(data.bindMemory(to: Int32.self, capacity: count), count, scaling, file)
        case .float32: return try convert(data.bindMemory(to: Float.self, capacity: count), count, scaling, file)
        case .float64: return try convert(data.bindMemory(to: Double.self, capacity: count), count, scaling, file)
        case .uint16: return try convert(data.bindMemory(to: UInt16.self, capacity: count), count, scaling, file)
        }
    }

    private static func convert<Raw: BinaryNumeric, T: VoxelScalar>(
        _ raw: UnsafePointer<Raw>, _ count: Int, _ scaling: VoxelScaling, _ file: String
    ) throws -> VoxelBuffer<T> {
        let source = UnsafeBufferPointer(start: raw, count: count)
        let buffer = VoxelBuffer<T>(count: count, repeating: .zero)
        var nonFinite = 0
        var firstUnrepresentable: Double?
        for i in 0..<count {
            let value = scaling.slope * source[i].doubleValue + scaling.intercept
            if !value.isFinite {
                nonFinite += 1
                continue
            }
            if let converted = T.exactly(value) {
                buffer.baseAddress[i] = converted
            } else if firstUnrepresentable == nil {
                firstUnrepresentable = value
            }
        }
        if nonFinite > 0 { throw ImagingError.nonFiniteVoxels(file: file, count: nonFinite) }
        if let value = firstUnrepresentable {
            throw ImagingError.valuesNotRepresentable(
                file: file, type: T.voxelType, detail: "e.g. \(value) (after scl_slope \(scaling.slope), scl_inter \(scaling.intercept))")
        }
        return buffer
    }
}

/// Raw NIfTI element types, read as `Double`.
protocol BinaryNumeric {
    var doubleValue: Double { get }
}

extension UInt8: BinaryNumeric {}
extension Int16: BinaryNumeric {}
extension Float: BinaryNumeric {}
extension UInt16: BinaryNumeric {
    var doubleValue: Double { Double(self) }
}
extension Int32: BinaryNumeric {
    var doubleValue: Double { Double(self) }
}
extension Double: BinaryNumeric {
    var doubleValue: Double { self }
}
