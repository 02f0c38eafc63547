import Bus
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// VOIP providers sign their webhooks instead of sending our tokens: Twilio with
/// `X-Twilio-Signature` (base64 HMAC-SHA1 of the URL and the sorted POST parameters, keyed with
/// the account's auth token), Vonage with a JWT (HS256, keyed with the signature secret, its
/// `payload_hash` the SHA-256 of the body). Secrets come from the environment:
/// `CRM_TWILIO_AUTH_TOKEN`, `CRM_VONAGE_SIGNATURE_SECRET`; `CRM_PUBLIC_URL` is the address the
/// provider calls (Twilio signs the URL it used), when the gateway is behind a proxy.
struct ProviderSignature: Sendable {
    enum Kind: String, Sendable, Equatable {
        /// Vonage's SMS API signs its webhooks with a `sig` field instead (md5 hash or HMAC of the
        /// sorted fields), not the JWT of its voice and messages APIs.
        case twilio, vonage, vonageSMS

        var header: String {
            switch self {
            case .twilio: "X-Twilio-Signature"
            case .vonage: "Authorization (Vonage signed JWT)"
            case .vonageSMS: "sig field (Vonage SMS API signature)"
            }
        }

        /// Whether the request claims to be signed (then the signature decides, not a token).
        func isPresent(in request: Request) -> Bool {
            switch self {
            case .twilio:
                return request.headers[HTTPField.Name("X-Twilio-Signature")!] != nil
            case .vonage:
                guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return false }
                let token = value.dropFirst(7)
                return !token.hasPrefix("crm_") && token.filter { $0 == "." }.count == 2
            case .vonageSMS:
                // Vonage sends no credentials of ours: a request without them must carry `sig`.
                return request.headers[.authorization] == nil && request.headers[.cookie] == nil
            }
        }
    }

    var twilioAuthToken: String?
    var vonageSecret: String?
    var publicURL: String?

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProviderSignature {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        return ProviderSignature(
            twilioAuthToken: value("CRM_TWILIO_AUTH_TOKEN"), vonageSecret: value("CRM_VONAGE_SIGNATURE_SECRET"),
            publicURL: value("CRM_PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
    }

    /// The URL the provider called, as it signed it.
    func url(of request: Request) -> String {
        let base = publicURL ?? "http://" + (request.headers[HTTPField.Name("Host")!] ?? request.head.authority ?? "localhost")
        return base + request.uri.description
    }

    /// Throws 403 unless the request carries a right signature of `kind` for `body`.
    func verify(_ kind: Kind, _ request: Request, body: Data) throws {
        switch kind {
        case .twilio: try verifyTwilio(request, body: body)
        case .vonage: try verifyVonage(request, body: body)
        case .vonageSMS: try verifyVonageSMS(Self.fields(body, query: request.uri.query))
        }
    }

    /// Throws 403 unless `X-Twilio-Signature` is right for this URL and form body.
    func verifyTwilio(_ request: Request, body: Data) throws {
        guard let token = twilioAuthToken else {
            throw BusError.forbidden("Twilio signatures cannot be checked: CRM_TWILIO_AUTH_TOKEN is not set")
        }
        guard let given = request.headers[HTTPField.Name("X-Twilio-Signature")!] else {
            throw BusError.forbidden("X-Twilio-Signature is missing")
        }
        let expected = Self.twilioSignature(url: url(of: request), form: String(decoding: body, as: UTF8.self), authToken: token)
        guard constantTimeEqual(Array(given.utf8), Array(expected.utf8)) else {
            throw BusError.forbidden("the X-Twilio-Signature does not match this request")
        }
    }

    /// Twilio's algorithm: the URL, then each POST parameter sorted by name, name then value,
    /// HMAC-SHA1 with the auth token, base64.
    static func twilioSignature(url: String, form: String, authToken: String) -> String {
        var data = url
        for (name, value) in FormEncoding.pairs(form).sorted(by: { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }) {
            data += name + value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Throws 403 unless the bearer JWT is signed with the Vonage secret, fresh, and about this body.
    func verifyVonage(_ request: Request, body: Data, now: Date = Date()) throws {
        guard let secret = vonageSecret else {
            throw BusError.forbidden("Vonage signatures cannot be checked: CRM_VONAGE_SIGNATURE_SECRET is not set")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw BusError.forbidden("the Vonage signature (Authorization: Bearer <JWT>) is missing")
        }
        let parts = header.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let claimsData = Self.base64URL(parts[1]), let signature = Self.base64URL(parts[2]),
            let head = Self.base64URL(parts[0]),
            (try? JSONSerialization.jsonObject(with: head) as? [String: Any])?["alg"] as? String == "HS256"
        else {
            throw BusError.forbidden("the Vonage signature is not an HS256 JWT")
        }
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                signature, authenticating: Data((parts[0] + "." + parts[1]).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        else {
            throw BusError.forbidden("the Vonage signature does not match")
        }
        let claims = (try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]) ?? [:]
        if let issued = (claims["iat"] as? NSNumber)?.doubleValue, abs(now.timeIntervalSince1970 - issued) > 300 {
            throw BusError.forbidden("the Vonage signature is more than five minutes old")
        }
        if let hash = claims["payload_hash"] as? String {
            let actual = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
            guard hash.lowercased() == actual else { throw BusError.forbidden("the Vonage signature is for another body") }
        }
    }

    /// Throws 403 unless `sig` is the signature of the other fields: sorted by name, each as
    /// `&name=value` with `&` and `=` in values made `_`, then the md5 of that and the secret
    /// (Vonage's default) or its HMAC-SHA256/SHA1/MD5/SHA512 keyed with the secret, in hex.
    func verifyVonageSMS(_ fields: [String: String], now: Date = Date()) throws {
        // Neither a token nor a signature: not signed in, as on every route.
        guard let given = fields["sig"]?.lowercased(), !given.isEmpty else {
            throw BusError.unauthorized("this needs a token (Authorization: Bearer), or Vonage's signature (sig)")
        }
        guard let secret = vonageSecret else {
            throw BusError.forbidden("Vonage signatures cannot be checked: CRM_VONAGE_SIGNATURE_SECRET is not set")
        }
        if let stamp = fields["timestamp"].flatMap(Double.init), abs(now.timeIntervalSince1970 - stamp) > 300 {
            throw BusError.forbidden("the Vonage signature is more than five minutes old")
        }
        let signed = Self.vonageSignedText(fields)
        let key = SymmetricKey(data: Data(secret.utf8))
        func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 { digest.map { String(format: "%02x", $0) }.joined() }
        let candidates = [
            hex(Insecure.MD5.hash(data: Data((signed + secret).utf8))),
            hex(HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key)),
            hex(HMAC<SHA512>.authenticationCode(for: Data(signed.utf8), using: key)),
            hex(HMAC<Insecure.SHA1>.authenticationCode(for: Data(signed.utf8), using: key)),
            hex(HMAC<Insecure.MD5>.authenticationCode(for: Data(signed.utf8), using: key)),
        ]
        guard candidates.contains(where: { constantTimeEqual(Array($0.utf8), Array(given.utf8)) }) else {
            throw BusError.forbidden("the Vonage signature (sig) does not match this request")
        }
    }

    static func vonageSignedText(_ fields: [String: String]) -> String {
        fields.filter { $0.key != "sig" }.sorted { $0.key < $1.key }.map { name, value in
            "&" + name + "=" + value.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
        }.joined()
    }

    /// A webhook's fields: a JSON object's strings and numbers, or a form, and the query string's.
    static func fields(_ body: Data, query: String?) -> [String: String] {
        FormEncoding.fields(query ?? "").merging(FormEncoding.webhookFields(body)) { _, body in body }
    }

    static func base64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
