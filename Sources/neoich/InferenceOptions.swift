import ArgumentParser
import Foundation
import NN

/// `--engine`: how the networks run for inference, for every command that segments or classifies.
struct InferenceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Inference engine: fused (the networks compiled into oneDNN graphs: batch norm folded, activations and residual additions fused, blocked layouts; the default), fused-bf16 (the same in bfloat16, only on CPUs with avx512_bf16) or libtorch (operation by operation). Also $NEOICH_ENGINE.",
        valueName: "engine"))
    var engine: String?

    func validate() throws {
        guard let text = engine ?? environmentEngine else { return }
        guard let choice = InferenceEngine(text) else {
            throw ValidationError("--engine must be fused, fused-bf16 or libtorch, got '\(text)'")
        }
        do { try choice.checkAvailable() } catch { throw ValidationError("--engine \(text): \(error)") }
    }

    private var environmentEngine: String? { ProcessInfo.processInfo.environment["NEOICH_ENGINE"] }

    /// Makes the chosen engine the process's default (before any model is loaded); `bfloat16` (`--precision bf16` on
    /// the CPU) turns the fused engine to bfloat16.
    ///
    /// - Throws: `ValidationError` (exit 64) for bfloat16 with `--engine libtorch` or on a CPU without avx512_bf16.
    func apply(bfloat16: Bool = false) throws {
        var choice = (engine ?? environmentEngine).flatMap(InferenceEngine.init)
        if bfloat16 {
            guard choice != .libtorch else {
                throw ValidationError("--precision bf16 on the CPU needs the fused engine, not --engine libtorch")
            }
            choice = .fused(.bfloat16)
            do { try choice?.checkAvailable() } catch { throw ValidationError("--precision bf16 on the CPU: \(error)") }
        }
        InferenceEngine.prefer(choice)
    }
}
