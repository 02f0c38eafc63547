import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the UI's pages: a page's template inside the layout, escaped by Mustache (`{{ }}`);
/// the only raw insertion is the page's own rendered body into the layout. Every page carries the
/// strict Content-Security-Policy and is never cached (it holds a user's data).
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let assets: UIAssets

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
        + "frame-ancestors 'none'; form-action 'self'"

    init(bundle: Bundle) throws {
        guard let folder = bundle.url(forResource: "Templates", withExtension: nil) else {
            throw UIError("the UI's templates are missing from the gateway's resources")
        }
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
        assets = try UIAssets(bundle: bundle)
    }

    /// A whole page: `template` rendered with `values`, inside the layout with the title, the
    /// signed-in user and the assets' hashed names.
    func page(
        _ template: String, title: String, values: [String: Any], session: UISession?, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values = values
        values["csrf"] = session?.csrf ?? ""
        let body = library.render(values, withTemplate: template) ?? ""
        var layout: [String: Any] = [
            "title": title, "body": body, "script": assets.names["app.js"] ?? "", "stylesheet": assets.names["app.css"] ?? "",
        ]
        if let session {
            layout["user"] = ["name": session.principal.username, "boss": session.principal.rank == .boss, "csrf": session.csrf]
        }
        return Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    /// A piece of a page (the search results the script swaps in), without the layout.
    func fragment(_ template: String, values: [String: Any]) -> Response {
        Self.html(library.render(values, withTemplate: template) ?? "", status: .ok)
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: securityHeaders(contentType: "text/html; charset=utf-8"),
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func securityHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType, .contentSecurityPolicy: contentSecurityPolicy, .cacheControl: "no-store",
            .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "same-origin",
        ]
    }

    /// 303 to `location` (after a form's POST, so a reload does not post again).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
