/// The notifications service's bus contract: e-mail and SMS, one at a time or in batches,
/// consent and opt-out.
public enum NotificationsContract: ServiceContract {
    public static let service = "notifications"

    public enum Method {
        /// Queues an e-mail (answers at once, state `queued`; the sender takes it from there).
        public static let sendEmail = method("messages.send_email", SendEmailRequest.self, Message.self)
        public static let getMessage = method("messages.get", MessageIdRequest.self, Message.self)
        /// Messages, newest first: all, or a customer's, or a batch's.
        public static let listMessages = method("messages.list", ListMessagesRequest.self, Page<Message>.self)
        /// How an SMS text would travel: encoding, parts, the characters that forced UCS-2.
        public static let smsPreview = method("sms.preview", SMSPreviewRequest.self, SMSPreview.self)
        /// Queues one SMS (refused for an opted-out number, or marketing without consent).
        public static let sendSMS = method("sms.send", SendSMSRequest.self, Message.self)
        /// A provider's status callback or inbound message (the gateway checked its signature).
        public static let webhook = method("sms.webhook", SMSWebhookRequest.self, SMSWebhookResult.self)
        public static let createBatch = method("batches.create", CreateBatchRequest.self, Batch.self)
        public static let getBatch = method("batches.get", BatchIdRequest.self, Batch.self)
        public static let listBatches = method("batches.list", ListBatchesRequest.self, Page<Batch>.self)
        /// The batches a customer was in, with their message's outcome.
        public static let customerBatches = method("batches.of_customer", ListBatchesRequest.self, [CustomerBatch].self)
        public static let startBatch = method("batches.start", BatchIdRequest.self, Batch.self)
        public static let pauseBatch = method("batches.pause", BatchIdRequest.self, Batch.self)
        public static let resumeBatch = method("batches.resume", BatchIdRequest.self, Batch.self)
        public static let cancelBatch = method("batches.cancel", BatchIdRequest.self, Batch.self)
        public static let setConsent = method("consents.set", SetConsentRequest.self, ConsentState.self)
        public static let consents = method("consents.get", ConsentsRequest.self, ConsentState.self)
    }

    public enum Event {
        public static let queued = "message.queued"
        public static let sent = "message.sent"
        public static let delivered = "message.delivered"
        public static let undelivered = "message.undelivered"
        public static let failed = "message.failed"
        /// The server may or may not have taken it: a person decides whether to send it again.
        public static let unknown = "message.unknown"
        public static let batchCreated = "batch.created"
        /// At most once a second while a batch runs.
        public static let batchProgress = "batch.progress"
        public static let batchFinished = "batch.finished"
        public static let consentChanged = "consent.changed"

        /// The event that says a message reached `state`.
        public static func of(state: String) -> String {
            switch state {
            case "sent": sent
            case "delivered": delivered
            case "undelivered": undelivered
            case "failed": failed
            case "unknown": unknown
            default: queued
            }
        }
    }
}
