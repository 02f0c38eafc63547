import Foundation

/// The browser's session cookies, one definition for the API's sign-in route and the web UI's
/// sign-in page: the session token (HttpOnly) and the double-submit CSRF token our pages read.
struct SessionCookies: Sendable {
    /// `CRM_PUBLIC_URL`: the cookies are `Secure` when it is https.
    var publicURL: String?

    var secure: String { publicURL?.lowercased().hasPrefix("https://") == true ? "; Secure" : "" }

    /// A new random CSRF token (128 bits, hex).
    static func newCSRFToken() -> String { (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }

    /// Set-Cookie values that start a session of `maxAge` seconds with a fresh CSRF token.
    func signedIn(token: String, maxAge: Int) -> [String] {
        [
            "\(AuthMiddleware.cookieName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)",
            "\(AuthMiddleware.csrfCookieName)=\(Self.newCSRFToken()); Path=/; Max-Age=\(maxAge); SameSite=Strict\(secure)",
        ]
    }

    /// Set-Cookie values that end the session.
    var signedOut: [String] {
        [
            "\(AuthMiddleware.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure)",
            "\(AuthMiddleware.csrfCookieName)=; Path=/; Max-Age=0; SameSite=Strict\(secure)",
        ]
    }

    /// The CSRF cookie alone, for the sign-in form before there is a session.
    func csrfOnly(_ token: String) -> String { "\(AuthMiddleware.csrfCookieName)=\(token); Path=/; SameSite=Strict\(secure)" }
}
