import Foundation

/// Cores available to this process (Foundation's count, which honours CPU affinity on Linux).
enum ProcessInfoCores {
    static var available: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
