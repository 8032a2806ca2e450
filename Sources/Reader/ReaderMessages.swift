import Foundation
import Imaging
import Pipeline

/// Error messages for the page: the library's own message with the server's temporary path replaced by
/// the name the user uploaded.
enum ReaderMessages {
    static func describe(_ error: any Error, name: String) -> String {
        var text = "\(error)"
        if let path = temporaryPath(in: text) { text = text.replacingOccurrences(of: path, with: name) }
        return text
    }

    /// The first path inside the reader's upload folders mentioned in a message.
    private static func temporaryPath(in text: String) -> String? {
        guard let range = text.range(of: "/[^ :]*neoich-upload-[^ :]*", options: .regularExpression) else { return nil }
        return String(text[range])
    }
}
