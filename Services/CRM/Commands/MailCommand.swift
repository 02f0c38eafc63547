import ArgumentParser
import Foundation
import NotificationsCore

/// `crm mail`: send a test mail through the configured SMTP server (an operator's check of
/// `CRM_SMTP_URL`), and `crm mail sms-preview`: how an SMS text would travel.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Check the mail server settings; preview an SMS text.",
        subcommands: [MailSendCommand.self, SMSPreviewCommand.self])
}

struct MailSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send one mail through CRM_SMTP_URL (or --smtp) and print what the server answered.")

    @Option(help: "smtp://user:password@host:587 (STARTTLS), smtps://host:465, or smtp+plain://127.0.0.1:2525.")
    var smtp = ProcessInfo.processInfo.environment["CRM_SMTP_URL"] ?? ""
    @Option(help: "A PEM file of certificates to trust instead of the system's.") var caFile: String?
    @Option(help: "The sender's address.") var from = ProcessInfo.processInfo.environment["CRM_MAIL_FROM"] ?? ""
    @Option(help: "A recipient's address (repeat for more).") var to: [String] = []
    @Option(help: "The subject.") var subject = "Test from the CRM"
    @Option(help: "The text body.") var text = "This is a test mail from the CRM's notifications settings."
    @Option(help: "An HTML body.") var html: String?
    @Option(help: "An iCalendar file to send as an invitation (its METHOD is read from it).") var ics: String?
    @Option(help: "A file to attach (repeat for more).") var attach: [String] = []
    @Option(help: "How many copies to send on the one connection (each its own Message-ID).") var copies = 1

    func run() async throws {
        var configuration = try SMTPConfiguration.parse(smtp)
        configuration.trustRootsFile = caFile
        guard !to.isEmpty else { throw ValidationError("give at least one --to") }
        guard (1...1000).contains(copies) else { throw ValidationError("--copies is 1 to 1000") }
        var calendar: MailCalendar?
        if let ics {
            let text = try String(contentsOfFile: ics, encoding: .utf8)
            let method =
                text.components(separatedBy: .newlines).first { $0.uppercased().hasPrefix("METHOD:") }.map { String($0.dropFirst(7)) }
                ?? "REQUEST"
            calendar = MailCalendar(method: method.trimmingCharacters(in: .whitespaces), ics: text)
        }
        let files = try attach.map { path in
            MailAttachment(
                filename: (path as NSString).lastPathComponent, contentType: "application/octet-stream",
                data: try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        let messages = (0..<copies).map { _ in
            MailMessage(
                from: MailAddress(from), to: to.map { MailAddress($0) }, subject: subject, text: text, html: html, calendar: calendar,
                attachments: files, messageId: MailMessage.makeMessageId(domain: domain), date: Date())
        }
        let outcomes = await SMTPClient.send(messages, configuration: configuration)
        for (message, outcome) in zip(messages, outcomes) { print("\(message.messageId) \(outcome)") }
        if !outcomes.allSatisfy(\.isSent) { throw ExitCode(1) }
    }
}

struct SMSPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms-preview", abstract: "How an SMS text travels: GSM-7 or UCS-2, its parts, and what forced UCS-2.")

    @Argument(help: "The text.") var text: String

    func run() throws {
        let sms = SMSText(text)
        let forcing = sms.forcingUCS2.map { String($0) }.joined(separator: " ")
        print(
            "\(sms.encoding.rawValue) \(sms.units) units, \(sms.segments) part(s) of \(sms.perSegment)"
                + (forcing.isEmpty ? "" : "; UCS-2 because of: \(forcing)"))
    }
}
