import Bus
import Contracts
import Foundation
import Logging
import NotificationsCore
import ServiceLifecycle

/// Sends queued mail: settles what a crash interrupted, then takes due mails in rounds of up to
/// 50 and sends each round on one SMTP connection, recording every outcome. Without a server
/// configured, mail waits in the queue.
struct MailSender: Service {
    let store: MessageStore
    let smtp: SMTPConfiguration?
    let logger: Logger
    static let round = 50

    func run() async throws {
        let interrupted = try await store.settleInterrupted()
        if interrupted > 0 { logger.warning("mails interrupted while being sent are now unknown", metadata: ["count": "\(interrupted)"]) }
        guard let smtp else {
            logger.notice("no CRM_SMTP_URL: e-mail is queued and waits for a mail server")
            // A service that returns ends the process: wait for the shutdown instead.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var handled = 0
                do {
                    let due = try await store.due(limit: Self.round)
                    if !due.isEmpty {
                        let mails = due.map { message in
                            MailMessage(
                                from: MailAddress(message.from, name: message.fromName), to: message.to.map { MailAddress($0) },
                                subject: message.subject, text: message.text, html: message.html,
                                calendar: message.calendar.map { MailCalendar(method: $0.method, ics: $0.ics) },
                                messageId: message.messageId,
                                date: message.createdAt)
                        }
                        // Each mail is committed as `sending` just before the server hears of it,
                        // so a crash leaves at most one mail whose fate is unknown.
                        let taken = LockedValue<[Int: Message]>([:])
                        let store = store
                        await SMTPClient.send(
                            mails, configuration: smtp,
                            willSend: { index in
                                let message = try await store.take(due[index])
                                taken.withValue { $0[index] = message }
                            },
                            didSend: { index, outcome in
                                guard let message = taken.get()[index] else { return }
                                try await store.settle(message, outcome)
                            })
                        handled += taken.get().count
                    }
                    if due.count == Self.round { continue }
                } catch {
                    logger.warning("sending mail failed; will try again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(handled > 0 ? 50 : 500))
            }
        }
    }
}
