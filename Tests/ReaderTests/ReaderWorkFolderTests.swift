import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Reader
import Testing
import TestSupport

@Suite struct ReaderWorkFolderTests {
    static func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) & 0o777
    }

    /// A process id that no process has any more.
    static func finishedProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func freshFoldersArePrivateAndRecordTheirOwner() throws {
        let parent = try TemporaryDirectory("neoich-workfolder-test")
        let a = try WorkFolder.create(in: parent.url), b = try WorkFolder.create(in: parent.url)
        #expect(a != b)
        #expect(a.lastPathComponent.hasPrefix("neoich-reader-") && a.lastPathComponent.count == "neoich-reader-".count + 6)
        #expect(!a.lastPathComponent.hasSuffix("\(getpid())"))
        #expect(try Self.mode(a) == 0o700)
        let owner = a.appendingPathComponent(WorkFolder.ownerFileName)
        #expect(try Self.mode(owner) == 0o600)
        #expect(try String(contentsOf: owner, encoding: .utf8) == "\(getpid())\n")
    }

    /// At start, folders of readers that are gone are removed; running readers', unrecognisable and
    /// unrelated folders stay.
    @Test func staleFoldersAreSweptAtStart() throws {
        let parent = try TemporaryDirectory("neoich-workfolder-test")
        let dead = try Self.finishedProcessID()
        #expect(!WorkFolder.isRunning(dead))
        #expect(WorkFolder.isRunning(getpid()))
        let crashed = try WorkFolder.create(in: parent.url)
        try Data("\(dead)\n".utf8).write(to: crashed.appendingPathComponent(WorkFolder.ownerFileName))
        try Data("scan".utf8).write(to: crashed.appendingPathComponent("upload.nii"))
        let legacy = parent.file("neoich-reader-\(dead)")
        let alive = try WorkFolder.create(in: parent.url)
        let anonymous = parent.file("neoich-reader-abcdef")
        let unrelated = parent.file("other-\(dead)")
        for folder in [legacy, anonymous, unrelated] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let removed = WorkFolder.sweepStale(in: parent.url)
        #expect(Set(removed.map(\.lastPathComponent)) == [crashed.lastPathComponent, legacy.lastPathComponent])
        for folder in [crashed, legacy] { #expect(!FileManager.default.fileExists(atPath: folder.path)) }
        for folder in [alive, anonymous, unrelated] { #expect(FileManager.default.fileExists(atPath: folder.path)) }
    }

    /// Results of a case are readable by the reader's user only.
    @Test func resultsArePrivate() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz")
            let id = try client.decode(JobStatus.self, response).id
            #expect(try await client.waitForJob(id).state == .done)
            let folder = fixture.directory.file("work").appendingPathComponent(id)
            #expect(try Self.mode(fixture.directory.file("work")) == 0o700)
            #expect(try Self.mode(folder) & 0o077 == 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(files.contains("report.json"))
            for name in files { #expect(try Self.mode(folder.appendingPathComponent(name)) & 0o077 == 0, "\(name)") }
        }
    }

    /// Without a configured folder, the reader makes its own private one and removes it on shutdown.
    @Test func ownFolderIsRemovedOnShutdown() async throws {
        let fixture = try ReaderFixture { $0.workFolder = nil }
        let temporary = FileManager.default.temporaryDirectory
        let ours = {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []).filter { name in
                name.hasPrefix(WorkFolder.prefix)
                    && (try? String(contentsOf: temporary.appendingPathComponent(name).appendingPathComponent(WorkFolder.ownerFileName),
                                    encoding: .utf8)) == "\(getpid())\n"
            })
        }
        let before = ours()
        let app = try await buildApplication(configuration: fixture.configuration)
        let created = ours().subtracting(before)
        #expect(created.count == 1)
        let folder = try #require(created.first.map { temporary.appendingPathComponent($0) })
        #expect(try Self.mode(folder) == 0o700)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz")
            let id = try client.decode(JobStatus.self, response).id
            #expect(try await client.waitForJob(id).state == .done)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(id).path))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
