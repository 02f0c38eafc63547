import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The web UI over plain HTTP, as a browser without JavaScript uses it: forms, redirects and
/// cookies, on the real processes.
@Suite("End to end: the web UI without JavaScript", .serialized)
struct WebUITests {
    /// A browser's cookie jar, kept by hand (the session never stores cookies by itself).
    final class Browser: @unchecked Sendable {
        // Used by one test, one request at a time.
        let system: SystemUnderTest
        var cookies: [String: String] = [:]
        init(_ system: SystemUnderTest) { self.system = system }

        struct Page {
            let status: Int
            let headers: [String: String]
            let text: String
        }

        /// One request, without following redirects; cookies are sent and remembered.
        func go(
            _ method: String, _ path: String, form: [String: String]? = nil, origin: Bool = true, body: (type: String, data: Data)? = nil
        ) async throws -> Page {
            var request = URLRequest(url: URL(string: system.baseURL + path)!)
            if let body {
                request.setValue(body.type, forHTTPHeaderField: "Content-Type")
                request.httpBody = body.data
                request.setValue(system.baseURL, forHTTPHeaderField: "Origin")
            }
            request.httpMethod = method
            if !cookies.isEmpty {
                request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
            }
            if let form {
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                request.httpBody = Data(
                    form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
                        .utf8)
                if origin { request.setValue(system.baseURL, forHTTPHeaderField: "Origin") }
            }
            let delegate = NoRedirects()
            let session = URLSession(
                configuration: {
                    let configuration = URLSessionConfiguration.ephemeral
                    configuration.httpShouldSetCookies = false
                    configuration.httpCookieAcceptPolicy = .never
                    return configuration
                }(), delegate: delegate, delegateQueue: nil)
            defer { session.finishTasksAndInvalidate() }
            let (data, response) = try await session.data(for: request)
            let http = response as! HTTPURLResponse
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
            for cookie in HTTPCookie.cookies(
                withResponseHeaderFields: ["Set-Cookie": headers["set-cookie"] ?? ""], for: URL(string: system.baseURL)!)
            {
                if cookie.value.isEmpty { cookies[cookie.name] = nil } else { cookies[cookie.name] = cookie.value }
            }
            return Page(status: http.statusCode, headers: headers, text: String(decoding: data, as: UTF8.self))
        }

