import Bus
import Contracts
import Foundation
import GRDB
import ServiceKit
import Storage
import Testing

@testable import NotificationsCore
@testable import NotificationsService

/// SMS: the providers' wire formats, pacing, quiet hours, templates, and the store's states,
/// receipts, opt-outs and batches.
@Suite("Notifications: SMS")
struct SMSTests {
    static let boss = BusHeaders(actor: "admin", userId: 1, rank: "boss")

    func options(threshold: Double = 0.2) -> SMSOptions {
        SMSOptions(
            provider: .twilio(apiURL: "http://127.0.0.1:1", accountSid: "AC1", authToken: "t"), from: "+4740000000", marketingFrom: "Firma",
            rate: 10,
            publicURL: "https://crm.example.no", stopWords: OptOutKeywords(extra: ["STOPP", "AVMELD"]),
            quietHours: QuietHours(startMinute: 0, endMinute: 1440), priceMinor: 45, currency: "NOK", failureThreshold: threshold,
            reconcileAfter: 30)
    }

    func makeStores(threshold: Double = 0.2) throws -> (SMSStore, BatchStore) {
        let database = try ServiceDatabase(inMemory: NotificationsMigrations.register)
        let options = options(threshold: threshold)
        return (
            SMSStore(database: database, options: options, phones: PhoneNormalizer(defaultCountry: "NO")),
            BatchStore(database: database, options: options)
        )
    }

    /// A contact as contacts' events would bring it.
    func person(_ store: SMSStore, _ id: Int64, mobile: String?, raw: String? = nil, first: String = "Åse") async throws {
        try await store.database.write { db, _ in
            try db.execute(
                sql: "INSERT INTO recipient (contact_id, first_name, last_name, mobile, mobile_raw) VALUES (?, ?, 'Berg', ?, ?)",
                arguments: [id, first, mobile, raw ?? mobile])
        }
    }

    func send(_ store: SMSStore, _ request: SendSMSRequest) async throws -> Message {
        try Wire.decode(Message.self, from: try await store.send(request, headers: Self.boss, requestId: UUID().uuidString))
    }

    // MARK: - Pure parts

