import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Importing contacts or companies from CSV, with a dry run first: how many would be created,
/// which rows are duplicates and which are rejected, by line. The CSV is pasted (or, with the
/// script, read from a chosen file into the same field); the whole file is one request.
struct ImportPages: Sendable {
    let ui: WebUI

    func register(on router: Router<GatewayContext>) {
        router.get("/import", use: form)
        router.post("/import", use: run)
    }

    @Sendable func form(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            ui.renderer.page("import", title: "Import", values: ["kind_contacts": true], session: session)
        }
    }

    @Sendable func run(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let fields = try await ui.form(request, context, limit: ui.api.maxImport)
            let kind = fields["kind"] == "companies" ? "companies" : "contacts"
            let csv = fields["csv"] ?? ""
            let dryRun = fields["commit"] != "yes"
            var values: [String: Any] = ["csv": csv, "kind_\(kind)": true, "kind": kind]
            guard !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                values["error_csv"] = "Paste the CSV file (with its header row), or choose the file."
                return ui.renderer.page("import", title: "Import", values: values, session: session, status: .unprocessableContent)
            }
            do {
                let data = try await ui.api.call(
                    request, context: context, method: ContactsContract.Method.importCSV,
                    body: try Wire.encode(ImportRequest(kind: kind, csv: csv, dryRun: dryRun)), timeout: ExchangeRoutes.longWork)
                let report = try Wire.decode(ImportReport.self, from: data)
                values["report"] = [
                    "dry_run": report.dryRun, "rows": report.rows, "created": report.created, "duplicates": report.duplicateCount,
                    "rejected_count": report.rejectedCount,
                    "rejected": report.rejected.map { ["line": $0.line, "reason": $0.reason] },
                    "duplicate_rows": report.duplicates.prefix(50).map { ["line": $0.line, "reason": $0.reason] },
                    "ignored": report.ignoredHeaders.joined(separator: ", "),
                    "list": kind == "companies" ? "/companies" : "/contacts",
                    "has_rejected": !report.rejected.isEmpty, "has_duplicates": !report.duplicates.isEmpty,
                ]
                values["can_commit"] = report.dryRun && report.created > 0
                return ui.renderer.page("import", title: "Import", values: values, session: session)
            } catch let error as BusError where [.invalid, .conflict, .badRequest, .tooLarge].contains(error.code) {
                values["error_csv"] = error.message
                return ui.renderer.page("import", title: "Import", values: values, session: session, status: .unprocessableContent)
            }
        }
    }
}
