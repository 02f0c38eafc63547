import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// For a boss: the CRM processes, each with its statuses in order (name, probability, won or
/// lost when final), fixed subjects and weight labels; added, changed and deleted here. The
/// statuses are written one per line, `Name; probability; won|lost`, so the page needs no
/// script to add or reorder them.
struct ProcessPages: Sendable {
    typealias M = SettingsContract.Method
    let ui: WebUI
    var settings: SettingsPages { SettingsPages(ui: ui) }

    func register(on router: Router<GatewayContext>) {
        router.get("/settings/processes", use: processes)
        router.post("/settings/processes", use: create)
        router.post("/settings/processes/:id", use: update)
        router.post("/settings/processes/:id/delete", use: delete)
    }

    @Sendable func processes(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in try await page(request, context, session: session) }
    }

    func page(
        _ request: Request, _ context: GatewayContext, session: UISession, values extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await settings.show("processes", title: "CRM processes", session: session, extra: extra, status: status) {
            let all = try await ui.call(M.listProcesses, NoParameters(), request, context)
            let rows: [[String: Any]] = all.map { process in
                [
                    "process_id": process.id, "process_name": process.name, "default": process.isDefault,
                    "statuses": process.statuses.map { status -> [String: Any] in
                        var row: [String: Any] = ["status_name": status.name, "probability": status.probability]
                        if let final = status.final { row["final"] = final }
                        return row
                    },
                    "status_lines": Self.lines(process.statuses),
                    "labels": (process.subjectLabels ?? []).joined(separator: "\n"),
                    "labels_shown": (process.subjectLabels ?? []).joined(separator: ", "),
                    "weights": (process.weightLabels ?? []).joined(separator: "\n"),
                ]
            }
            let values: [String: Any] = [
                "processes": rows.map { row -> [String: Any] in
                    var row = row
                    if let failed = extra["error_process"] as? Int64, row["process_id"] as? Int64 == failed {
                        row["error"] = extra["error_message"]
                    }
                    return row
                },
                "new_status_lines": "New; 10\nQualified; 30\nOffer sent; 60\nWon; 100; won\nLost; 0; lost",
            ]
            return values
        }
    }

    /// The statuses as the form's lines.
    static func lines(_ statuses: [ProcessStatus]) -> String {
        statuses.map { status in
            "\(status.name); \(status.probability)" + (status.final.map { "; " + $0 } ?? "")
        }.joined(separator: "\n")
    }

    /// The form's lines as statuses (ids kept by name, so deals keep their status when it is
    /// renamed only through the API); a line that cannot be read is an error naming it.
    static func statuses(_ text: String, existing: [ProcessStatus] = []) throws -> [ProcessStatus] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count <= 100 else { throw BusError.invalid("a process has at most 100 statuses") }
        return try lines.enumerated().map { index, line in
            let parts = line.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (2...3).contains(parts.count), !parts[0].isEmpty,
                let probability = Int(parts[1].replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces))
            else {
                throw BusError.invalid(
                    "line \(index + 1) (\u{201C}\(line)\u{201D}) must read Name; probability, and ; won or ; lost when final")
            }
            let final = parts.count == 3 && !parts[2].isEmpty ? parts[2].lowercased() : nil
            let id = existing.first { $0.name.caseInsensitiveCompare(parts[0]) == .orderedSame }?.id
            return ProcessStatus(id: id, name: parts[0], probability: probability, final: final)
        }
    }

    static func labels(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A change, with the objection shown at the form it is about: a process's own, or the new one's.
    private func change(
        _ request: Request, _ context: GatewayContext, session: UISession, process: Int64? = nil, _ work: () async throws -> Void
    ) async throws -> Response {
        try await settings.change(
            back: "/settings/processes", session: session,
            again: { error in
                let values: [String: Any] =
                    process.map { ["error_process": $0, "error_message": error.message] } ?? ["error_new": error.message]
                return try await page(request, context, session: session, values: values, status: .unprocessableContent)
            }, work)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context, limit: 1 << 16)
            return try await change(request, context, session: session, process: nil) {
                let ask = CreateProcessRequest(
                    name: (fields["process_name"] ?? "").trimmingCharacters(in: .whitespaces),
                    statuses: try Self.statuses(fields["statuses"] ?? ""), isDefault: fields["default"] == "on",
                    subjectLabels: Self.labels(fields["labels"]), weightLabels: Self.labels(fields["weights"]))
                _ = try await ui.call(M.createProcess, ask, request, context)
            }
        }
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            let fields = try await ui.form(request, context, limit: 1 << 16)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such process"), session: session)
            }
            return try await change(request, context, session: session, process: id) {
                let current = try await ui.call(M.getProcess, IdRequest(id: id), request, context)
                var ask = UpdateProcessRequest(id: id)
                let name = (fields["process_name"] ?? "").trimmingCharacters(in: .whitespaces)
                ask.name = name.isEmpty ? nil : name
                ask.statuses = try Self.statuses(fields["statuses"] ?? "", existing: current.statuses)
                if fields["default"] == "on" { ask.isDefault = true }
                ask.subjectLabels = Self.labels(fields["labels"])
                ask.weightLabels = Self.labels(fields["weights"])
                _ = try await ui.call(M.updateProcess, ask, request, context)
            }
        }
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        try await settings.boss(request, context) { session in
            _ = try await ui.form(request, context)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such process"), session: session)
            }
            return try await change(request, context, session: session, process: id) {
                _ = try await ui.call(M.deleteProcess, IdRequest(id: id), request, context)
            }
        }
    }
}
