import CTorch

extension Tensor {
    // MARK: - Unary

    func unary(_ op: ct_unary_op, _ name: String) throws -> Tensor {
        try Tensor.make(name) { ct_tensor_unary(handle, op, $0) }
    }

    public func negated() throws -> Tensor { try unary(CT_NEG, "neg") }
    public func exp() throws -> Tensor { try unary(CT_EXP, "exp") }
    public func log() throws -> Tensor { try unary(CT_LOG, "log") }
    public func sqrt() throws -> Tensor { try unary(CT_SQRT, "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(CT_RSQRT, "rsqrt") }
    public func abs() throws -> Tensor { try unary(CT_ABS, "abs") }
    public func sign() throws -> Tensor { try unary(CT_SIGN, "sign") }
    public func floor() throws -> Tensor { try unary(CT_FLOOR, "floor") }
    public func ceil() throws -> Tensor { try unary(CT_CEIL, "ceil") }
    public func rounded() throws -> Tensor { try unary(CT_ROUND, "round") }
    public func sigmoid() throws -> Tensor { try unary(CT_SIGMOID, "sigmoid") }
    public func tanh() throws -> Tensor { try unary(CT_TANH, "tanh") }
    public func relu() throws -> Tensor { try unary(CT_RELU, "relu") }
    public func square() throws -> Tensor { try unary(CT_SQUARE, "square") }
    public func sin() throws -> Tensor { try unary(CT_SIN, "sin") }
    public func cos() throws -> Tensor { try unary(CT_COS, "cos") }
    public func log1p() throws -> Tensor { try unary(CT_LOG1P, "log1p") }
    public func expm1() throws -> Tensor { try unary(CT_EXPM1, "expm1") }
    public func reciprocal() throws -> Tensor { try unary(CT_RECIPROCAL, "reciprocal") }
    public func erf() throws -> Tensor { try unary(CT_ERF, "erf") }
    public func logicalNot() throws -> Tensor { try unary(CT_LOGICAL_NOT, "logical_not") }
    public func isNaN() throws -> Tensor { try unary(CT_ISNAN, "isnan") }
    public func isInfinite() throws -> Tensor { try unary(CT_ISINF, "isinf") }
    public func isFinite() throws -> Tensor { try unary(CT_ISFINITE, "isfinite") }

    // MARK: - Binary (broadcasting)

    func binary(_ other: Tensor, _ op: ct_binary_op, _ name: String) throws -> Tensor {
        try Tensor.make("\(name) \(shape) with \(other.shape)") { ct_tensor_binary(handle, other.handle, op, $0) }
    }

    func binary(_ other: Double, _ op: ct_binary_op, _ name: String) throws -> Tensor {
        try Tensor.make(name) { ct_tensor_binary_scalar(handle, other, op, $0) }
    }

    public func adding(_ other: Tensor) throws -> Tensor { try binary(other, CT_ADD, "add") }
    public func subtracting(_ other: Tensor) throws -> Tensor { try binary(other, CT_SUB, "sub") }
    public func multiplying(_ other: Tensor) throws -> Tensor { try binary(other, CT_MUL, "mul") }
    public func dividing(_ other: Tensor) throws -> Tensor { try binary(other, CT_DIV, "div") }
    public func pow(_ other: Tensor) throws -> Tensor { try binary(other, CT_POW, "pow") }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(other, CT_MAXIMUM, "maximum") }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(other, CT_MINIMUM, "minimum") }
    public func remainder(_ other: Tensor) throws -> Tensor { try binary(other, CT_REMAINDER, "remainder") }
    public func atan2(_ other: Tensor) throws -> Tensor { try binary(other, CT_ATAN2, "atan2") }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binary(other, CT_LOGICAL_AND, "logical_and") }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binary(other, CT_LOGICAL_OR, "logical_or") }
    public func logicalXor(_ other: Tensor) throws -> Tensor { try binary(other, CT_LOGICAL_XOR, "logical_xor") }

    public func adding(_ other: Double) throws -> Tensor { try binary(other, CT_ADD, "add") }
    public func subtracting(_ other: Double) throws -> Tensor { try binary(other, CT_SUB, "sub") }
    public func multiplying(_ other: Double) throws -> Tensor { try binary(other, CT_MUL, "mul") }
    public func dividing(_ other: Double) throws -> Tensor { try binary(other, CT_DIV, "div") }
    public func pow(_ exponent: Double) throws -> Tensor { try binary(exponent, CT_POW, "pow") }
    public func maximum(_ other: Double) throws -> Tensor { try binary(other, CT_MAXIMUM, "maximum") }
    public func minimum(_ other: Double) throws -> Tensor { try binary(other, CT_MINIMUM, "minimum") }
    public func remainder(_ other: Double) throws -> Tensor { try binary(other, CT_REMAINDER, "remainder") }

    // MARK: - Comparisons (bool tensors)

    public func eq(_ other: Tensor) throws -> Tensor { try binary(other, CT_EQ, "eq") }
    public func ne(_ other: Tensor) throws -> Tensor { try binary(other, CT_NE, "ne") }
    public func lt(_ other: Tensor) throws -> Tensor { try binary(other, CT_LT, "lt") }
    public func le(_ other: Tensor) throws -> Tensor { try binary(other, CT_LE, "le") }
    public func gt(_ other: Tensor) throws -> Tensor { try binary(other, CT_GT, "gt") }
    public func ge(_ other: Tensor) throws -> Tensor { try binary(other, CT_GE, "ge") }
    public func eq(_ other: Double) throws -> Tensor { try binary(other, CT_EQ, "eq") }
    public func ne(_ other: Double) throws -> Tensor { try binary(other, CT_NE, "ne") }
    public func lt(_ other: Double) throws -> Tensor { try binary(other, CT_LT, "lt") }
    public func le(_ other: Double) throws -> Tensor { try binary(other, CT_LE, "le") }
    public func gt(_ other: Double) throws -> Tensor { try binary(other, CT_GT, "gt") }
    public func ge(_ other: Double) throws -> Tensor { try binary(other, CT_GE, "ge") }

    // MARK: - Selection and clamping

    /// `condition ? a : b`, element-wise with broadcasting.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try make("where") { ct_tensor_where(condition.handle, a.handle, b.handle, $0) }
    }

    /// Clamps to [min, max]; a nil bound is open.
    public func clamped(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try Tensor.make("clamp") { ct_tensor_clamp(handle, min ?? .nan, max ?? .nan, $0) }
    }

    public func leakyReLU(slope: Double = 0.01) throws -> Tensor {
        try Tensor.make("leaky_relu") { ct_tensor_leaky_relu(handle, slope, $0) }
    }

    /// `self + weight · (end − self)`.
    public func lerp(to end: Tensor, weight: Double) throws -> Tensor {
        try Tensor.make("lerp") { ct_tensor_lerp(handle, end.handle, weight, $0) }
    }

    public func matmul(_ other: Tensor) throws -> Tensor {
        try Tensor.make("matmul \(shape) × \(other.shape)") { ct_tensor_matmul(handle, other.handle, $0) }
    }

    // MARK: - In place (optimizers; no autograd history)

    /// `self += alpha · other`.
    public func addInPlace(_ other: Tensor, alpha: Double = 1) throws {
        try check(ct_tensor_add_(handle, other.handle, alpha), "add_")
    }

    public func addInPlace(_ value: Double) throws {
        try check(ct_tensor_add_scalar_(handle, value), "add_")
    }

    public func multiplyInPlace(_ value: Double) throws {
        try check(ct_tensor_mul_scalar_(handle, value), "mul_")
    }

    /// `self += value · a · b`.
    public func addcmulInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try check(ct_tensor_addcmul_(handle, a.handle, b.handle, value), "addcmul_")
    }

    /// `self += value · a / b`.
    public func addcdivInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try check(ct_tensor_addcdiv_(handle, a.handle, b.handle, value), "addcdiv_")
    }

    public func clampInPlace(min: Double? = nil, max: Double? = nil) throws {
        try check(ct_tensor_clamp_(handle, min ?? .nan, max ?? .nan), "clamp_")
    }
}

