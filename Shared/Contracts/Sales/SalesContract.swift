/// The sales service's bus contract: projects, deals and their stage history, the sales board,
/// forecasts and reports, and what is done with a board's customers (export, batch SMS).
public enum SalesContract: ServiceContract {
    public static let service = "sales"

    public enum Method {
        public static let listProjects = method("projects.list", NoParameters.self, [SalesProject].self)
        public static let getProject = method("projects.get", IdRequest.self, SalesProject.self)
        public static let createProject = method("projects.create", SaveProjectRequest.self, SalesProject.self)
        public static let updateProject = method("projects.update", SaveProjectRequest.self, SalesProject.self)

        public static let createDeal = method("deals.create", CreateDealRequest.self, Deal.self)
        public static let getDeal = method("deals.get", IdRequest.self, Deal.self)
        public static let listDeals = method("deals.list", ListDealsRequest.self, Page<Deal>.self)
        public static let updateDeal = method("deals.update", UpdateDealRequest.self, Deal.self)
        /// The board's drag and drop: answers the changed columns' new totals.
        public static let moveDeal = method("deals.move", MoveDealRequest.self, MovedDeal.self)
        public static let winDeal = method("deals.win", CloseDealRequest.self, Deal.self)
        public static let loseDeal = method("deals.lose", CloseDealRequest.self, Deal.self)
        public static let postponeDeal = method("deals.postpone", CloseDealRequest.self, Deal.self)
        public static let reopenDeal = method("deals.reopen", CloseDealRequest.self, Deal.self)
        public static let deleteDeal = method("deals.delete", DealVersionRequest.self, Deal.self)
        public static let restoreDeal = method("deals.restore", DealVersionRequest.self, Deal.self)
        public static let dealHistory = method("deals.history", IdRequest.self, [DealStage].self)
        /// A customer's deals, and a contact's part in other customers' deals.
        public static let customerDeals = method("customers.deals", CustomerDealsRequest.self, CustomerDeals.self)

        public static let board = method("board.get", BoardRequest.self, Board.self)
        /// The board's customers as rows for a CSV, for a boss or a user with the `export`
        /// permission; each export is recorded (`exports`).
        public static let exportBoard = method("board.export", BoardRequest.self, BoardExport.self)
        public static let exports = method("board.exports", NoParameters.self, [ExportAuditEntry].self)
        /// The contacts a batch SMS to the board's customers goes to (refused where the project
        /// has SMS off).
        public static let smsRecipients = method("board.sms_recipients", BoardRequest.self, SMSRecipients.self)
        public static let forecast = method("forecast", ForecastRequest.self, Forecast.self)
        public static let report = method("reports.summary", SalesReportRequest.self, SalesReport.self)

        /// Settings asks how many deals use a sales category, stage, source or reason, and moves them.
        public static let referenceUsage = ReferenceOwnerContract.usage(of: service)
        public static let referenceMove = ReferenceOwnerContract.move(of: service)
    }

    /// Event types; each carries a `DealChanged` with the customer's id, for the card's history.
    public enum Event {
        public static let created = "deal.created"
        public static let updated = "deal.updated"
        public static let moved = "deal.moved"
        public static let won = "deal.won"
        public static let lost = "deal.lost"
        public static let postponed = "deal.postponed"
        public static let reopened = "deal.reopened"
        public static let deleted = "deal.deleted"
        public static let restored = "deal.restored"
    }

    /// The most items one page holds.
    public static let maxPageSize = 200
    /// The most customers an export or batch SMS takes.
    public static let maxBoardCustomers = 100_000
}
