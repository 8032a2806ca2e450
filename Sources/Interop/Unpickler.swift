import Foundation
import Torch

/// A restricted unpickler for checkpoint pickles (protocol 2 as `torch.save` writes it; the protocol 3–5 opcodes
/// a state dict can contain are read too).
///
/// It never executes anything: GLOBAL and STACK_GLOBAL are checked against `PickleGlobal`'s allow-list (any
/// other name is refused with `InteropError.forbiddenGlobal`), and REDUCE, NEWOBJ and BUILD only interpret the
/// allowed callables. The stack, the mark stack, the memo, string and integer lengths, the nesting depth of the
/// result and its total size are bounded, so a hostile pickle ends in an `InteropError`, never in a crash or an
/// unbounded allocation.
struct Unpickler {
    struct Limits {
        var stack = 1 << 20
        var memo = 1 << 20
        var depth = 100
        /// Values produced when the result is converted to `PickleValue` (shared references count each time).
        var values = 1 << 22
        var integerBytes = 1 << 12
    }

    let source: String
    let bytes: Data
    var limits = Limits()
    /// Rebuilds a tensor from a storage reference and `(offset, size, stride)`.
    let rebuildTensor: (StorageReference, Int, [Int], [Int]) throws -> Tensor

    init(bytes: Data, source: String, rebuildTensor: @escaping (StorageReference, Int, [Int], [Int]) throws -> Tensor) {
        self.bytes = bytes
        self.source = source
        self.rebuildTensor = rebuildTensor
    }

    /// Runs the pickle to its STOP and returns the value it leaves.
    func load() throws -> PickleValue {
        let machine = Machine(self)
        defer { machine.tearDown() }
        let result = try machine.run()
        var budget = limits.values
        return try machine.convert(result, depth: 0, budget: &budget)
    }
}

/// A persistent id `('storage', storage class, key, location, numel)` after validation.
struct StorageReference: Equatable {
    var dtype: DType
    var key: String
    var location: String
    var numel: Int
}

/// A mutable Python container while unpickling (lists and dicts are shared through the memo and changed in place).
final class PyBox {
    enum Kind { case list, tuple, dict, set, object(String) }
    var kind: Kind
    var items: [PyObject]
    var values: [PyObject] = []
    var keyIndex: [String: Int] = [:]
    init(_ kind: Kind, _ items: [PyObject] = []) {
        self.kind = kind
        self.items = items
    }
}

enum PyObject {
    case none, bool(Bool), int(Int), bigInt([UInt8]), float(Double), string(String), bytes([UInt8])
    case box(PyBox)
    case tensor(Tensor)
    case global(PickleGlobal, String)
    case storage(StorageReference)
    case numpyDtype(String)
}

private final class Machine {
    let u: Unpickler
    var position = 0
    var stack: [PyObject] = []
    var marks: [Int] = []
    var memo: [UInt32: PyObject] = [:]
    /// Every container made, so that `tearDown` can empty them one by one: releasing a deeply nested (or cyclic)
    /// structure recursively could exhaust the thread's stack.
    var boxes: [PyBox] = []

    init(_ unpickler: Unpickler) { u = unpickler }

    func fail(_ problem: String) -> InteropError { .malformedPickle(file: u.source, problem: problem) }

    func tearDown() {
        for box in boxes {
            box.items.removeAll()
            box.values.removeAll()
        }
        stack.removeAll()
        memo.removeAll()
        boxes.removeAll()
    }

    // MARK: reading bytes

    func take(_ count: Int) throws -> Data {
        guard count >= 0, count <= u.bytes.count - position else {
            throw fail("opcode at offset \(position) needs \(count) bytes, only \(u.bytes.count - position) remain")
        }
        let start = u.bytes.startIndex + position
        position += count
        return u.bytes[start..<(start + count)]
    }

    func byte() throws -> UInt8 { try take(1).first! }

