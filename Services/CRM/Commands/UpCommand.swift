import ArgumentParser
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
                supervisor.add(label: label, executable: executable, environment: environment)
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
        supervisor.wait()
        signals.forEach { $0.cancel() }
        supervisor.log("all processes stopped")
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
        guard let colon = first.lastIndex(of: ":"), let port = Int(first[first.index(after: colon)...]), (1...65535).contains(port)
        else { throw PlanError("CRM_METRICS_ADDRESS '\(first)' must look like 127.0.0.1:9400") }
        host = String(first[..<colon])
        self.port = port
    }

    mutating func next() -> String? {
        guard let current = port, current <= 65535 else { return nil }
        port = current + 1
        return "\(host):\(current)"
    }
}
