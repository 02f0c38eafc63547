import ArgumentParser
import Bus
import Foundation
import ServiceKit

/// `crm up`: runs the whole system on this machine from a process plan under compose/.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start the bus, the services and the gateway; restart what dies; stop all on Ctrl-C.")

    @Option(name: .customLong("file"), help: "Process plan (YAML).")
    var file = "compose/crm.yaml"

    @Option(name: .customLong("bin-dir"), help: "Folder holding the executables (default: next to crm).")
    var binDir: String?

    @Option(name: .customLong("grace"), help: "Seconds a process gets to stop before it is killed.")
    var grace: Double = 10

    func run() throws {
        let plan = try ProcessPlan.load(path: file)
        let folder = binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let supervisor = Supervisor(grace: grace)
        let inherited = ProcessInfo.processInfo.environment
        // Every process needs its bus identity: made once, kept in the data folder (0700/0600).
        let config = try ServiceConfig.load(options: try CommonOptions.parse([]), environment: plan.environment(over: inherited))
        if config.identities {
            let created = try config.keyFolder.ensure(roles: KeysCommand.standardRoles)
            if !created.isEmpty {
                supervisor.log("created bus identities for \(created.joined(separator: ", ")) in \(config.keyFolder.path)")
            }
        }
        // One metrics address per process: the plan's CRM_METRICS_ADDRESS is the first, the
        // others count up from its port in start order (a process's own setting wins).
        var metricsPorts = try MetricsPorts(plan.environment(over: inherited)["CRM_METRICS_ADDRESS"])
        for entry in plan.processes {
            let executable = (folder as NSString).appendingPathComponent(entry.executable ?? entry.name)
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw PlanError("\(executable) is missing; build first (swift build)")
            }
            for instance in 1...max(1, entry.instances ?? 1) where (entry.instances ?? 1) > 0 {
                var environment = plan.environment(over: inherited)
                for (key, value) in entry.environment ?? [:] { environment[key] = value }
                let label = "\(entry.name).\(instance)"
                environment["CRM_INSTANCE"] = label
                if entry.environment?["CRM_METRICS_ADDRESS"] == nil, let address = metricsPorts.next() {
                    environment["CRM_METRICS_ADDRESS"] = address
                    supervisor.log("\(label) metrics at http://\(address)/metrics")
                }
                supervisor.add(name: entry.name, label: label, executable: executable, environment: environment)
            }
        }
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { supervisor.stop() }
            source.resume()
            return source
        }
        supervisor.log("starting \(plan.processes.map { "\($0.name)×\($0.instances ?? 1)" }.joined(separator: ", "))")
        supervisor.start()
        // `crm restart NAME` from another terminal: a rolling restart of that process's instances.
        let executables = Dictionary(plan.processes.map { ($0.name, $0.executable ?? $0.name) }, uniquingKeysWith: { first, _ in first })
        let control = ControlSocket.path(dataDirectory: config.dataDirectory)
        do {
            try ControlSocket.serve(path: control) { command, say in
                Self.control(command, supervisor: supervisor, config: config, executables: executables, say: say)
            }
        } catch {
            supervisor.log("no rolling restarts (crm restart): \(error)")
        }
        supervisor.wait()
        signals.forEach { $0.cancel() }
        unlink(control)
        supervisor.log("all processes stopped")
    }
}

extension UpCommand {
    /// One command from `crm restart`: `restart NAME`.
    static func control(
        _ command: String, supervisor: Supervisor, config: ServiceConfig, executables: [String: String], say: (String) -> Void
    ) {
        let words = command.split(separator: " ").map(String.init)
        guard words.count == 2, words[0] == "restart" else {
            say("error: unknown command '\(command.prefix(80))'")
            return
        }
        let name = words[1]
        guard let executable = executables[name] else {
            say("error: the plan has no process named '\(name.prefix(40))'")
            return
        }
        // Their addresses cannot be held by two processes at once: a new one could not start
        // before the old one stopped, and requests in between would fail.
        guard executable != "bus", executable != "gateway" else {
            say(
                "error: \(executable) cannot be restarted without a gap: it holds the \(executable == "bus" ? "bus endpoints" : "HTTP port"); "
                    + (executable == "gateway"
                        ? "run two gateways behind a load balancer and restart each in turn"
                        : "services and gateway reconnect by themselves after a plain restart"))
            return
        }
        let broker: BrokerProbe
        do {
            broker = try BrokerProbe(config: config)
        } catch {
            say("error: cannot reach the bus: \(error)")
            return
        }
        defer { broker.close() }
        supervisor.log("rolling restart of \(name)")
        let done = supervisor.rollingRestart(
            name: name, ready: { label, count in broker.workers(named: label, of: executable) >= count },
            say: { line in
                supervisor.log(line)
                say(line)
            })
        say(done ? "ok" : "error: \(name) was not restarted completely")
    }
}

/// Asks the broker which workers are connected, from a plain thread (the supervisor's).
final class BrokerProbe: @unchecked Sendable {
    private let context = ZMQContext()
    private let client: BusClient

    init(config: ServiceConfig) throws {
        client = try BusClient(context: context, endpoint: config.busEndpoint, curve: try config.busKeys(role: BusRole.admin))
    }

    /// How many workers of `service` announced the instance name `label` (0 when the broker
    /// does not answer within a second).
    func workers(named label: String, of service: String) -> Int {
        let result = LockedValue<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let client = client
        Task {
            defer { done.signal() }
            guard
                let body = try? await client.call(service: "bus", method: "bus.health", body: Data("{}".utf8), timeout: .seconds(1)),
                let snapshot = try? JSONDecoder().decode(BrokerSnapshot.self, from: body)
            else { return }
            let count = snapshot.services.first { $0.name == service }?.instances.filter { $0.instance == label }.count ?? 0
            result.set(count)
        }
        done.wait()
        return result.get()
    }

    func close() {
        client.close()
        context.terminate()
    }
}

/// The metrics addresses `crm up` hands out: host:port, host:port+1, ... in start order.
struct MetricsPorts {
    private let host: String
    private var port: Int?

    init(_ first: String?) throws {
        guard let first = first?.trimmingCharacters(in: .whitespaces), !first.isEmpty, first != "off" else {
            host = ""
            port = nil
            return
        }
        guard let address = ServiceConfig.hostAndPort(first), address.port > 0 else {
            throw PlanError("CRM_METRICS_ADDRESS '\(first)' must look like 127.0.0.1:9400")
        }
        (host, port) = address
    }

    mutating func next() -> String? {
        guard let current = port, current <= 65535 else { return nil }
        port = current + 1
        return "\(host):\(current)"
    }
}
