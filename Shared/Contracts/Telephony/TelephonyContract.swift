/// The telephony service's bus contract.
public enum TelephonyContract: ServiceContract {
    public static let service = "telephony"

    /// The methods, each with the types it takes and answers.
    public enum Method {
        /// Takes generic call events (docs/formats: one object or an array); telephony reads the
        /// body by hand.
        public static let ingest = method("ingest", IngestRequest.self, IngestReply.self)
        /// Takes generic call events into the durable ingest log and answers before they are in
        /// the call log.
        public static let ingestQueued = method("ingest_queued", IngestRequest.self, QueuedReply.self)
        /// Takes a provider's webhook or a CDR file.
        public static let ingestFormat = method("ingest_format", FormatIngestRequest.self, IngestReport.self)
        public static let listCalls = method("calls.list", ListCallsRequest.self, Page<Call>.self)
        public static let getCall = method("calls.get", CallIdRequest.self, Call.self)
        /// Remote numbers of calls that matched nobody, with counts.
        public static let unmatched = method("calls.unmatched", UnmatchedRequest.self, Page<UnmatchedNumber>.self)
        /// Per employee: who spoke with a contact or company, how often, and when last.
        public static let speakers = method("calls.speakers", SpeakersRequest.self, [Speaker].self)
        /// Every call with one contact, page by page, whoever took them: for the contacts
        /// service's GDPR export (open to services; a user asks through `contacts.export_person`).
        public static let callsOfPerson = method("calls.of_person", ListCallsRequest.self, Page<Call>.self)
    }

    public enum Event {
        /// A call ended and is in the log.
        public static let logged = "call.logged"
        /// A logged call changed (a late event arrived, or its number now matches someone).
        public static let updated = "call.updated"
        /// An inbound call nobody answered (missed or voicemail): a call-back is due.
        public static let missed = "call.missed"
    }

    /// The most events one ingest request takes.
    public static let maxBatch = 1000

    /// The outcomes of a call that is over, and the states of one that is not.
    public static let outcomes: Set<String> = ["answered", "missed", "busy", "failed", "no_answer", "voicemail"]
    public static let states: Set<String> = outcomes.union(["ringing", "in_progress"])
}
