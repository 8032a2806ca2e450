import Foundation
import Testing
@testable import Output

/// A fake clock and sink for deterministic progress output.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    private var _now: Double = 0
    var lines: [String] { lock.withLock { _lines } }
    var now: Double {
        get { lock.withLock { _now } }
        set { lock.withLock { _now = newValue } }
    }
    func write(_ text: String) { lock.withLock { _lines.append(text) } }
}

@Suite("Progress reporter")
struct ProgressReporterTests {
    @Test func plainLinesCarryCountRateAndETA() {
        let recorder = Recorder()
        let progress = ProgressReporter(total: 10, label: "synth", style: .lines(interval: 5),
                                        sink: { recorder.write($0) }, clock: { recorder.now })
        recorder.now = 2
        progress.advance(detail: "case 1")      // first line is drawn at once
        recorder.now = 4
        progress.advance()                      // within the interval: nothing
        recorder.now = 8
        progress.advance(2)                     // 4 done in 8 s → 0.5/s, 6 left → ETA 12 s
        progress.finish()
        let lines = recorder.lines
        #expect(lines.count == 3)
        #expect(lines[1] == "synth 4/10 (40%) 2.0 s/it elapsed 8s ETA 12s case 1\n")
        #expect(lines[2].hasPrefix("synth 4/10 (40%)"))
    }

    @Test func barRedrawsInPlaceAndEndsWithANewline() {
        let recorder = Recorder()
        let progress = ProgressReporter(total: 4, label: "train", style: .bar, sink: { recorder.write($0) }, clock: { recorder.now })
        for step in 1...4 {
            recorder.now = Double(step)
            progress.advance(detail: "loss 0.5")
        }
        progress.finish()
        let lines = recorder.lines
        #expect(lines.first?.hasPrefix("\r") == true)
        #expect(lines.dropLast().last?.contains("[████████████████████████] 4/4 (100%)") == true)
        #expect(lines.last == "\n")
    }

    @Test func durationsAndRatesFormatForPeople() {
        #expect(ProgressReporter.formatDuration(42) == "42s")
        #expect(ProgressReporter.formatDuration(185) == "3m05s")
        #expect(ProgressReporter.formatDuration(7620) == "2h07m")
        #expect(ProgressReporter.formatRate(1.5) == "1.5/s")
        #expect(ProgressReporter.formatRate(0.25) == "4.0 s/it")
        #expect(ProgressReporter.formatRate(0) == "--/s")
    }
}
