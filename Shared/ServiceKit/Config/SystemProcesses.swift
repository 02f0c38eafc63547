import Bus
import Contracts

/// Every process of the system, in start order (stopped in reverse): the one list that the
/// gateway's readiness, `crm up`'s known executables, `crm status`, `crm keys init`, the test and
/// benchmark harness read. `compose/crm.yaml`, `compose/docker-compose.yml` and
/// `compose/Dockerfile` are checked against it by a test. A new service is added here first
/// (docs/architecture.md, "Adding a service").
public enum SystemProcesses {
    /// What a process is to the rest.
    public enum Kind: Sendable {
        /// The broker every other process connects to.
        case broker
        /// A service with its own database, serving bus methods (its health among them).
        case service
        /// The HTTP gateway: no database, serves only its health.
        case gateway
    }

    public struct Process: Sendable {
        /// The executable's name, which is also its bus service name and identity role.
        public let name: String
        public let kind: Kind
    }

    /// In start order.
    public static let all: [Process] = [
        Process(name: BusRole.bus, kind: .broker),
        Process(name: SettingsContract.service, kind: .service),
        Process(name: ContactsContract.service, kind: .service),
        Process(name: TelephonyContract.service, kind: .service),
        Process(name: NotificationsContract.service, kind: .service),
        Process(name: SalesContract.service, kind: .service),
        Process(name: TasksContract.service, kind: .service),
        Process(name: BusRole.gateway, kind: .gateway),
    ]

    /// Every executable's name, in start order.
    public static var executables: [String] { all.map(\.name) }

    /// The services whose health makes the system ready (those with a database).
    public static var services: [String] { all.filter { $0.kind == .service }.map(\.name) }

    /// Every process but the broker: what answers `<name>.health` on the bus.
    public static var workers: [String] { all.filter { $0.kind != .broker }.map(\.name) }
}