    func unsigned(_ count: Int) throws -> UInt64 {
        try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    func line() throws -> String {
        let start = position
        let end = min(u.bytes.count, position + 256)
        var index = position
        while index < end, u.bytes[u.bytes.startIndex + index] != 0x0A { index += 1 }
        guard index < end else { throw fail("unterminated text argument at offset \(start)") }
        let text = u.bytes[(u.bytes.startIndex + start)..<(u.bytes.startIndex + index)]
        position = index + 1
        guard let string = String(data: text, encoding: .utf8) else { throw fail("text argument at offset \(start) is not UTF-8") }
        return string
    }

    func length(_ raw: UInt64) throws -> Int {
        guard raw <= UInt64(u.bytes.count - position) else {
            throw fail("length \(raw) at offset \(position) runs past the end of the \(u.bytes.count)-byte pickle")
        }
        return Int(raw)
    }

    func utf8(_ count: Int) throws -> String {
        let at = position
        guard let string = String(data: try take(count), encoding: .utf8) else { throw fail("string at offset \(at) is not UTF-8") }
        return string
    }

    // MARK: stack

    func push(_ object: PyObject) throws {
        guard stack.count < u.limits.stack else { throw fail("stack exceeds \(u.limits.stack) entries") }
        stack.append(object)
    }

    func pop() throws -> PyObject {
        guard let last = stack.popLast() else { throw fail("stack underflow at offset \(position)") }
        if let mark = marks.last, stack.count < mark { throw fail("stack popped below its mark at offset \(position)") }
        return last
    }

    func popMark() throws -> [PyObject] {
        guard let mark = marks.popLast() else { throw fail("no MARK for the opcode at offset \(position - 1)") }
        guard mark <= stack.count else { throw fail("mark beyond the stack at offset \(position - 1)") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    func top() throws -> PyObject {
        guard let last = stack.last else { throw fail("stack underflow at offset \(position)") }
        return last
    }

    func box(_ kind: PyBox.Kind, _ items: [PyObject] = []) -> PyObject {
        let b = PyBox(kind, items)
        boxes.append(b)
        return .box(b)
    }

    func memoize(_ index: UInt32) throws {
        guard memo.count < u.limits.memo || memo[index] != nil else { throw fail("memo exceeds \(u.limits.memo) entries") }
        memo[index] = try top()
    }

    func recall(_ index: UInt32) throws {
        guard let object = memo[index] else { throw fail("memo index \(index) read at offset \(position) was never stored") }
        try push(object)
    }

    // MARK: containers

    func setItem(_ dict: PyBox, _ key: PyObject, _ value: PyObject) {
        let hashKey: String? = switch key {
        case .string(let s): "s" + s
        case .int(let i): "i\(i)"
        default: nil
        }
        if let hashKey, let existing = dict.keyIndex[hashKey] {
            dict.values[existing] = value
            return
        }
        if let hashKey { dict.keyIndex[hashKey] = dict.items.count }
        dict.items.append(key)
        dict.values.append(value)
    }

    func targetBox(below count: Int, _ opcode: String) throws -> PyBox {
        guard stack.count > count, case .box(let b) = stack[stack.count - 1 - count] else {
            throw fail("\(opcode) at offset \(position - 1) needs a container under its arguments")
        }
        return b
    }

    // MARK: the loop

    func run() throws -> PyObject {
        while true {
            let at = position
            let opcode = try byte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try byte()
                guard (2...5).contains(version) else { throw fail("pickle protocol \(version); checkpoints use 2 to 5") }
            case 0x95: _ = try take(8)  // FRAME: a hint only
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1 else { throw fail("STOP with \(stack.count) values and \(marks.count) marks left") }
                return stack[0]
            case 0x28:  // MARK
                guard marks.count < u.limits.stack else { throw fail("more than \(u.limits.stack) marks") }
                marks.append(stack.count)
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: try push(try top())  // DUP
            case 0x4E: try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case 0x4A: try push(.int(Int(Int32(bitPattern: UInt32(try unsigned(4))))))  // BININT
            case 0x4B: try push(.int(Int(try byte())))  // BININT1
            case 0x4D: try push(.int(Int(try unsigned(2))))  // BININT2
            case 0x8A: try push(try long(Int(try byte())))  // LONG1
            case 0x8B:  // LONG4
                let n = Int32(bitPattern: UInt32(try unsigned(4)))
                guard n >= 0, Int(n) <= u.limits.integerBytes else { throw fail("LONG4 of \(n) bytes at offset \(at)") }
                try push(try long(Int(n)))
            case 0x47: try push(.float(Double(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))  // BINFLOAT (big-endian)
            case 0x58: try push(.string(try utf8(try length(try unsigned(4)))))  // BINUNICODE
            case 0x8C: try push(.string(try utf8(Int(try byte()))))  // SHORT_BINUNICODE
            case 0x8D: try push(.string(try utf8(try length(try unsigned(8)))))  // BINUNICODE8
            case 0x42: try push(.bytes(Array(try take(try length(try unsigned(4))))))  // BINBYTES
            case 0x43: try push(.bytes(Array(try take(Int(try byte())))))  // SHORT_BINBYTES
            case 0x8E: try push(.bytes(Array(try take(try length(try unsigned(8))))))  // BINBYTES8
            case 0x55: try push(.bytes(Array(try take(Int(try byte())))))  // SHORT_BINSTRING (Python 2 str)
            case 0x54:  // BINSTRING
                let n = Int32(bitPattern: UInt32(try unsigned(4)))
                guard n >= 0 else { throw fail("negative BINSTRING length at offset \(at)") }
                try push(.bytes(Array(try take(try length(UInt64(n))))))
            case 0x7D: try push(box(.dict))  // EMPTY_DICT
            case 0x5D: try push(box(.list))  // EMPTY_LIST
            case 0x29: try push(box(.tuple))  // EMPTY_TUPLE
            case 0x8F: try push(box(.set))  // EMPTY_SET
            case 0x85, 0x86, 0x87:  // TUPLE1-3
                let n = Int(opcode - 0x84)
                guard stack.count >= n + (marks.last ?? 0) else { throw fail("TUPLE\(n) at offset \(at) with too few values") }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                try push(box(.tuple, items))
            case 0x74: try push(box(.tuple, try popMark()))  // TUPLE
            case 0x6C: try push(box(.list, try popMark()))  // LIST
            case 0x91: try push(box(.set, try popMark()))  // FROZENSET
            case 0x64:  // DICT
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("DICT at offset \(at) with an odd number of values") }
                let dict = PyBox(.dict)
                boxes.append(dict)
                for i in stride(from: 0, to: items.count, by: 2) { setItem(dict, items[i], items[i + 1]) }
                try push(.box(dict))
            case 0x61:  // APPEND
                let value = try pop()
                let list = try targetBox(below: 0, "APPEND")
                guard case .list = list.kind else { throw fail("APPEND at offset \(at) to a non-list") }
                list.items.append(value)
            case 0x65, 0x90:  // APPENDS, ADDITEMS
                let items = try popMark()
                let target = try targetBox(below: 0, opcode == 0x65 ? "APPENDS" : "ADDITEMS")
                switch target.kind {
                case .list where opcode == 0x65, .set where opcode == 0x90: target.items.append(contentsOf: items)
                default: throw fail("\(opcode == 0x65 ? "APPENDS" : "ADDITEMS") at offset \(at) to the wrong container")
                }
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                let dict = try targetBox(below: 0, "SETITEM")
                guard case .dict = dict.kind else { throw fail("SETITEM at offset \(at) on a non-dict") }
                setItem(dict, key, value)
            case 0x75:  // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("SETITEMS at offset \(at) with an odd number of values") }
                let dict = try targetBox(below: 0, "SETITEMS")
                guard case .dict = dict.kind else { throw fail("SETITEMS at offset \(at) on a non-dict") }
                for i in stride(from: 0, to: items.count, by: 2) { setItem(dict, items[i], items[i + 1]) }
            case 0x71: try memoize(UInt32(try byte()))  // BINPUT
            case 0x72: try memoize(UInt32(try unsigned(4)))  // LONG_BINPUT
            case 0x94: try memoize(UInt32(truncatingIfNeeded: memo.count))  // MEMOIZE
            case 0x68: try recall(UInt32(try byte()))  // BINGET
            case 0x6A: try recall(UInt32(try unsigned(4)))  // LONG_BINGET
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                try push(try global(module, name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let n) = name, case .string(let m) = module else { throw fail("STACK_GLOBAL at offset \(at) without two strings") }
                try push(try global(m, n))
            case 0x51:  // BINPERSID
                try push(try persistent(try pop()))
            case 0x52:  // REDUCE
                let args = try pop(), callable = try pop()
                try push(try call(callable, args))
            case 0x81:  // NEWOBJ
                let args = try pop(), cls = try pop()
                try push(try call(cls, args))
            case 0x62:  // BUILD
                let state = try pop()
                let object = try pop()
                try push(try build(object, state))
            default:
                throw fail(String(format: "opcode 0x%02X at offset %d is not supported in a checkpoint", opcode, at))
            }
        }
    }

    func long(_ count: Int) throws -> PyObject {
        guard count <= u.limits.integerBytes else { throw fail("integer of \(count) bytes") }
        let data = Array(try take(count))
        if count == 0 { return .int(0) }
        guard count <= 8 else { return .bigInt(data) }
        var value = data.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if data.last! & 0x80 != 0, count < 8 { value |= ~UInt64(0) << UInt64(8 * count) }  // sign-extend
        return .int(Int(Int64(bitPattern: value)))
    }

    func global(_ module: String, _ name: String) throws -> PyObject {
        guard let allowed = PickleGlobal(module: module, name: name) else {
            throw InteropError.forbiddenGlobal(file: u.source, name: "\(module).\(name)")
        }
        return .global(allowed, "\(module).\(name)")
    }

    func tupleItems(_ object: PyObject, _ what: String) throws -> [PyObject] {
        guard case .box(let b) = object, case .tuple = b.kind else { throw fail("\(what) needs a tuple") }
        return b.items
    }

    func persistent(_ id: PyObject) throws -> PyObject {
        let items = try tupleItems(id, "persistent id")
        guard items.count == 5, case .string("storage") = items[0], case .global(.storageClass(let cls), _) = items[1],
              case .string(let key) = items[2], case .string(let location) = items[3], case .int(let numel) = items[4], numel >= 0,
              let dtype = StorageClass.dtype(of: cls)
        else { throw fail("persistent id is not ('storage', torch.<Type>Storage, key, location, numel)") }
        return .storage(StorageReference(dtype: dtype, key: key, location: location, numel: numel))
    }

    func intTuple(_ object: PyObject, _ what: String) throws -> [Int] {
        let items = try tupleItems(object, what)
        return try items.map {
            guard case .int(let i) = $0 else { throw fail("\(what) holds a non-integer") }
            return i
        }
    }

    func call(_ callable: PyObject, _ arguments: PyObject) throws -> PyObject {
        guard case .global(let g, let name) = callable else { throw fail("REDUCE at offset \(position - 1) on something that is not an allowed callable") }
        let args = try tupleItems(arguments, "arguments of \(name)")
        switch g {
        case .orderedDict:
            let dict = PyBox(.dict)
            boxes.append(dict)
            if let first = args.first {
                guard case .box(let pairs) = first, case .list = pairs.kind else { throw fail("OrderedDict argument is not a list") }
                for pair in pairs.items {
                    let kv = try tupleItems(pair, "OrderedDict item")
                    guard kv.count == 2 else { throw fail("OrderedDict item is not a pair") }
                    setItem(dict, kv[0], kv[1])
                }
            }
            return .box(dict)
        case .rebuildTensor:
            guard args.count == 6 || args.count == 7, case .storage(let storage) = args[0], case .int(let offset) = args[1] else {
                throw fail("_rebuild_tensor_v2 needs (storage, offset, size, stride, requires_grad, hooks)")
            }
            return .tensor(try u.rebuildTensor(storage, offset, try intTuple(args[2], "tensor size"), try intTuple(args[3], "tensor stride")))
        case .rebuildParameter, .rebuildParameterWithState:
            guard args.count >= 2, case .tensor(let t) = args[0] else { throw fail("\(name) needs a tensor") }
            return .tensor(t)
        case .set, .frozenset:
            guard args.count <= 1 else { throw fail("\(name) takes one argument") }
            guard let first = args.first else { return box(.set) }
            guard case .box(let b) = first else { throw fail("\(name) argument is not a container") }
            return box(.set, b.items)
        case .codecsEncode:
            guard args.count == 2, case .string(let text) = args[0], case .string(let encoding) = args[1],
                  ["latin1", "latin-1", "iso-8859-1"].contains(encoding.lowercased()) else {
                throw fail("_codecs.encode is allowed only for (text, 'latin1')")
            }
            var out: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw fail("_codecs.encode text is not latin-1") }
                out.append(UInt8(scalar.value))
            }
            return .bytes(out)
        case .numpyDtype:
            guard let first = args.first, case .string(let code) = first else { throw fail("numpy.dtype needs a type code") }
            return .numpyDtype(code)
        case .numpyScalar:
            guard args.count == 2, case .numpyDtype(let code) = args[0], case .bytes(let data) = args[1] else {
                throw fail("numpy scalar needs (dtype, bytes)")
            }
            return NumpyScalar.value(code: code, bytes: data) ?? box(.object("numpy.scalar"), [.string(code), .bytes(data)])
        case .torchSize:
            guard let first = args.first, case .box(let b) = first else { throw fail("torch.Size needs a tuple") }
            return box(.tuple, b.items)
        case .opaque(let className):
            return box(.object(className), args)
        case .storageClass:
            throw fail("\(name) is a storage class, not a callable")
        }
    }

    func build(_ object: PyObject, _ state: PyObject) throws -> PyObject {
        switch object {
        case .box(let b):
            // OrderedDict's state is its attributes (a state dict's `_metadata`): not needed.
            switch b.kind {
            case .dict, .object: return object
            default: throw fail("BUILD on a \(b.kind)")
            }
        case .numpyDtype(let code):
            // State (version, byte order, …): keep the byte order with the code.
            if case .box(let s) = state, s.items.count > 1, case .string(let order) = s.items[1], order == ">" || order == "<" {
                return .numpyDtype(order + code.trimmingCharacters(in: CharacterSet(charactersIn: "<>=|")))
            }
            return object
        case .tensor:
            return object
        default:
            throw fail("BUILD at offset \(position - 1) on a value that takes no state")
        }
    }

    // MARK: conversion

    func convert(_ object: PyObject, depth: Int, budget: inout Int) throws -> PickleValue {
        guard depth < u.limits.depth else { throw fail("structure nested deeper than \(u.limits.depth) levels") }
        budget -= 1
        guard budget >= 0 else { throw fail("more than \(u.limits.values) values (shared references expanded)") }
        switch object {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .bigInt(let b): return .bigInt(b)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .tensor(let t): return .tensor(t)
        case .global(_, let name): return .object(name, [])
        case .storage(let s): return .object("torch.\(StorageClass.name(of: s.dtype))", [.string(s.key)])
        case .numpyDtype(let code): return .object("numpy.dtype", [.string(code)])
        case .box(let b):
            let items = try b.items.map { try convert($0, depth: depth + 1, budget: &budget) }
            switch b.kind {
            case .list: return .list(items)
            case .tuple: return .tuple(items)
            case .set: return .set(items)
            case .object(let name): return .object(name, items)
            case .dict:
                let values = try b.values.map { try convert($0, depth: depth + 1, budget: &budget) }
                return .dict(Array(zip(items, values).map { (key: $0.0, value: $0.1) }))
            }
        }
    }
}

/// numpy scalars as nnU-Net stores them (`numpy.core.multiarray.scalar(dtype, raw bytes)`).
enum NumpyScalar {
    /// The value of a scalar of type code `code` (e.g. `<f8`, `i8`, `b1`), or nil for types not interpreted.
    static func value(code: String, bytes: [UInt8]) -> PyObject? {
        let bigEndian = code.hasPrefix(">")
        let kind = code.trimmingCharacters(in: CharacterSet(charactersIn: "<>=|"))
        guard let width = Int(kind.dropFirst()), width == bytes.count, [1, 2, 4, 8].contains(width) else { return nil }
        let ordered = bigEndian ? bytes : bytes.reversed()
        let raw = ordered.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch kind.first {
        case "f" where width == 8: return .float(Double(bitPattern: raw))
        case "f" where width == 4: return .float(Double(Float(bitPattern: UInt32(raw))))
        case "i":
            let shift = UInt64(64 - 8 * width)
            return .int(Int(Int64(bitPattern: raw << shift) >> Int64(shift)))
        case "u":
            guard raw <= UInt64(Int.max) else { return .bigInt((bigEndian ? bytes.reversed() : bytes) + [0]) }
            return .int(Int(raw))
        case "b" where width == 1: return .bool(raw != 0)
        default: return nil
        }
    }
}
