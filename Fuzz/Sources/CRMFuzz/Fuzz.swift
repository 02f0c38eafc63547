import Bus
import CFuzzerDriver
import Contracts
import Foundation
import NIOCore
import ServiceKit

/// One libFuzzer target per parser of outside input, chosen by `CRM_FUZZ_TARGET` (scripts/fuzz.sh
/// runs each over its corpus in Fuzz/corpus/<target>). A parser may refuse an input with an error;
/// what it must never do is trap (overflow, out-of-range index, force-unwrap), hang, or blow the
/// stack, and libFuzzer reports any of those as a crash with the input that caused it.
enum FuzzTarget: String, CaseIterable {
    case callEventJSON = "call-event-json"
    case twilio, vonage, asterisk, asteriskCustom = "asterisk-custom", freeswitch, threeCX = "3cx"
    case ami
    case csv
    case vcard
    case busHeaders = "bus-headers"
    case busTimeout = "bus-timeout"
    case times
    case jsonBodies = "json-bodies"
    case formData = "form-data"
    case smtpReply = "smtp-reply"
    case smsWebhook = "sms-webhook"
    case money
    case calendar
    case importFile = "import-file"

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["CRM_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("crm-fuzz: set CRM_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .callEventJSON:
            _ = try? CallEventJSON.event(data)
            _ = try? CallEventJSON.requestAndEvents(data)
        case .twilio, .vonage, .asterisk, .asteriskCustom, .freeswitch, .threeCX:
            _ = try? CallFormats.parse(FormatIngestRequest(format: rawValue, producer: nil, content: data, timeZone: "Europe/Oslo"))
        case .ami:
            // The connector's reading of a block: "Key: Value" lines.
            var fields: [String: String] = [:]
            for line in text.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            _ = AMIMapper.events(fields, receivedAt: Date(timeIntervalSince1970: 1_800_000_000))
        case .csv:
            _ = try? CSVReader(delimiter: CSVReader.detect(text)).records(text)
            _ = CSVWriter.line(text.split(separator: ",").map(String.init))
        case .vcard:
            _ = try? VCard.read(text)
            _ = VCard.unescape(text)
            _ = VCard.fold(text)
        case .busHeaders:
            for role in [nil, "gateway", "telephony"] { _ = HeaderPolicy.admit(data, role: role) }
        case .busTimeout:
            _ = BusProtocol.timeoutMilliseconds(data, fallback: 5000)
        case .times:
            _ = CallFormats.localTime(text, zone: TimeZone(identifier: "Europe/Oslo")!)
            _ = CallFormats.seconds(text)
            _ = CallFormats.isoTime(text)
            _ = TwilioFormat.rfc2822(text)
            _ = Timestamp.parse(text)
            _ = AsteriskCDR.callerId(text)
        case .formData:
            // The first line is the Content-Type; the rest the body, fed in pieces of the sizes
            // its first bytes give (so boundaries fall across pieces too).
            let parts = data.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
            _ = FormDataReader.boundary(String(decoding: parts.first ?? Data(), as: UTF8.self))
            _ = FormDataReader.parameters(text)
            guard parts.count == 2, let reader = try? FormDataReader(contentType: String(decoding: parts[0], as: UTF8.self)) else { return }
            var body = Data(parts[1])
            var piece = 1
            while !body.isEmpty {
                let size = min(body.count, max(1, Int(body.first ?? 1) % 64 + piece))
                guard (try? reader.feed(ByteBuffer(bytes: body.prefix(size)))) != nil else { return }
                body.removeFirst(size)
                piece += 1
            }
            _ = reader.sawCompleteFile
        case .smtpReply:
            for line in text.components(separatedBy: "\r\n") {
                if let reply = SMTPReplyLine.parse(line) { precondition((200...599).contains(reply.code)) }
            }
        case .smsWebhook:
            // The first byte picks the webhook; the rest is its body, as a provider would post it.
            let body = Data(data.dropFirst())
            let form = String(decoding: body, as: UTF8.self)
            switch data.first.map({ $0 % 6 }) ?? 0 {
            case 0: _ = try? TwilioWire.receipt(form: form, reference: 1)
            case 1: _ = try? TwilioWire.inbound(form: form)
            case 2: _ = try? VonageWire.receipt(VonageWire.fields(body))
            case 3: _ = try? VonageWire.inbound(VonageWire.fields(body))
            case 4: _ = TwilioWire.outcome(status: Int(data.count % 600), body: body, retryAfter: nil)
            default: _ = VonageWire.outcome(status: 200, body: body, retryAfter: nil)
            }
            _ = OptOutKeywords(extra: ["STOPP"]).matches(form)
        case .money:
            // Amounts as people type them: never a crash, and what is shown reads back the same.
            for currency in ["NOK", "JPY", "KWD"] {
                if let minor = MinorUnits.parse(text, currency: currency) {
                    precondition(MinorUnits.parse(MinorUnits.text(minor, currency), currency: currency) == minor)
                    precondition(MinorUnits.parse(MinorUnits.text(minor, currency, grouped: true), currency: currency) == minor)
                }
            }
            if data.count >= 8 {
                let minor = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }.magnitude
                let value = Int64(minor % UInt64(Int64.max))
                precondition(MinorUnits.parse(MinorUnits.text(value, "NOK"), currency: "NOK") == value)
            }
        case .calendar:
            // Text folded into content lines: whole UTF-8 lines of at most 75 octets that unfold to the
            // escaped text; a recurrence built from the bytes either refused with a reason or expanded
            // within its count, in order, never before its start.
            var writer = ICalendarWriter()
            writer.text("SUMMARY", text)
            let body = Array(writer.output.utf8.dropLast(2))
            var start = 0
            for index in body.indices.dropLast() where body[index] == 13 && body[index + 1] == 10 {
                precondition(index - start <= 75 && String(bytes: body[start..<index], encoding: .utf8) != nil)
                start = index + 2
            }
            precondition(body.count - start <= 75)
            // Unfolded as a parser does, by octets (a fold may come before a combining mark, which a
            // Swift string would join to the space).
            var unfolded: [UInt8] = []
            var position = 0
            while position < body.count {
                if position + 2 < body.count, body[position] == 13, body[position + 1] == 10, body[position + 2] == 32 {
                    position += 3
                    continue
                }
                unfolded.append(body[position])
                position += 1
            }
            precondition(unfolded == Array(("SUMMARY:" + ICalendarWriter.escape(text)).utf8))
            guard data.count >= 8 else { return }
            let bytes = Array(data)
            var rule = Recurrence(frequency: ["daily", "weekly", "monthly", "yearly", "hourly"][Int(bytes[0]) % 5])
            rule.interval = bytes[1] % 4 == 0 ? nil : Int(bytes[1]) - 100
            if bytes[2] % 3 == 0 {
                rule.count = Int(bytes[2]) * 8 - 200
            } else if bytes[2] % 3 == 1 {
                rule.until = CivilDate.text(CivilDate.days(2026, 1, 1) + Int64(bytes[2]) * 40 - 400)
            }
            let weekdays = Series.weekdays
            switch bytes[3] % 4 {
            case 0: rule.byDay = (0..<Int(bytes[4] % 8)).map { weekdays[(Int(bytes[5]) + $0) % 7] }
            case 1: rule.byDay = ["\(Int(bytes[4] % 11) - 5)\(weekdays[Int(bytes[5]) % 7])"]
            case 2: rule.byMonthDay = Int(bytes[4] % 70) - 35
            default: break
            }
            if bytes[6] % 5 == 0 { rule.byMonth = Int(bytes[6] % 14) }
            let startDay = CivilDate.days(2026, 1, 1) + Int64(bytes[7]) * 3
            let zone = TimeZone(identifier: ["Europe/Oslo", "America/New_York", "Australia/Lord_Howe", "UTC"][Int(bytes[7]) % 4])!
            guard Series.problem(rule, startDay: startDay) == nil else { return }
            let first = Series.instant(localSeconds: startDay * 86_400 + 9 * 3600, zone: zone)
            let series = Series(allDay: bytes[1] % 2 == 0, zone: zone, firstStart: first, duration: 3600, rule: rule, changes: [])
            let found = series.occurrences(
                from: first.addingTimeInterval(-86_400), to: first.addingTimeInterval(3 * 366 * 86_400), limit: 2000)
            precondition(found.count <= (rule.count ?? Int.max))
            precondition(zip(found, found.dropFirst()).allSatisfy { $0.start < $1.start })
            precondition(found.allSatisfy { $0.start >= series.firstStart.addingTimeInterval(-86_400) })
            _ = series.rrule()
            _ = series.lastEnd()
        case .importFile:
            // A file posted as it is: read in the encoding it seems to be in, then searched for.
            let (decoded, encoding) = TextDecoding.decode(data)
            if encoding == "UTF-8" { precondition(Array(decoded.utf8) == Array(data)) }
            if encoding == "Windows-1252" { precondition(decoded.unicodeScalars.count == data.count) }
            _ = TextFold.plain(decoded)
            _ = ImportHeaders.plain(decoded)
        case .jsonBodies:
            _ = try? Wire.decode(CreateContactRequest.self, from: data)
            _ = try? Wire.decode(UpdateContactRequest.self, from: data)
            _ = try? Wire.decode(CompanyInput.self, from: data)
            _ = try? Wire.decode(ListContactsRequest.self, from: data)
            _ = try? Wire.decode(CreateTokenRequest.self, from: data)
            _ = try? Wire.decode(CreateDealRequest.self, from: data)
            _ = try? Wire.decode(UpdateDealRequest.self, from: data)
            _ = try? Wire.decode(MoveDealRequest.self, from: data)
            _ = try? Wire.decode(BoardRequest.self, from: data)
            _ = try? Wire.decode(CreateTaskRequest.self, from: data)
            _ = try? Wire.decode(UpdateTaskRequest.self, from: data)
            _ = try? Wire.decode(SaveAppointmentRequest.self, from: data)
            _ = try? Wire.decode(ListTasksRequest.self, from: data)
        }
    }
}

/// The program's entry: SwiftPM links an executable's `main` to `<module>_main`, so libFuzzer's own
/// `main` is not used; this hands the command line to libFuzzer's driver instead.
@_cdecl("CRMFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = FuzzTarget.selected
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { start, size in
        let data = start.map { Data(bytes: $0, count: size) } ?? Data()
        FuzzTarget.selected.run(data)
        return 0
    }
}

/// The callback libFuzzer's runtime refers to by name; the same as the driver's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: size) } ?? Data()
    FuzzTarget.selected.run(data)
    return 0
}
