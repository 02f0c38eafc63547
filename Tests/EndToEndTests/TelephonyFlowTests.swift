import Crypto
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// VOIP systems feeding the call log through the gateway: Twilio (signed), Vonage, CDR files;
/// matching to contacts, companies and employees; numbers that match nobody until someone has them.
@Suite("End to end: telephony from VOIP systems", .serialized)
struct TelephonyFlowTests {
    static let twilioToken = "twilio-auth-token-for-tests"
    static let publicURL = "https://crm.example.com"
    static let vonageSecret = "vonage-signature-secret-for-tests"

    /// A Vonage signed-webhook JWT (HS256) for `body`, issued `age` seconds ago.
    func vonageJWT(body: Data, secret: String = Self.vonageSecret, age: Double = 0) -> String {
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let hash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = base64URL(
            Data(#"{"iat":\#(Int(Date().timeIntervalSince1970 - age)),"jti":"\#(UUID().uuidString)","payload_hash":"\#(hash)"}"#.utf8))
        let signature = HMAC<SHA256>.authenticationCode(
            for: Data("\(header).\(claims)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(header).\(claims).\(base64URL(Data(signature)))"
    }

    func twilioSignature(path: String, form: [(String, String)]) -> String {
        var data = Self.publicURL + path
        for (name, value) in form.sorted(by: { $0.0 < $1.0 }) { data += name + value }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(data.utf8), using: SymmetricKey(data: Data(Self.twilioToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    func formBody(_ form: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }

    @Test("Twilio callbacks signed or refused, Vonage and CDR files in, unmatched numbers picked up by a new contact")
    func providersAndMatching() async throws {
        let system = try SystemUnderTest()
        defer { system.shutdown() }
        system.extraEnvironment["CRM_TWILIO_AUTH_TOKEN"] = Self.twilioToken
        system.extraEnvironment["CRM_PUBLIC_URL"] = Self.publicURL
        system.extraEnvironment["CRM_VONAGE_SIGNATURE_SECRET"] = Self.vonageSecret
        try await system.startAll()

        // An employee with extension 105, and a company whose switchboard is 22 99 88 77.
        let (userStatus, _) = try await system.http(
            "POST", "/api/v1/users", json: ["username": "anne", "name": "Anne Hansen", "extension": "105", "password": "anne-password-1"])
        #expect(userStatus == 201)
        let (_, company) = try await system.http(
            "POST", "/api/v1/companies", json: ["name": "Fjord AS", "phones": [["number": "22 99 88 77", "kind": "work"]]])
        let companyId = try #require((company as? [String: Any])?["id"] as? Int)

        // Twilio: a signed callback without any token.
        let path = "/api/v1/telephony/twilio"
        let form: [(String, String)] = [
            ("CallSid", "CA-e2e-1"), ("AccountSid", "AC-e2e"), ("From", "+4740000001"), ("To", "+4722000000"),
            ("Direction", "inbound"), ("CallStatus", "no-answer"), ("SequenceNumber", "3"),
            ("Timestamp", "Mon, 02 Mar 2026 09:00:30 +0000"), ("NewParameterTwilioAddedLater", "x"),
        ]
        let signed = try await system.raw(
            "POST", path, body: formBody(form), contentType: "application/x-www-form-urlencoded",
            headers: ["X-Twilio-Signature": twilioSignature(path: path, form: form)], token: .some(nil))
        #expect(signed.status == 200, "\(signed.text)")
        let forged = try await system.raw(
            "POST", path, body: formBody(form), contentType: "application/x-www-form-urlencoded",
            headers: ["X-Twilio-Signature": twilioSignature(path: path, form: form + [("From", "+4799999999")])], token: .some(nil))
        #expect(forged.status == 403)
        let unsigned = try await system.raw(
            "POST", path, body: formBody(form), contentType: "application/x-www-form-urlencoded", token: .some(nil))
        #expect(unsigned.status == 401)
        let huge = try await system.raw(
            "POST", path, body: Data(repeating: UInt8(ascii: "a"), count: 2 << 20), contentType: "application/x-www-form-urlencoded")
        #expect(huge.status == 413)

        // Vonage with a token; the call is to the company's switchboard, answered by extension 105.
        for (status, at) in [("started", "09:10:00"), ("answered", "09:10:04"), ("completed", "09:11:04")] {
            let event: [String: Any] = [
                "from": "4722998877", "to": "4722000000", "uuid": "leg-v1", "conversation_uuid": "CON-e2e", "status": status,
                "direction": "inbound", "timestamp": "2026-03-02T\(at).000Z", "duration": "60",
            ]
            let (code, body) = try await system.http("POST", "/api/v1/telephony/vonage", json: event)
            #expect(code == 200, "\(String(describing: body))")
        }

        // Vonage signed webhooks: right, wrong secret, stale, for another body.
        let vonageBody = Data(
            #"{"from":"4740000003","to":"4722000000","uuid":"leg-s1","conversation_uuid":"CON-signed","status":"busy","direction":"inbound","timestamp":"2026-03-02T09:20:00Z"}"#
                .utf8)
        func postVonage(_ jwt: String) async throws -> Int {
            try await system.raw(
                "POST", "/api/v1/telephony/vonage", body: vonageBody, contentType: "application/json",
                headers: ["Authorization": "Bearer \(jwt)"], token: .some(nil)
            ).status
        }
        #expect(try await postVonage(vonageJWT(body: vonageBody)) == 200)
        #expect(try await postVonage(vonageJWT(body: vonageBody, secret: "wrong")) == 403)
        #expect(try await postVonage(vonageJWT(body: vonageBody, age: 3600)) == 403)
        #expect(try await postVonage(vonageJWT(body: Data("{}".utf8))) == 403)

        // A CDR file: one good row to extension 105 from the same unknown number, one broken row.
        let cdr = #"""
            "","4740000001","22000000","from-trunk","""Unknown"" <4740000001>","SIP/trunk-01","SIP/105-02","Dial","SIP/105","2026-03-02 10:00:00","2026-03-02 10:00:05","2026-03-02 10:01:05",65,60,"ANSWERED","DOCUMENTATION","pbx-e2e.1",""
            "","4740000001","22000000","from-trunk","","SIP/trunk-03","","Dial","","broken","","2026-03-02 11:00:00",5,0,"NO ANSWER","DOCUMENTATION","pbx-e2e.3",""

            """#
        let upload = try await system.raw(
            "POST", "/api/v1/telephony/cdr?format=asterisk&producer=pbx-e2e&timezone=Europe/Oslo", body: Data(cdr.utf8),
            contentType: "text/csv")
        #expect(upload.status == 200, "\(upload.text)")
        let report = try #require(upload.json as? [String: Any])
        #expect(report["accepted"] as? Int == 1)
        #expect((report["rejected"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        let (badFormat, _) = try await system.http("POST", "/api/v1/telephony/cdr?format=excel", json: [:])
        #expect(badFormat == 422)

        // The company's call, with the employee who answered it.
        try await system.eventually("the Vonage call matches the company") {
            let calls = try await system.getObject("/api/v1/companies/\(companyId)/calls")
            return (calls["items"] as? [[String: Any]])?.first?["external_id"] as? String == "CON-e2e"
        }
        try await system.eventually("the company's history shows the call") {
            let history = try await system.getObject("/api/v1/companies/\(companyId)/history?kind=call")
            return (history["items"] as? [[String: Any]])?.count == 1
        }

        // +4740000001 matched nobody: two calls on the unmatched list.
        let unmatched = try await system.getObject("/api/v1/calls/unmatched")
        let entry = try #require((unmatched["items"] as? [[String: Any]])?.first { $0["number"] as? String == "+4740000001" })
        #expect(entry["calls"] as? Int == 2)
        #expect(entry["missed"] as? Int == 1)
        #expect((try await system.getObject("/api/v1/calls?unmatched=true")["items"] as? [[String: Any]])?.count == 3)

        // A user creates the contact: its earlier calls follow it, into its history too.
        let (_, contact) = try await system.http(
            "POST", "/api/v1/contacts", json: ["first_name": "Nina", "last_name": "Berg", "phones": [["number": "400 00 001"]]])
        let contactId = try #require((contact as? [String: Any])?["id"] as? Int)
        try await system.eventually("the earlier calls match the new contact") {
            let calls = try await system.getObject("/api/v1/contacts/\(contactId)/calls")
            return (calls["items"] as? [[String: Any]])?.count == 2
        }
        try await system.eventually("the contact's history shows both calls") {
            let history = try await system.getObject("/api/v1/contacts/\(contactId)/history?kind=call")
            return (history["items"] as? [[String: Any]])?.count == 2
        }
        // Who spoke with her: the employee behind extension 105 (known to telephony from settings' events).
        try await system.eventually("anne spoke with the contact for a minute") {
            let speakers = try await system.http("GET", "/api/v1/contacts/\(contactId)/calls/by-user")
            let anne = ((speakers.1 as? [[String: Any]]) ?? []).first { $0["user"] as? String == "anne" }
            return anne?["calls"] as? Int == 1 && anne?["talk_seconds"] as? Int == 60 && anne?["user_id"] as? Int != nil
        }
        let stillUnmatched = try await system.getObject("/api/v1/calls?unmatched=true")["items"] as? [[String: Any]] ?? []
        #expect(stillUnmatched.map { $0["from_e164"] as? String } == ["+4740000003"])

        // Prefer: respond-async: 202 once durable; the calls reach the log (and her history) after.
        let queuedEvents: [[String: Any]] = (1...3).flatMap { n -> [[String: Any]] in
            [
                [
                    "event_id": "q\(n)r", "call_id": "q\(n)", "type": "ringing", "direction": "inbound", "from": "+4740000001",
                    "at": "2026-03-03T09:0\(n):00Z",
                ],
                ["event_id": "q\(n)h", "call_id": "q\(n)", "type": "hangup", "disposition": "NO ANSWER", "at": "2026-03-03T09:0\(n):20Z"],
            ]
        }
        let (queuedStatus, queuedBody) = try await system.http(
            "POST", "/api/v1/telephony/events?producer=async-pbx", json: queuedEvents, headers: ["Prefer": "respond-async"])
        #expect(queuedStatus == 202)
        #expect((queuedBody as? [String: Any])?["queued"] as? Int == 6)
        let (_, again) = try await system.http(
            "POST", "/api/v1/telephony/events?producer=async-pbx", json: queuedEvents, headers: ["Prefer": "respond-async"])
        #expect(((again as? [String: Any])?["queued"] as? Int ?? 0) + ((again as? [String: Any])?["duplicates"] as? Int ?? 0) == 6)
        try await system.eventually("the queued calls are in the call log, missed, with the contact") {
            let calls = try await system.getObject("/api/v1/calls?contact_id=\(contactId)&status=missed")
            return (calls["items"] as? [[String: Any]] ?? []).filter { $0["producer"] as? String == "async-pbx" }.count == 3
        }

        // Resolving a number by giving it to an existing contact.
        try await system.http(
            "POST", "/api/v1/telephony/events",
            json: ["event_id": "u1", "call_id": "u1", "type": "completed", "direction": "inbound", "from": "+4740000002", "duration": 10])
        let (resolved, _) = try await system.http(
            "POST", "/api/v1/calls/unmatched/resolve", json: ["number": "+4740000002", "contact_id": contactId])
        #expect(resolved == 200)
        try await system.eventually("the resolved number's call joins the contact") {
            let calls = try await system.getObject("/api/v1/contacts/\(contactId)/calls")
            return (calls["items"] as? [[String: Any]])?.count == 6
        }
    }
}

extension SystemUnderTest {
    /// Sends a raw body (forms, files); the token as in `http`.
    func raw(
        _ method: String, _ path: String, body: Data, contentType: String, headers: [String: String] = [:], token: String?? = .none
    ) async throws -> (status: Int, json: Any?, text: String) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        let bearer: String?
        switch token {
        case .none: bearer = self.token
        case .some(let given): bearer = given
        }
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await Self.session.data(for: request)
        return (
            (response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data),
            String(decoding: data, as: UTF8.self)
        )
    }
}
