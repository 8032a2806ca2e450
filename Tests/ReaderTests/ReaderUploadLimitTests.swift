import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Reader
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Uploads arrive under their own bound and deadlines, apart from the job queue.
@Suite struct ReaderUploadLimitTests {
    static func receiver(in directory: TemporaryDirectory, slots: Int = 2, stall: Double = 0.3, limit: Double = 30) -> UploadReceiver {
        UploadReceiver(workFolder: directory.url, maximumBytes: 1 << 20, slots: UploadSlots(maximum: slots),
                       stallSeconds: stall, timeLimitSeconds: limit)
    }

    static func leftovers(_ directory: TemporaryDirectory) -> [String] {
        (try? FileManager.default.subpathsOfDirectory(atPath: directory.file("uploads").path)) ?? []
    }

    @Test func aStalledUploadIs408AndLeavesNoFile() async throws {
        let directory = try TemporaryDirectory("neoich-upload-test")
        let receiver = Self.receiver(in: directory)
        let (body, source) = AsyncStream.makeStream(of: ByteBuffer.self)
        source.yield(ByteBuffer(bytes: [0x1f, 0x8b]))
        // Without a deadline the upload would end here, long after the stall, as a truncated file (422).
        let end = Task {
            try await Task.sleep(for: .seconds(120))
            source.finish()
        }
        let error = await #expect(throws: ReaderError.self) { _ = try await receiver.receive(body: body, name: "slow.nii.gz") }
        #expect(error?.status == .requestTimeout)
        #expect(error?.message.contains("stalled") == true && error?.message.contains("slow.nii.gz") == true)
        #expect(Self.leftovers(directory).isEmpty)
        #expect(await receiver.slots.count == 0)
        end.cancel()
        source.finish()
    }

    @Test func aDraggingUploadIs408AfterItsTimeLimit() async throws {
        let directory = try TemporaryDirectory("neoich-upload-test")
        let receiver = Self.receiver(in: directory, stall: 10, limit: 1)
        let (body, source) = AsyncStream.makeStream(of: ByteBuffer.self)
        let trickle = Task {
            while !Task.isCancelled {
                source.yield(ByteBuffer(bytes: [0]))
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let error = await #expect(throws: ReaderError.self) { _ = try await receiver.receive(body: body, name: "trickle.nii") }
        #expect(error?.status == .requestTimeout)
        #expect(error?.message.contains("did not finish within 1 s") == true)
        trickle.cancel()
        #expect(Self.leftovers(directory).isEmpty)
    }

    @Test func uploadsBeyondTheirBoundAre503() async throws {
        let directory = try TemporaryDirectory("neoich-upload-test")
        let receiver = Self.receiver(in: directory, slots: 1)
        try await receiver.slots.acquire()
        let (body, source) = AsyncStream.makeStream(of: ByteBuffer.self)
        source.yield(ByteBuffer(bytes: [1]))
        source.finish()
        let error = await #expect(throws: ReaderError.self) { _ = try await receiver.receive(body: body, name: "next.nii") }
        #expect(error?.status == .serviceUnavailable)
        #expect(error?.headers[.retryAfter] == "60")
        #expect(error?.message.contains("as many uploads as it takes at once (1); try again") == true)
        await receiver.slots.release()
        #expect(await receiver.slots.count == 0)
    }

    @Test func longNamesKeepTheirExtension() throws {
        for suffix in [".nii.gz", ".NII", ".zip"] {
            let name = try UploadReceiver.sanitizedName(String(repeating: "a", count: 300) + suffix)
            #expect(name.count == UploadReceiver.maximumNameLength)
            #expect(name.hasSuffix(suffix))
            #expect(name.hasPrefix("aaaa"))
        }
        #expect(try UploadReceiver.sanitizedName("dir/short scan.nii.gz") == "short_scan.nii.gz")
    }

    /// Over a real connection: uploads that trickle in hold no queue place (a normal upload is queued while
    /// they hang, with a queue of one), and stalled ones end with 408.
    @Test func slowUploadsDoNotBlockTheQueue() async throws {
        let fixture = try ReaderFixture {
            $0.port = 0
            $0.queueCapacity = 1
            $0.maximumConcurrentUploads = 3
            $0.uploadStallSeconds = 1
        }
        let good = try Data(contentsOf: fixture.ct)
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let head = "POST /api/cases?name=slow.nii.gz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-NeoICH-Request: 1\r\n"
                + "Content-Length: 100000\r\n\r\n"
            let slow = try (0..<2).map { _ in try RawConnection(port: port, sending: Array(head.utf8) + [0x1f]) }
            try await Task.sleep(for: .milliseconds(300))
            let response = try await client.upload(good, name: "case_a.nii.gz")
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            for connection in slow {
                let answer = try await connection.response(seconds: 60)
                #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
                #expect(answer.contains("stalled (nothing received for 1 s)"), "\(answer)")
            }
            #expect(try await client.waitForJob(client.decode(JobStatus.self, response).id).state == .done)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("work/uploads").path)) ?? [] == [])
        }
    }

    /// A connection that never completes its request head, or sends nothing, is closed after the idle time.
    @Test func idleConnectionsAreClosed() async throws {
        let fixture = try ReaderFixture {
            $0.port = 0
            $0.connectionIdleSeconds = 1
        }
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let partial = try RawConnection(port: port, sending: Array("POST /api/cases HTTP/1.1\r\nHost: 127.0".utf8))
            let silent = try RawConnection(port: port, sending: [])
            // Without the idle timeout these would throw after 60 s.
            #expect(try await partial.response(seconds: 60).isEmpty)
            #expect(try await silent.response(seconds: 60).isEmpty)
        }
    }
}

/// A TCP connection to the reader that sends some bytes and then nothing.
final class RawConnection: @unchecked Sendable {
    // @unchecked: the descriptor is only read from one task at a time.
    private let descriptor: Int32

    init(port: Int, sending bytes: [UInt8]) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, bytes.isEmpty || bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            close(descriptor)
            throw ReaderTestError.timeout("cannot connect to port \(port)")
        }
    }

    deinit { close(descriptor) }

    /// The server's answer: everything up to the end of a JSON error body, or until the server closes the
    /// connection (empty: closed without an answer).
    ///
    /// - Throws: `ReaderTestError.timeout` when neither happens within `seconds`.
    func response(seconds: Int) async throws -> String {
        let descriptor = descriptor
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var timeout = timeval(tv_sec: seconds, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count < 0 { return continuation.resume(throwing: ReaderTestError.timeout("no answer within \(seconds) s")) }
                    if count == 0 { break }
                    received += buffer[0..<count]
                    if let text = String(bytes: received, encoding: .utf8), text.contains("\r\n\r\n"), text.hasSuffix("}}") { break }
                }
                continuation.resume(returning: String(decoding: received, as: UTF8.self))
            }
        }
    }
}