// MARK: - Operators (trap with libtorch's message; use the methods to recover from errors)

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { trapping { try a.adding(b) } }
    public static func - (a: Tensor, b: Tensor) -> Tensor { trapping { try a.subtracting(b) } }
    public static func * (a: Tensor, b: Tensor) -> Tensor { trapping { try a.multiplying(b) } }
    public static func / (a: Tensor, b: Tensor) -> Tensor { trapping { try a.dividing(b) } }
    public static prefix func - (a: Tensor) -> Tensor { trapping { try a.negated() } }

    public static func + (a: Tensor, b: Double) -> Tensor { trapping { try a.adding(b) } }
    public static func - (a: Tensor, b: Double) -> Tensor { trapping { try a.subtracting(b) } }
    public static func * (a: Tensor, b: Double) -> Tensor { trapping { try a.multiplying(b) } }
    public static func / (a: Tensor, b: Double) -> Tensor { trapping { try a.dividing(b) } }
    public static func + (a: Double, b: Tensor) -> Tensor { trapping { try b.adding(a) } }
    public static func * (a: Double, b: Tensor) -> Tensor { trapping { try b.multiplying(a) } }
    public static func - (a: Double, b: Tensor) -> Tensor {
        trapping { try Tensor.make("rsub") { ct_tensor_scalar_binary(a, b.handle, CT_SUB, $0) } }
    }
    public static func / (a: Double, b: Tensor) -> Tensor {
        trapping { try Tensor.make("rdiv") { ct_tensor_scalar_binary(a, b.handle, CT_DIV, $0) } }
    }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { trapping { try a.eq(b) } }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { trapping { try a.ne(b) } }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { trapping { try a.lt(b) } }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { trapping { try a.le(b) } }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { trapping { try a.gt(b) } }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { trapping { try a.ge(b) } }
    public static func .== (a: Tensor, b: Double) -> Tensor { trapping { try a.eq(b) } }
    public static func .!= (a: Tensor, b: Double) -> Tensor { trapping { try a.ne(b) } }
    public static func .< (a: Tensor, b: Double) -> Tensor { trapping { try a.lt(b) } }
    public static func .<= (a: Tensor, b: Double) -> Tensor { trapping { try a.le(b) } }
    public static func .> (a: Tensor, b: Double) -> Tensor { trapping { try a.gt(b) } }
    public static func .>= (a: Tensor, b: Double) -> Tensor { trapping { try a.ge(b) } }
}
