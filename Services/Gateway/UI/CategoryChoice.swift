import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// "Choose categories" on a card, the same for contacts and companies: the categories that apply
/// to the record (active ones, and inactive ones it still has) with their colours, and the form
/// whose ticked boxes replace the record's set.
struct CategoryChoice<Reply: Decodable & Sendable>: Sendable {
    let ui: WebUI
    /// The path's collection (`contacts`, `companies`).
    let owner: String
    /// Which categories apply (`contact`, `company`).
    let appliesTo: String
    let method: BusMethod<SetCategoriesRequest, Reply>

    /// `categories` and `chosen_categories` for the card's template.
    func values(chosen ids: [Int64], _ request: Request, _ context: GatewayContext) async -> [String: Any] {
        let chosen = Set(ids)
        // A user without settings:read sees the record's categories as none to choose from.
        let items =
            (try? await ui.call(
                SettingsContract.Method.listReference, ListReferenceRequest(kind: .categories, appliesTo: appliesTo), request, context))
            ?? []
        let rows = items.filter { $0.active || chosen.contains($0.id) }.map { item -> [String: Any] in
            var row: [String: Any] = ["category_id": item.id, "name": item.name, "chosen": chosen.contains(item.id)]
            if let colour = item.colour { row["colour"] = colour }
            return row
        }
        return ["categories": rows, "chosen_categories": rows.filter { $0["chosen"] as? Bool == true }]
    }

    @Sendable func set(_ request: Request, context: GatewayContext) async throws -> Response {
        try await ui.signedIn(request, context) { session in
            let pairs = try await ui.formPairs(request, context, limit: 1 << 16)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return ui.errorPage(.notFound("there is no such record"), session: session)
            }
            let ids = Array(Set(pairs.filter { $0.name == "category_id" }.compactMap { Int64($0.value) })).sorted()
            do {
                _ = try await ui.call(method, SetCategoriesRequest(id: id, categoryIds: ids), request, context)
                return PageRenderer.redirect("/\(owner)/\(id)#categories")
            } catch let error as BusError {
                return ui.errorPage(error, session: session)
            }
        }
    }
}
