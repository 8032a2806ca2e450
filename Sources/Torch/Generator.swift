import CTorch

/// A seeded random-number generator for libtorch's random ops (rand, randn, dropout, augmentation).
///
/// NeoICH never relies on libtorch's global generator: every random draw takes an explicit `Generator`,
/// so that a seed reproduces a run.
public final class Generator: @unchecked Sendable {
    let handle: OpaquePointer

    public init(seed: UInt64) throws {
        var out: OpaquePointer?
        try check(ct_generator_new(seed, &out), "generator")
        guard let out else { throw TorchError("no generator returned") }
        handle = out
    }

    /// Restarts the sequence from `seed`.
    public func reseed(_ seed: UInt64) throws {
        try check(ct_generator_set_seed(handle, seed), "generator.seed")
    }

    deinit {
        ct_generator_free(handle)
    }
}