        /// A file sent as a browser sends the file area's upload form without the script.
        func upload(_ path: String, csrf: String?, filename: String, bytes: Data) async throws -> Page {
            let boundary = "----CRMTestBoundary\(UInt32.random(in: 0...UInt32.max))"
            var data = Data()
            if let csrf {
                data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8))
            }
            data.append(
                Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .utf8))
            data.append(bytes)
            data.append(Data("\r\n--\(boundary)--\r\n".utf8))
            return try await go("POST", path, body: ("multipart/form-data; boundary=\(boundary)", data))
        }

        /// The hidden CSRF field of the page's first form.
        static func csrf(in page: Page) -> String {
            guard let range = page.text.range(of: #"name="csrf" value=""#) else { return "" }
            return String(page.text[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    @Test("sign in, add a contact whose name is markup, find it, open its card, add a private note, sign out")
    func plainFormsFlow() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        try await system.startAll()
        let browser = Browser(system)

        // Signed out, a page sends the browser to sign in and back.
        let root = try await browser.go("GET", "/contacts?q=x")
        #expect(root.status == 303)
        #expect(root.headers["location"]?.hasPrefix("/signin?next=") == true)
        let form = try await browser.go("GET", "/signin")
        #expect(form.status == 200)
        #expect(form.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(form.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(!form.text.contains("<script>") && !form.text.contains("style="))
        let token = Browser.csrf(in: form)
        #expect(token.count == 32)

        // A wrong password shows the sign-in form again with the reason.
        let wrong = try await browser.go("POST", "/signin", form: ["csrf": token, "username": "admin", "password": "nope"])
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("Wrong username or password"))
        // Without the form's token the post is refused.
        let forged = try await browser.go("POST", "/signin", form: ["username": "admin", "password": system.adminPassword])
        #expect(forged.status == 403)

        let signedIn = try await browser.go(
            "POST", "/signin", form: ["csrf": token, "username": "admin", "password": system.adminPassword])
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/contacts")
        #expect(browser.cookies["crm_session"] != nil)

        // A new contact whose name is markup.
        let newForm = try await browser.go("GET", "/contacts/new")
        let csrf = Browser.csrf(in: newForm)
        let empty = try await browser.go("POST", "/contacts", form: ["csrf": csrf, "first_name": "", "last_name": ""])
        #expect(empty.status == 422)
        #expect(empty.text.contains("aria-invalid=\"true\""))
        let created = try await browser.go(
            "POST", "/contacts",
            form: ["csrf": csrf, "first_name": "<script>alert(1)</script>", "last_name": "Ødegård", "phone": "+47 912 34 567"])
        #expect(created.status == 303)
        let cardPath = try #require(created.headers["location"])
        #expect(cardPath.hasPrefix("/contacts/"))

        // Found by part of its name; shown as text, never as markup.
        let found = try await browser.go("GET", "/contacts?q=deg")
        #expect(found.status == 200)
        #expect(found.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!found.text.contains("<script>alert(1)"))
        #expect(found.text.contains("1 contact matches"))
        let fragment = try await browser.go("GET", "/contacts?q=deg&fragment=results")
        #expect(fragment.text.contains(cardPath) && !fragment.text.contains("<html"))

        // The card, and a private note on it.
        let card = try await browser.go("GET", cardPath)
        #expect(card.status == 200)
        #expect(card.text.contains("+47 912 34 567"))
        let noteCSRF = Browser.csrf(in: card)
        let noted = try await browser.go(
            "POST", cardPath + "/notes", form: ["csrf": noteCSRF, "text": "Prefers <b>mornings</b>", "private": "on"])
        #expect(noted.status == 303)
        let after = try await browser.go("GET", cardPath)
        #expect(after.text.contains("Prefers &lt;b&gt;mornings&lt;/b&gt;"))
        #expect(after.text.contains("private"))

        // The assets: hashed names, cached for a year, within the size budget.
        let script = try #require(after.text.range(of: #"src="/assets/app\.[0-9a-f]{12}\.js""#, options: .regularExpression))
        let scriptPath = String(after.text[script].dropFirst(5).dropLast())
        let js = try await browser.go("GET", scriptPath)
        #expect(js.status == 200 && js.headers["cache-control"]?.contains("immutable") == true)
        #expect(js.text.utf8.count <= 20_000)

        // A file uploaded as form data (no script), then downloaded with the session; a form
        // without the token stores nothing.
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let forgedUpload = try await browser.upload(cardPath + "/files", csrf: nil, filename: "forged.bin", bytes: bytes)
        #expect(forgedUpload.status == 403)
        let uploaded = try await browser.upload(cardPath + "/files", csrf: Browser.csrf(in: after), filename: "scan.bin", bytes: bytes)
        #expect(uploaded.status == 303 && uploaded.headers["location"] == cardPath + "/files")
        let area = try await browser.go("GET", cardPath + "/files")
        #expect(area.text.contains("scan.bin") && !area.text.contains("forged.bin"))
        let link = try #require(area.text.range(of: #"/api/v1/files/[0-9]+/content"#, options: .regularExpression))
        let download = URLRequest(url: URL(string: system.baseURL + String(area.text[link]))!)
        var authorised = download
        authorised.setValue(browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
        let (got, _) = try await URLSession.shared.data(for: authorised)
        #expect(got == bytes)

        // Signing out ends the session.
        let out = try await browser.go("POST", "/signout", form: ["csrf": Browser.csrf(in: after)])
        #expect(out.status == 303 && out.headers["location"] == "/signin")
        let gone = try await browser.go("GET", "/contacts")
        #expect(gone.status == 303)
    }
}
