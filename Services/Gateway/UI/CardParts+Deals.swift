import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

// A card's "Sales opportunities" tab (and a contact's "Project participation"), from the sales service.
extension CardParts {
    /// The customer's deals, and for a contact the deals they take part in with their role.
    /// `customer`: whether it can have deals of its own (a company, or a contact who is a consumer).
    func deals(of customer: CustomerRef, isCustomer: Bool = true, _ request: Request, _ context: GatewayContext) async -> [String: Any] {
        let kind = customer.isContact ? "contact" : "company"
        var values: [String: Any] = ["deal_kind": kind, "deals_readable": false, "no_deals": true, "deal_allowed": isCustomer]
        guard
            let found = try? await ui.call(
                SalesContract.Method.customerDeals, CustomerDealsRequest(customerKind: kind, customerId: customer.id), request, context)
        else { return values }
        values["deals_readable"] = true
        values["no_deals"] = found.deals.isEmpty
        values["deals"] = found.deals.map { deal -> [String: Any] in
            var row: [String: Any] = [
                "id": deal.id, "subject": deal.subject,
                "status": deal.outcome == "open" ? deal.statusName : "\(deal.statusName) (\(deal.outcome))",
                "value": SalesPages.amount(deal.value, deal.currency), "probability": deal.probability,
            ]
            if let day = deal.expectedClose { row["expected"] = day }
            return row
        }
        values["has_participation"] = !found.participation.isEmpty
        values["participation"] = found.participation.map { part -> [String: Any] in
            var row: [String: Any] = [
                "deal_id": part.dealId, "subject": part.subject, "project": part.projectName, "customer": part.customerName,
                "outcome": part.outcome,
            ]
            if let role = part.role { row["role"] = role }
            return row
        }
        return values
    }
}
