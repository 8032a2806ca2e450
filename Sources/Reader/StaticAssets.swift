import Foundation
import Hummingbird

/// The page's files (HTML, CSS, JS), shipped as package resources and served as they are (no build step).
struct StaticAssets: Sendable {
    static let contentTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                               "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"]

    var folder: URL

    /// The bundled assets folder.
    static var bundled: StaticAssets {
        let base = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        return StaticAssets(folder: base.appendingPathComponent("Assets"))
    }

    /// The response for an asset name (a single path component).
    func response(_ name: String) throws(ReaderError) -> Response {
        guard !name.contains("/"), !name.hasPrefix("."), let type = Self.contentTypes[(name as NSString).pathExtension],
              let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
            throw ReaderError.notFound("asset \(name)")
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
