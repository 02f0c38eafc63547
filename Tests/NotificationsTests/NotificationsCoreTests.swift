import Foundation
import Testing

@testable import NotificationsCore

/// The pieces of the notifications service that need no server: SMS counting, MIME rendering,
/// SMTP reply lines and settings. (The SMTP client itself is tested against aiosmtpd:
/// Tests/Python/test_mail.py.)
@Suite("Notifications: SMS text, MIME, SMTP lines")
struct NotificationsCoreTests {
    @Test("SMS parts: GSM-7 with its two-septet characters, UCS-2 with surrogate pairs, never split")
    func smsParts() {
        #expect(SMSText("").segments == 1)
        #expect(SMSText(String(repeating: "a", count: 160)).segments == 1)
        #expect(SMSText(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText(String(repeating: "a", count: 307)).segments == 3)
        let euro = SMSText(String(repeating: "€", count: 81))
        #expect(euro.encoding == .gsm7 && euro.units == 162 && euro.segments == 2)
        #expect(SMSText("Blåbærsyltetøy på Ærøy").encoding == .gsm7)
        let polish = SMSText("Dzień dobry")
        #expect(polish.encoding == .ucs2 && polish.forcingUCS2 == ["ń"])
        #expect(SMSText(String(repeating: "😀", count: 34) + "a").segments == 1)
        #expect(SMSText(String(repeating: "😀", count: 35) + "a").segments == 2)
        // A flag is two scalars, four UTF-16 units: one character that forces UCS-2.
        #expect(SMSText("Hei 🇳🇴").forcingUCS2 == ["🇳🇴"] && SMSText("Hei 🇳🇴").units == 8)
    }

    @Test("headers in UTF-8 become encoded words that decode to the text, every line within 78 octets")
    func encodedWords() throws {
        let subject = String(repeating: "Møtebekreftelse – ", count: 8)
        let folded = MailMessage.header("Subject", MailMessage.encodedWords(subject))
        for line in folded.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        let words = folded.dropFirst("Subject:".count).components(separatedBy: CharacterSet(charactersIn: " \r\n")).filter { !$0.isEmpty }
        let decoded = try words.map { word -> String in
            let base64 = try #require(word.hasPrefix("=?UTF-8?B?") ? word.dropFirst(10).dropLast(2) : nil)
            return String(decoding: try #require(Data(base64Encoded: String(base64))), as: UTF8.self)
        }.joined()
        #expect(decoded == subject.replacingOccurrences(of: "\n", with: " "))
        #expect(MailMessage.encodedWords("Plain ASCII") == "Plain ASCII")
        #expect(MailMessage.encodedWords("not =?a?b?= plain").hasPrefix("=?UTF-8?B?"))
    }

    @Test("quoted-printable: 76-octet lines, soft breaks, a leading dot and trailing space encoded")
    func quotedPrintable() {
        let text = ".leading dot\n" + String(repeating: "æ", count: 60) + "\ntrailing \n=equals"
        let encoded = MailMessage.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(!line.hasPrefix("."))
        }
        #expect(encoded.hasPrefix("=2Eleading dot\r\n"))
        #expect(encoded.contains("trailing=20\r\n"))
        #expect(encoded.contains("=3Dequals"))
    }

    @Test("a mail with every part: the structure RFC 6047 asks for, and refusals for bad addresses")
    func rendering() throws {
        var mail = MailMessage(
            from: MailAddress("salg@crm.test", name: "Salg – CRM"), to: [MailAddress("ase@example.no", name: "Åse")], subject: "Hei",
            text: "Tekst", html: "<p>Tekst</p>", calendar: MailCalendar(method: "request", ics: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            attachments: [MailAttachment(filename: "tilbud å.pdf", contentType: "application/pdf", data: Data([1, 2, 3]))],
            messageId: "<x@crm.test>", date: Date(timeIntervalSince1970: 1_795_780_800))
        let text = try mail.rendered(boundarySeed: "seed")
        #expect(text.contains("Date: Fri, 27 Nov 2026 12:00:00 +0000"))
        #expect(text.contains("Content-Type: multipart/mixed;"))
        #expect(text.contains("multipart/alternative"))
        #expect(text.contains("text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(text.contains("filename=\"invite.ics\""))
        #expect(text.contains("filename=UTF-8''tilbud%20%C3%A5.pdf"))
        #expect(text.contains("From: =?UTF-8?B?"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        mail.to = [MailAddress("not an address")]
        #expect(throws: MailError.self) { _ = try mail.rendered() }
        mail.to = []
        #expect(throws: MailError.self) { _ = try mail.rendered() }
    }

    @Test("SMTP reply lines: code, last or not, text; anything else is not SMTP")
    func replyLines() {
        #expect(SMTPReplyLine.parse("250-PIPELINING") == SMTPReplyLine(code: 250, final: false, text: "PIPELINING"))
        #expect(SMTPReplyLine.parse("250 OK") == SMTPReplyLine(code: 250, final: true, text: "OK"))
        #expect(SMTPReplyLine.parse("354") == SMTPReplyLine(code: 354, final: true, text: ""))
        for bad in ["", "25", "abc OK", "2500 x", "199 too low", "600 too high", "250_x", "+25 x", "٢٥٠ x"] {
            #expect(SMTPReplyLine.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("the SMTP URL: STARTTLS, implicit TLS, or plain on loopback only and never with a password")
    func configuration() throws {
        let submission = try SMTPConfiguration.parse("smtp://crm:p%40ss@mail.example.no")
        #expect(submission.security == .startTLS && submission.port == 587 && submission.username == "crm" && submission.password == "p@ss")
        #expect(try SMTPConfiguration.parse("smtps://mail.example.no").port == 465)
        #expect(try SMTPConfiguration.parse("smtp+plain://127.0.0.1:2525").security == .plain)
        for bad in ["smtp+plain://mail.example.no", "smtp+plain://u:p@127.0.0.1", "http://mail.example.no", "smtp://", "mail.example.no"] {
            #expect(throws: MailError.self, "\(bad)") { _ = try SMTPConfiguration.parse(bad) }
        }
    }

    @Test("dot-stuffing: every line that starts with a dot gets another")
    func dotStuffing() {
        #expect(SMTPClient.Session.dotStuffed(".a\r\nb\r\n.\r\n..c") == "..a\r\nb\r\n..\r\n...c\r\n")
    }
}
