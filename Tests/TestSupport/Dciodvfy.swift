import Foundation

/// dicom3tools' `dciodvfy`, the DICOM object validator the DICOM tests hold every written object to.
public enum Dciodvfy {
    public static let executable = URL(fileURLWithPath: "/usr/bin/dciodvfy")

    /// Whether it is installed (`scripts/install-deps` installs Debian's dicom3tools).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    /// Why a test that needs it is skipped.
    public static let missing = "needs dciodvfy (Debian package dicom3tools; scripts/install-deps)"

    /// Validates `file`: its "Error" lines and the whole output (which names the object's IOD).
    public static func check(_ file: URL) throws -> (errors: [String], output: String) {
        let run = try ChildProcess.run(executable, [file.path])
        let output = run.standardOutput + run.standardError
        return (output.split(separator: "\n").filter { $0.hasPrefix("Error") }.map(String.init), output)
    }
}
