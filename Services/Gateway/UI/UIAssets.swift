import Crypto
import Foundation
import Hummingbird
import NIOCore

/// The UI's script and stylesheet, read once from the package's resources and served under
/// names that carry a hash of their content (`app.3f2a9c1e.js`), so a browser may keep them for
/// a year: a changed file is a new name.
struct UIAssets: Sendable {
    struct Asset: Sendable {
        let name: String
        let contentType: String
        let bytes: ByteBuffer
    }

    /// Served name to asset.
    let byName: [String: Asset]
    /// Plain name (`app.js`) to served name, for the templates.
    let names: [String: String]

    init(bundle: Bundle) throws {
        var byName: [String: Asset] = [:], names: [String: String] = [:]
        for (file, type) in [("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8")] {
            guard let url = bundle.url(forResource: file, withExtension: nil, subdirectory: "Assets") else {
                throw UIError("the UI asset \(file) is missing from the gateway's resources")
            }
            let data = try Data(contentsOf: url)
            let hash = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            let parts = file.split(separator: ".")
            let served = "\(parts[0]).\(hash).\(parts[1])"
            byName[served] = Asset(name: served, contentType: type, bytes: ByteBuffer(bytes: data))
            names[file] = "/assets/" + served
        }
        self.byName = byName
        self.names = names
    }

    /// `GET /assets/:name`: the asset, cacheable for a year; an old or unknown name is a 404.
    func response(for name: String) -> Response {
        guard let asset = byName[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "no such asset")))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: asset.bytes))
    }
}

struct UIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