    @Test("Twilio's and Vonage's answers in our outcomes")
    func outcomes() {
        func twilio(_ status: Int, _ json: String) -> SMSSendOutcome {
            TwilioWire.outcome(status: status, body: Data(json.utf8), retryAfter: 2)
        }
        #expect(twilio(201, #"{"sid":"SM1","status":"queued"}"#) == .accepted(providerId: "SM1", status: "queued"))
        #expect(twilio(429, #"{"code":20429,"message":"Too Many Requests"}"#) == .throttled(retryAfter: 2, code: "20429"))
        #expect(twilio(400, #"{"code":21610,"message":"unsubscribed"}"#) == .optedOut(code: "21610", text: "unsubscribed"))
        #expect(twilio(400, #"{"code":21211,"message":"invalid To"}"#) == .permanent(code: "21211", text: "invalid To"))
        #expect(twilio(503, "<html>") == .temporary(code: "503", text: "HTTP 503"))
        #expect(twilio(201, "not json") == .ambiguous(reason: "Twilio answered 201 without a message sid"))
        func vonage(_ status: Int, _ json: String) -> SMSSendOutcome {
            VonageWire.outcome(status: status, body: Data(json.utf8), retryAfter: nil)
        }
        #expect(
            vonage(200, #"{"message-count":"2","messages":[{"status":"0","message-id":"A"},{"status":"0","message-id":"B"}]}"#)
                == .accepted(providerId: "A", status: "accepted"))
        #expect(vonage(200, #"{"messages":[{"status":"1","error-text":"Throughput"}]}"#) == .throttled(retryAfter: nil, code: "1"))
        #expect(
            vonage(200, #"{"messages":[{"status":"6","error-text":"Invalid Message"}]}"#) == .permanent(code: "6", text: "Invalid Message"))
        // The form escapes what a form must, + included.
        let form = TwilioWire.form(SMSSubmission(reference: 9, to: "+4791234567", from: "CRM", text: "Hei & hå=1", callbackURL: nil))
        #expect(form == "To=%2B4791234567&From=CRM&Body=Hei%20%26%20h%C3%A5%3D1")
        #expect(SMSProvider.query([("To", "+47 9")]) == "To=%2B47%209")
    }

    @Test("receipts and inbound messages from both providers; bad ones are errors, not crashes")
    func webhooks() throws {
        let twilio = try TwilioWire.receipt(form: "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30005&To=%2B4791234567", reference: 4)
        #expect(twilio == SMSReceipt(reference: 4, providerId: "SM1", state: "undelivered", errorCode: "30005", to: "+4791234567"))
        #expect(throws: SMSWireError.self) { _ = try TwilioWire.receipt(form: "MessageStatus=teleported&MessageSid=SM1", reference: nil) }
        #expect(throws: SMSWireError.self) { _ = try TwilioWire.receipt(form: "MessageStatus=sent", reference: nil) }
        let vonage = try VonageWire.receipt(
            VonageWire.fields(Data(#"{"messageId":"V1","msisdn":"4791234567","status":"delivered","err-code":"0","client-ref":"12"}"#.utf8))
        )
        #expect(vonage == SMSReceipt(reference: 12, providerId: "V1", state: "delivered", errorCode: nil, to: "+4791234567"))
        let inbound = try VonageWire.inbound(VonageWire.fields(Data("msisdn=4791234567&to=4740000000&text=STOPP&messageId=I1".utf8)))
        #expect(inbound.from == "+4791234567" && inbound.text == "STOPP")
        let words = OptOutKeywords(extra: ["stopp", "AVMELD"])
        #expect(words.matches(" Stopp! ") && words.matches("stop") && words.matches("AVMELD"))
        #expect(!words.matches("stop sending me the wrong invoice") && !words.matches("Takk"))
    }

    @Test("the bucket holds the rate in segments, and a slow-down empties it until the provider's time")
    func pacing() {
        var bucket = TokenBucket(rate: 100, burst: 10, now: 0)
        var at = 0.0
        var waits: [Double] = []
        for _ in 0..<110 { waits.append(bucket.reserve(1, now: at)) }
        // The first goes at once (a start is not a burst), then one every 10 ms: the 101st waits a second.
        #expect(waits[0] == 0 && abs(waits[1] - 0.01) < 1e-9)
        #expect(abs(waits[100] - 1.0) < 1e-9)
        at = 5
        #expect(bucket.reserve(3, now: at) == 0)
        bucket.block(until: 7, now: at)
        #expect(bucket.reserve(1, now: at) >= 2)
        #expect(Backoff.delay(attempt: 3, retryAfter: 9) == 9)
        #expect(Backoff.delay(attempt: 3, retryAfter: nil, jitter: 1) == 4)
        #expect(Backoff.delay(attempt: 30, retryAfter: nil, jitter: 0) == 30)
        #expect(Backoff.retryAfter("120") == 120 && Backoff.retryAfter("soon") == nil)
    }

    @Test("quiet hours in the recipient's zone: a Norwegian number at 22:30 Oslo time waits for 08:00")
    func quietHours() throws {
        let quiet = QuietHours(defaultZone: TimeZone(identifier: "America/New_York")!)
        let evening = ISO8601DateFormatter().date(from: "2026-11-27T21:30:00Z")!  // 22:30 in Oslo, 16:30 in New York
        let morning = try #require(quiet.deferral(for: "+4791234567", now: evening))
        #expect(ISO8601DateFormatter().string(from: morning) == "2026-11-28T07:00:00Z")
        #expect(quiet.deferral(for: "+12125550100", now: evening) == nil)
        let early = ISO8601DateFormatter().date(from: "2026-11-27T05:00:00Z")!  // 06:00 in Warsaw
        #expect(ISO8601DateFormatter().string(from: quiet.deferral(for: "+48601234567", now: early)!) == "2026-11-27T07:00:00Z")
        #expect(QuietHours.parse("09:00-20:30", defaultZone: .current)?.endMinute == 1230)
        #expect(QuietHours.parse("21:00-08:00", defaultZone: .current) == nil)
    }

    @Test("the ASCII count is the general count, on random texts of every length")
    func asciiCount() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abc XYZ019{}[]~^|\\`\r\n@$_!\"#%&'()*+,-./:;<=>?")
        for length in [0, 1, 70, 153, 159, 160, 161, 305, 306, 307, 500] {
            for _ in 0..<20 {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                #expect(SMSText(text) == SMSText(general: text), "\(text.debugDescription)")
            }
        }
    }

    @Test("templates fill the customer's fields and refuse unknown ones")
    func templates() throws {
        let template = try SMSTemplate("Hei {{ first_name }} {{last_name}}, takk!")
        #expect(template.render(["first_name": "Åse", "last_name": "Berg"]) == "Hei Åse Berg, takk!")
        #expect(template.render(["first_name": "Åse"]) == "Hei Åse, takk!")
        #expect(throws: SMSTemplate.UnknownField.self) { _ = try SMSTemplate("Hei {{password}}") }
        #expect(try SMSTemplate("{{ unclosed").render([:]) == "{{ unclosed")
    }

    // MARK: - The store

    @Test("a template's company and owner come from contacts' links and settings' users")
    func companyAndOwner() async throws {
        let (store, _) = try makeStores()
        try await person(store, 7, mobile: "+4791234567")
        var link = ContactLink(contactId: 7, companyId: 3)
        link.companyName = "Fjord AS"
        let events: [(Int64, String, Data)] = [
            (1, ContactsContract.Event.linked, try Wire.encode(link))
        ]
        for (sequence, type, payload) in events {
            let event = BusEvent(
                source: ContactsContract.service, sequence: sequence, type: type, occurredAt: "2026-11-27T10:00:00Z", payload: payload)
            try await store.database.applyEvent(source: ContactsContract.service, sequence: sequence) { db, outbox in
                try ContactsConsumer.handle(event, db, outbox)
            }
        }
        try await store.database.write { db, _ in
            try db.execute(sql: "UPDATE recipient SET owner_id = 2 WHERE contact_id = 7")
            try db.execute(sql: "INSERT INTO owner_name (user_id, name) VALUES (2, 'Kari Selger')")
        }
        let sent = try await send(store, SendSMSRequest(to: nil, contactId: 7, text: "Hei {{first_name}} i {{company}}! Hilsen {{owner}}"))
        #expect(sent.text == "Hei Åse i Fjord AS! Hilsen Kari Selger")
        let plain = try await send(store, SendSMSRequest(to: "+4790000000", text: "Hei {{first_name}}"))
        #expect(plain.text == "Hei")
    }

    @Test("sent once: taken as sending, answered, moved forward by receipts and never back")
    func states() async throws {
        let (store, _) = try makeStores()
        try await person(store, 7, mobile: "+4791234567")
        let queued = try await send(store, SendSMSRequest(to: nil, contactId: 7, text: "Hei {{first_name}}"))
        #expect(queued.state == "queued" && queued.to == ["+4791234567"] && queued.text == "Hei Åse" && queued.segments == 1)
        let taken = try await store.take(try await store.due(limit: 10))
        #expect(taken.map(\.id) == [queued.id] && taken[0].state == "sending" && taken[0].attempts == 1)
        #expect(try await store.due(limit: 10).isEmpty)
        // The answer was lost: still sending, and its receipt settles it.
        try await store.settle([(taken[0], .ambiguous(reason: "connection reset"))])
        #expect(try await MessageStoreTests().get(store.database, queued.id).state == "sending")
        let applied = try await store.receipt(SMSReceipt(reference: queued.id, providerId: "SM9", state: "sent", errorCode: nil, to: nil))
        #expect(applied == SMSWebhookResult(outcome: "applied", messageId: queued.id, state: "sent"))
        _ = try await store.receipt(SMSReceipt(reference: nil, providerId: "SM9", state: "delivered", errorCode: nil, to: nil))
        // Late and repeated receipts change nothing.
        for late in ["sent", "delivered", "failed"] {
            let result = try await store.receipt(SMSReceipt(reference: queued.id, providerId: "SM9", state: late, errorCode: nil, to: nil))
            #expect(result.outcome == "ignored" && result.state == "delivered")
        }
        let unmatched = try await store.receipt(SMSReceipt(reference: nil, providerId: "SM-nobody", state: "sent", errorCode: nil, to: nil))
        #expect(unmatched.outcome == "unmatched")
        let final = try await MessageStoreTests().get(store.database, queued.id)
        #expect(final.state == "delivered" && final.providerId == "SM9" && final.deliveredAt != nil)
    }

    @Test("throttling does not count as an attempt; temporary errors retry; 21610 opts the number out for every later send")
    func refusals() async throws {
        let (store, _) = try makeStores()
        let first = try await send(store, SendSMSRequest(to: "912 34 567", text: "a"))
        var taken = try await store.take([first])
        // The time given, not read after: a busy machine must not make Retry-After look shorter.
        let answeredAt = Date()
        try await store.settle([(taken[0], .throttled(retryAfter: 5, code: "20429"))], now: answeredAt)
        var now = try await MessageStoreTests().get(store.database, first.id)
        #expect(now.state == "queued" && now.attempts == 0 && abs(now.nextAttemptAt!.timeIntervalSince(answeredAt) - 5) < 0.01)
        taken = try await store.take([now])
        try await store.settle([(taken[0], .temporary(code: "500", text: "HTTP 500"))])
        now = try await MessageStoreTests().get(store.database, first.id)
        #expect(now.state == "queued" && now.attempts == 1)
        taken = try await store.take([now])
        try await store.settle([(taken[0], .optedOut(code: "21610", text: "unsubscribed"))])
        #expect(try await MessageStoreTests().get(store.database, first.id).state == "failed")
        await #expect(throws: BusError.self) { _ = try await send(store, SendSMSRequest(to: "+4791234567", text: "again")) }
        // A message already queued to that number is refused before the provider hears of it.
        let other = try await send(store, SendSMSRequest(to: "+4798765432", text: "b"))
        _ = try await store.inbound(SMSInbound(from: "+4798765432", to: "+4740000000", text: "avmeld", providerId: nil))
        #expect(try await store.take([other]).isEmpty)
        let refused = try await MessageStoreTests().get(store.database, other.id)
        #expect(refused.state == "failed" && refused.errorCode == "opted_out")
    }

    @Test("marketing needs consent; bad requests change nothing")
    func consent() async throws {
        let (store, _) = try makeStores()
        try await person(store, 3, mobile: "+4791234567")
        await #expect(throws: BusError.self) {
            _ = try await send(store, SendSMSRequest(to: nil, contactId: 3, text: "Tilbud", purpose: "marketing"))
        }
        _ = try await store.database.write { db, outbox in
            try Consents.set(
                db, outbox, SetConsentRequest(contactId: 3, channel: "sms", purpose: "marketing", granted: true, source: "paper"),
                actor: "admin", now: Date())
        }
        let marketing = try await send(store, SendSMSRequest(to: nil, contactId: 3, text: "Tilbud", purpose: "marketing"))
        // Marketing comes from its own sender profile; service messages from the number.
        #expect(marketing.state == "queued" && marketing.from == "Firma")
        #expect(try await send(store, SendSMSRequest(to: "+4791234567", text: "Kvittering")).from == "+4740000000")
        for bad in [
            SendSMSRequest(to: "abc", text: "x"), SendSMSRequest(to: nil, contactId: 99, text: "x"),
            SendSMSRequest(to: "+4791234567", text: "  "), SendSMSRequest(to: "+4791234567", text: "{{nope}}"),
            SendSMSRequest(to: "+4791234567", text: String(repeating: "a", count: 1601)),
        ] {
            await #expect(throws: BusError.self) { _ = try await send(store, bad) }
        }
        let count = try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message")! }
        #expect(count == 2)
    }

    @Test("a batch: exclusions by reason, a snapshot of one message per number, start, counts, done")
    func batch() async throws {
        let (store, batches) = try makeStores()
        try await person(store, 1, mobile: "+4790000001")
        try await person(store, 2, mobile: "+4790000001")  // shares 1's number
        try await person(store, 3, mobile: nil)
        try await person(store, 4, mobile: nil, raw: "12")
        try await person(store, 5, mobile: "+4790000005")
        _ = try await store.inbound(SMSInbound(from: "+4790000005", to: "", text: "STOP", providerId: nil))
        let request = CreateBatchRequest(
            name: "Jul", text: "God jul, {{first_name}}!", contactIds: [1, 2, 3, 4, 5, 6, 1], purpose: "service")
        var dry = request
        dry.dryRun = true
        let plan = try Wire.decode(Batch.self, from: try await batches.create(dry, headers: Self.boss, requestId: "d"))
        #expect(plan.id == nil && plan.recipients == 1 && plan.costMinor == 45)
        #expect(
            plan.excluded == ["duplicate_number": 1, "no_mobile": 1, "invalid_number": 1, "opted_out": 1, "unknown_customer": 1])
        let created = try Wire.decode(Batch.self, from: try await batches.create(request, headers: Self.boss, requestId: "c"))
        #expect(created.state == "draft" && created.counts.queued == 1)
        #expect(try await store.due(limit: 10).isEmpty, "a draft's messages are not due")
        _ = try await batches.change(created.id!, to: "start")
        let due = try await store.due(limit: 10)
        #expect(due.map(\.text) == ["God jul, Åse!"])
        let taken = try await store.take(due)
        try await store.settle([(taken[0], .accepted(providerId: "SM1", status: "queued"))])
        let done = try await batches.get(id: created.id!)
        #expect(done.state == "done" && done.counts.sent == 1 && done.counts.total == 1)
        await #expect(throws: BusError.self) { _ = try await batches.change(created.id!, to: "pause") }
        let seen = try await batches.ofCustomer(ListBatchesRequest(contactId: 5))
        #expect(seen.map(\.outcome) == ["excluded: opted_out"])
    }

    @Test("a batch pauses itself when failures pass its threshold, and resumes and cancels on request")
    func autoPause() async throws {
        let (store, batches) = try makeStores(threshold: 0.2)
        for id in Int64(1)...40 { try await person(store, id, mobile: "+47900000\(String(format: "%02d", id))") }
        let created = try Wire.decode(
            Batch.self,
            from: try await batches.create(
                CreateBatchRequest(name: "Feil", text: "x", contactIds: Array(1...40), purpose: "service"), headers: Self.boss,
                requestId: "a"))
        _ = try await batches.change(created.id!, to: "start")
        let taken = try await store.take(try await store.due(limit: 25))
        try await store.settle(taken.map { ($0, SMSSendOutcome.permanent(code: "21211", text: "invalid To")) })
        let paused = try await batches.get(id: created.id!)
        #expect(paused.state == "paused" && paused.pausedReason?.contains("20 of 20") == true)
        #expect(paused.topErrors.first == ErrorCount(error: "21211: invalid To", count: 25))
        #expect(try await store.due(limit: 50).isEmpty, "a paused batch sends nothing")
        _ = try await batches.change(created.id!, to: "resume")
        #expect(try await store.due(limit: 50).count == 15)
        let cancelled = try await batches.change(created.id!, to: "cancel")
        #expect(cancelled.state == "cancelled" && cancelled.counts.queued == 0 && cancelled.counts.failed == 40)
        #expect(try await store.due(limit: 50).isEmpty)
    }
}

extension MessageStoreTests {
    func get(_ database: ServiceDatabase, _ id: Int64) async throws -> Message {
        try await database.read { db in try MessageStore.message(db, id: id)! }
    }
}
