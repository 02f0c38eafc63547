import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Who is signed in to the browser: the principal the session cookie speaks for and the
/// double-submit token every form carries (the `crm_csrf` cookie, readable by our pages only).
struct UISession: Sendable {
    let principal: Principal
    let csrf: String
}

/// The web UI, served by the gateway beside the API: server-rendered pages that work as plain
/// links and forms, with one script that makes them quicker (`UI/Assets/app.js`). Pages ask the
/// services over the bus with the signed-in user's identity, exactly as the API routes do, so a
/// user sees in the browser what the API lets them see.
struct WebUI: Sendable {
    let renderer: PageRenderer
    let api: APIForwarder
    var publicURL: String?
    /// The largest file an upload may store (the API's limit too).
    var filesMaxBytes: Int64

    init(api: APIForwarder, publicURL: String?, filesMaxBytes: Int64, bundle: Bundle = .module) throws {
        renderer = try PageRenderer(bundle: bundle)
        self.api = api
        self.publicURL = publicURL
        self.filesMaxBytes = filesMaxBytes
    }

    func register(on router: Router<GatewayContext>) {
        router.get("/") { _, context in
            PageRenderer.redirect(context.principal == nil ? "/signin" : "/contacts")
        }
        router.get("/assets/:name") { [renderer] _, context in renderer.assets.response(for: context.parameters.get("name") ?? "") }
        SessionPages(ui: self).register(on: router)
        ContactPages(ui: self).register(on: router)
        CompanyPages(ui: self).register(on: router)
        CallPages(ui: self).register(on: router)
        SettingsPages(ui: self).register(on: router)
        AccountPages(ui: self).register(on: router)
        ImportPages(ui: self).register(on: router)
        CarePages(ui: self).register(on: router)
        FilePages(ui: self).register(on: router)
        CardParts(ui: self).register(on: router)
        CardLinks(ui: self).register(on: router)
        MessagePages(ui: self).register(on: router)
        SMSPages(ui: self).register(on: router)
        SalesPages(ui: self).register(on: router)
        TaskPages(ui: self).register(on: router)
    }

    // MARK: - What every page does

    /// The signed-in user, or nil (the page then sends the browser to sign in).
    func session(_ request: Request, _ context: GatewayContext) -> UISession? {
        guard let principal = context.principal else { return nil }
        return UISession(principal: principal, csrf: request.cookies[AuthMiddleware.csrfCookieName]?.value ?? "")
    }

    /// The page for a signed-in user, or a redirect to sign in that comes back here.
    func signedIn(
        _ request: Request, _ context: GatewayContext, _ page: (UISession) async throws -> Response
    ) async throws -> Response {
        guard let session = session(request, context) else {
            let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return PageRenderer.redirect("/signin?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        return try await page(session)
    }

    /// A form's fields, after checking its CSRF token against the cookie (403 without it): every
    /// form the UI serves carries the token, a form from elsewhere cannot.
    func form(_ request: Request, _ context: GatewayContext, limit: Int = 1 << 20) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in try await formPairs(request, context, limit: limit) where fields[pair.name] == nil { fields[pair.name] = pair.value }
        return fields
    }

    /// `form` keeping every value of a repeated name (ticked boxes), in order.
    func formPairs(_ request: Request, _ context: GatewayContext, limit: Int = 1 << 20) async throws -> [(name: String, value: String)] {
        let body = try await api.body(of: request, limit: limit)
        let pairs = FormEncoding.pairs(String(decoding: body, as: UTF8.self))
        try checkCSRF(pairs.first(where: { $0.name == "csrf" })?.value, request)
        return pairs
    }

    /// Refuses a form whose token is not the one in the browser's cookie (403).
    func checkCSRF(_ token: String?, _ request: Request) throws {
        guard let cookie = request.cookies[AuthMiddleware.csrfCookieName]?.value, !cookie.isEmpty, token == cookie else {
            throw BusError.forbidden("this form has expired or did not come from this site; reload the page and try again")
        }
    }

    /// A record's phones with the first replaced by the form's (removed when emptied); the
    /// others stay as they are.
    static func replacingFirst(_ phones: [ContactPhone], with number: String, kind: String) -> [PhoneInput] {
        var inputs = phones.map { PhoneInput(number: $0.number, kind: $0.kind) }
        if inputs.isEmpty { inputs = [PhoneInput(number: "", kind: kind)] }
        inputs[0].number = number
        return inputs.filter { !$0.number.isEmpty }
    }

    /// The same for e-mail addresses.
    static func replacingFirst(_ emails: [ContactEmail], with address: String) -> [EmailInput] {
        var inputs = emails.map { EmailInput(address: $0.address, kind: $0.kind) }
        if inputs.isEmpty { inputs = [EmailInput(address: "")] }
        inputs[0].address = address
        return inputs.filter { !$0.address.isEmpty }
    }

    /// Which field of a form a service's objection is about, from the words it used (the first
    /// needle found in the message names the field), or `otherwise`.
    static func field(of error: BusError, among needles: [(String, String)], otherwise: String) -> String {
        let message = error.message.lowercased()
        return needles.first { message.contains($0.0) }?.1 ?? otherwise
    }

    /// Calls a bus method as the signed-in user.
    func call<Q: Encodable, R: Decodable>(
        _ method: BusMethod<Q, R>, _ body: Q, _ request: Request, _ context: GatewayContext
    ) async throws -> R {
        try await api.callDecoded(request, context: context, method: method, body: body)
    }

    /// An error page for what a page could not do (a contact that is not there, a refusal).
    func errorPage(_ error: BusError, session: UISession?) -> Response {
        renderer.page(
            "error", title: "Something went wrong", values: ["message": error.message, "code": error.code.rawValue],
            session: session, status: ErrorMiddleware.status(for: error.code))
    }

    /// The session cookies, as the API's sign-in sets them.
    var cookies: SessionCookies { SessionCookies(publicURL: publicURL) }
}
