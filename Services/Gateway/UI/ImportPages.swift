import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Importing contacts or companies from CSV, with a dry run first: how many would be created,
/// which rows are duplicates and which are rejected, by line, and which column went to which
/// field (changed there: the next run sends that mapping). The CSV is pasted (or, with the
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
            let pairs = try await ui.formPairs(request, context, limit: ui.api.maxImport)
            let fields = Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let kind = ["companies", "vcards"].contains(fields["kind"] ?? "") ? fields["kind"]! : "contacts"
            let csv = fields["csv"] ?? ""
            let dryRun = fields["commit"] != "yes"
            var values: [String: Any] = ["csv": csv, "kind_\(kind)": true, "kind": kind]
            guard !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                values["error_csv"] =
                    kind == "vcards"
                    ? "Paste the vCards, or choose the file." : "Paste the CSV file (with its header row), or choose the file."
                return ui.renderer.page("import", title: "Import", values: values, session: session, status: .unprocessableContent)
            }
            // The mapping table of an earlier dry run: a column's header and the field chosen for it,
            // in the same order (only when the kind is the one it was made for).
            var mapping: [String: String]?
            if fields["mapped_kind"] == kind {
                let headers = pairs.filter { $0.name == "column" }.map(\.value)
                let targets = pairs.filter { $0.name == "target" }.map(\.value)
                if !headers.isEmpty, headers.count == targets.count {
                    mapping = Dictionary(
                        zip(headers, targets).filter { !$0.1.isEmpty }.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
                }
            }
            do {
                let report: ImportReport
                if kind == "vcards" {
                    // vCards (2.1 to 4.0) are contacts; their properties say what each value is.
                    let ask = ImportRequest(kind: "contacts", vcf: csv, dryRun: dryRun)
                    report = try await ui.api.callDecoded(
                        request, context: context, method: ContactsContract.Method.importVCard, body: ask, timeout: ExchangeRoutes.longWork)
                } else {
                    var ask = ImportRequest(kind: kind, csv: csv, dryRun: dryRun)
                    ask.mapping = mapping
                    report = try await ui.api.callDecoded(
                        request, context: context, method: ContactsContract.Method.importCSV, body: ask, timeout: ExchangeRoutes.longWork)
                }
                values["report"] = [
                    "dry_run": report.dryRun, "rows": report.rows, "created": report.created, "duplicates": report.duplicateCount,
                    "rejected_count": report.rejectedCount,
                    "rejected": report.rejected.map { ["line": $0.line, "reason": $0.reason] },
                    "duplicate_rows": report.duplicates.prefix(50).map { ["line": $0.line, "reason": $0.reason] },
                    "ignored": report.ignoredHeaders.joined(separator: ", "),
                    "list": kind == "companies" ? "/companies" : "/contacts",
                    "has_rejected": !report.rejected.isEmpty, "has_duplicates": !report.duplicates.isEmpty,
                    "warnings": (report.warnings ?? []).prefix(200).map { ["line": $0.line, "reason": $0.reason] },
                    "has_warnings": !(report.warnings ?? []).isEmpty, "warning_count": report.warningCount ?? 0,
                    "dates": (report.columns ?? []).compactMap { column in
                        column.dateFormat.map { ["column": column.header, "form": $0] }
                    },
                ]
                values["can_commit"] = report.dryRun && report.created > 0
                if kind != "vcards" { values.merge(Self.columns(report.columns ?? [], kind: kind)) { _, new in new } }
                return ui.renderer.page("import", title: "Import", values: values, session: session)
            } catch let error as BusError where [.invalid, .conflict, .badRequest, .tooLarge].contains(error.code) {
                values["error_csv"] = error.message
                // No column mapped itself: the header's columns to choose fields for.
                if kind != "vcards", mapping == nil, error.code == .conflict,
                    let header = (try? CSVReader(delimiter: CSVReader.detect(csv)).records(String(csv.prefix(while: { !$0.isNewline }))))?
                        .first
                {
                    values.merge(
                        Self.columns(
                            header.fields.map { ImportColumn(header: $0.trimmingCharacters(in: .whitespaces), field: nil) }, kind: kind)
                    ) { _, new in new }
                    values["error_csv"] = error.message + " Choose below where each column goes."
                }
                return ui.renderer.page("import", title: "Import", values: values, session: session, status: .unprocessableContent)
            }
        }
    }

    /// The mapping table: each column of the file with the field it goes to.
    static func columns(_ columns: [ImportColumn], kind: String) -> [String: Any] {
        let targets = kind == "companies" ? ImportFields.companies : ImportFields.contacts
        return [
            "columns": columns.prefix(200).enumerated().map { index, column -> [String: Any] in
                [
                    "column": column.header, "column_id": "column-\(index)", "ignored": column.field == nil,
                    "targets": targets.map {
                        ["target": $0, "target_label": $0.replacingOccurrences(of: "_", with: " "), "chosen": $0 == column.field]
                    },
                ]
            },
            "has_columns": !columns.isEmpty, "mapped_kind": kind,
        ]
    }
}
