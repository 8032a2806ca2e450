import ArgumentParser
import Classification
import DICOM
import Explain
import Foundation
import Imaging
import Interop
import NN
import PACS
import Phantom
import Pipeline
import Segmentation
import Stats
import Study

/// The exit statuses of `neoich` (sysexits.h where one fits):
///
/// | status | meaning |
/// |---|---|
/// | 0 | done |
/// | 1 | a runtime failure (engine, no CUDA for --device cuda, network, disk), or some cases of a cohort failed (each listed) |
/// | 64 | usage error: unknown option, missing or contradictory arguments; the usage text is printed |
/// | 65 | data error: an input file cannot be read or makes no sense (the message names the file) |
enum ExitStatus {
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65

    /// Whether `error` is about the data a command was given rather than how it was called or the machine.
    static func isDataError(_ error: any Error) -> Bool {
        switch error {
        case is ImagingError, is SegmentationError, is ClassificationError, is ExplainError, is CohortStudyError,
             is InteropError, is DICOMError, is PipelineError, is PhantomError, is SafeTensorsError, is ModuleError,
             is StatsError, is DataError, is ShardError:
            true
        case let error as JSONFileError:
            error.kind != .write
        case let error as PACSError:
            // A credentials or state file that cannot be used is the input's fault; a server that does not
            // answer as expected is a runtime failure.
            switch error {
            case .credentials, .state: true
            default: false
            }
        default:
            false
        }
    }
}

/// An input that cannot be used, found by the command line itself (e.g. a cohort without cases).
struct DataError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A failure at run time that is neither the input's nor the call's fault (e.g. the server stopped).
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension NeoICH {
    /// Parses, runs and exits with `ExitStatus`: usage errors through swift-argument-parser (64 and the usage
    /// text), data errors with 65 and their message alone, other failures with 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            guard ExitStatus.isDataError(error) else { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(ExitStatus.dataError)
        }
    }
}
