import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows the progress of long work: a bar with rate and ETA on a terminal, plain periodic lines otherwise.
///
/// Every long-running NeoICH command (synthesis, training, cohort prediction, faithfulness) reports through
/// one of these so that a person at a terminal sees a live bar and a CI log gets readable lines.
///
/// ```
/// let progress = ProgressReporter(total: cases, label: "synth")
/// for k in 0..<cases { …; progress.advance(detail: "case \(k)") }
/// progress.finish()
/// ```
public final class ProgressReporter: @unchecked Sendable {
    /// Where the reporter writes and how.
    public enum Style: Sendable {
        /// A bar redrawn in place (carriage return), for terminals.
        case bar
        /// One line every `interval` seconds and at the end, for logs and pipes.
        case lines(interval: TimeInterval)
        /// Nothing at all (tests, library use).
        case silent
    }

    public let total: Int
    public let label: String
    public let style: Style
    private let sink: @Sendable (String) -> Void
    private let clock: @Sendable () -> TimeInterval
    private let lock = NSLock()
    private let start: TimeInterval
    private var completed = 0
    private var lastDraw: TimeInterval = -.infinity
    private var detail = ""
    private var finished = false

    /// - Parameters:
    ///   - total: the number of units of work (cases, iterations, batches); 0 if unknown.
    ///   - label: a short name shown before the bar.
    ///   - style: `nil` picks `.bar` when standard error is a terminal and `.lines(interval: 10)` otherwise.
    ///   - sink: where text goes; standard error by default.
    ///   - clock: seconds from an arbitrary origin; injectable for tests.
    public init(
        total: Int, label: String, style: Style? = nil,
        sink: (@Sendable (String) -> Void)? = nil,
        clock: (@Sendable () -> TimeInterval)? = nil
    ) {
        self.total = max(0, total)
        self.label = label
        self.style = style ?? (isatty(STDERR_FILENO) != 0 ? .bar : .lines(interval: 10))
        self.sink = sink ?? { text in FileHandle.standardError.write(Data(text.utf8)) }
        self.clock = clock ?? { ProcessInfo.processInfo.systemUptime }
        self.start = self.clock()
    }

    /// Marks `units` more units as done and redraws when due.
    public func advance(_ units: Int = 1, detail: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        completed += units
        if let detail { self.detail = detail }
        drawIfDue(force: false)
    }

    /// Changes the trailing detail text (loss, current case) without advancing.
    public func update(detail: String) {
        lock.lock(); defer { lock.unlock() }
        self.detail = detail
        drawIfDue(force: false)
    }

    /// Draws the final state and ends the line.
    public func finish(detail: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        if let detail { self.detail = detail }
        finished = true
        drawIfDue(force: true)
        if case .bar = style { sink("\n") }
    }

    /// The line that would be shown now (without carriage return or newline).
    public func renderedLine() -> String {
        lock.lock(); defer { lock.unlock() }
        return render(now: clock())
    }

    private func drawIfDue(force: Bool) {
        let now = clock()
        switch style {
        case .silent:
            return
        case .bar:
            guard force || now - lastDraw >= 0.1 else { return }
            lastDraw = now
            sink("\r" + render(now: now) + "\u{1B}[K")
        case .lines(let interval):
            guard force || now - lastDraw >= interval else { return }
            lastDraw = now
            sink(render(now: now) + "\n")
        }
    }

    private func render(now: TimeInterval) -> String {
        let elapsed = max(now - start, 0)
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        var parts = [label]
        if total > 0 {
            let fraction = min(Double(completed) / Double(total), 1)
            if case .bar = style {
                let width = 24
                let filled = Int((fraction * Double(width)).rounded(.down))
                parts.append("[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "]")
            }
            parts.append("\(completed)/\(total) (\(Int((fraction * 100).rounded(.down)))%)")
        } else {
            parts.append("\(completed)")
        }
        parts.append(Self.formatRate(rate))
        parts.append("elapsed \(Self.formatDuration(elapsed))")
        if total > 0 && completed < total {
            parts.append(rate > 0 ? "ETA \(Self.formatDuration(Double(total - completed) / rate))" : "ETA --")
        }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: " ")
    }

    /// `1.5/s`, or `12.0 s/it` when one unit takes longer than a second.
    static func formatRate(_ perSecond: Double) -> String {
        if perSecond <= 0 { return "--/s" }
        if perSecond >= 1 { return String(format: "%.1f/s", perSecond) }
        return String(format: "%.1f s/it", 1 / perSecond)
    }

    /// `42s`, `3m05s`, `2h07m`.
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
