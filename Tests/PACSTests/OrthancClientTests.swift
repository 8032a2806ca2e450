import Foundation
@testable import PACS
import Testing
import TestSupport

/// The client's behaviour without a server: an unreachable Orthanc is retried with back-off and then
/// reported by address; bad addresses and credentials files are refused with the file or value named.
struct OrthancClientTests {
    @Test func unreachableServerIsRetriedThenReported() throws {
        let port = try OrthancServer.freePort()
        let lines = LogLines()
        let client = try OrthancClient(server: "http://127.0.0.1:\(port)",
                                       retry: RetryPolicy(attempts: 3, initialDelaySeconds: 0.05), timeoutSeconds: 5,
                                       log: { lines.append($0) })
        let start = Date()
        #expect {
            _ = try client.changes(since: 0)
        } throws: { error in
            guard let error = error as? PACSError, case .unreachable(let url, _, let attempts) = error else { return false }
            return url.contains("127.0.0.1:\(port)/changes") && attempts == 3 && error.isTransient
                && error.description.contains("3 attempts")
        }
        // Two pauses, 0.05 s then 0.1 s, between three tries.
        #expect(Date().timeIntervalSince(start) >= 0.15)
        #expect(lines.all.count == 2)
        #expect(lines.all.first?.contains("attempt 2 of 3") == true)
    }

    @Test func backOffDoublesUpToItsCap() {
        let policy = RetryPolicy(attempts: 8, initialDelaySeconds: 1, maximumDelaySeconds: 10)
        #expect((1...6).map(policy.delay(afterAttempt:)) == [1, 2, 4, 8, 10, 10])
    }

    @Test func refusesAddressesThatAreNotHTTPServers() {
        for address in ["ftp://host", "127.0.0.1:8042", "http://", "http://host:8042/?x=1"] {
            #expect(throws: PACSError.invalidServerURL(address)) { _ = try OrthancClient(server: address) }
        }
    }

    @Test func readsCredentialsFiles() throws {
        let directory = try TemporaryDirectory("neoich-credentials")
        let good = directory.file("good")
        try Data("\n  reader:pa:ss:word  \n".utf8).write(to: good)
        #expect(try OrthancCredentials(file: good) == OrthancCredentials(user: "reader", password: "pa:ss:word"))
        let bad = directory.file("bad")
        try Data("password-only\n".utf8).write(to: bad)
        #expect(throws: PACSError.credentials(file: bad.path, detail: "expected one line \"user:password\"")) {
            try OrthancCredentials(file: bad)
        }
        #expect { try OrthancCredentials(file: directory.file("missing")) } throws: { "\($0)".contains("cannot read") }
    }
}

/// Log lines collected from the client's callback.
final class LogLines: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Messages about a download name the archive, not the private folder it was in.
@Test func messagesNameTheArchiveWithoutItsTemporaryFolder() {
    let message = "/tmp/neoich-watch-Ab12/77db-b90a.zip: no DICOM series found (\"/tmp/neoich-watch-Ab12/77db-b90a.zip\")"
    #expect(OrthancWatcher.withoutDownloadFolder(message) == "77db-b90a.zip: no DICOM series found (\"77db-b90a.zip\")")
}

/// A downloaded archive counts as whole only when it ends with its ZIP end record.
@Test func cutArchivesAreTold() throws {
    let directory = try TemporaryDirectory("neoich-zip-end")
    let whole = HostileInputs.storedZip([(name: "a/IM1.dcm", bytes: Array(repeating: 7, count: 300))])
    let file = directory.file("whole.zip")
    try Data(whole).write(to: file)
    #expect(OrthancClient.endsWithZipDirectory(file))
    for cut in [whole.count - 1, whole.count - 22, whole.count / 2, 10] {
        try Data(whole.prefix(cut)).write(to: file)
        #expect(!OrthancClient.endsWithZipDirectory(file), "cut at \(cut) of \(whole.count)")
    }
}
