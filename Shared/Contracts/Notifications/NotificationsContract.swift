/// The notifications service's bus contract: e-mail (SMS and batches come next, issue 16).
public enum NotificationsContract: ServiceContract {
    public static let service = "notifications"

    public enum Method {
        /// Queues an e-mail (answers at once, state `queued`; the sender takes it from there).
        public static let sendEmail = method("messages.send_email", SendEmailRequest.self, Message.self)
        public static let getMessage = method("messages.get", MessageIdRequest.self, Message.self)
        /// Messages, newest first: all, or a customer's.
        public static let listMessages = method("messages.list", ListMessagesRequest.self, Page<Message>.self)
        /// How an SMS text would travel: encoding, parts, the characters that forced UCS-2.
        public static let smsPreview = method("sms.preview", SMSPreviewRequest.self, SMSPreview.self)
    }

    public enum Event {
        public static let queued = "message.queued"
        public static let sent = "message.sent"
        public static let failed = "message.failed"
        /// The server may or may not have taken it: a person decides whether to send it again.
        public static let unknown = "message.unknown"
    }
}
