import ArgumentParser
import Bus
import Contracts
import Foundation
import ServiceKit

/// `crm status`: every service's health as reported over the bus: the broker's queue per
/// service, then per service its subscriber's lag behind each source, its outbox and how far
/// behind it each subscriber is, its own queues and its memory (the numbers its /metrics has).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the health of every service, asked over the bus.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("file"), help: "Process plan (YAML) naming the services to ask.")
    var file = "compose/crm.yaml"

    @Option(name: .customLong("timeout"), help: "Seconds to wait for each answer.")
    var timeout: Double = 2

    func run() async throws {
        let plan = try? ProcessPlan.load(path: file)
        let config = try ProcessPlan.config(options: options, file: file)
        let context = ZMQContext()
        let client = try BusClient(context: context, endpoint: config.busEndpoint, curve: try config.busKeys(role: BusRole.admin))
        defer {
            client.close()
            context.terminate()
        }
        let limit = Duration.milliseconds(Int(timeout * 1000))
        var healthy = true
        print("bus \(config.busEndpoint)")
        do {
            let body = try await client.call(service: "bus", method: "bus.health", body: Data("{}".utf8), timeout: limit)
            let snapshot = try JSONDecoder().decode(BrokerSnapshot.self, from: body)
            for service in snapshot.services {
                let name = service.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                print("  \(name) workers=\(service.workers) queued=\(service.queued) in_flight=\(service.inFlight)")
                for worker in service.instances {
                    print(
                        "    \(worker.instance.isEmpty ? "(unnamed)" : worker.instance)  capacity=\(worker.capacity) in_flight=\(worker.inFlight)"
                    )
                }
            }
        } catch {
            print("  unreachable: \(error)")
            throw ExitCode(1)
        }
        let names = (plan?.processes.map { $0.executable ?? $0.name } ?? SystemProcesses.workers).filter {
            $0 != "bus"
        }
        for name in names {
            let label = name.padding(toLength: 12, withPad: " ", startingAt: 0)
            do {
                let body = try await client.call(
                    service: name, method: "\(name).health", body: Data(#"{"detail":true}"#.utf8), timeout: limit)
                if let report = try? Wire.decode(HealthReport.self, from: body) {
                    print(
                        "\(label) \(report.status)  instance=\(report.instance) pid=\(report.pid) uptime=\(report.uptimeSeconds)s database=\(report.database)"
                    )
                    for line in Self.details(report) { print("    \(line)") }
                    if report.status != "ok" { healthy = false }
                } else {
                    print("\(label) ok")
                }
            } catch {
                print("\(label) DOWN  \(error)")
                healthy = false
            }
        }
        if !healthy { throw ExitCode(1) }
    }

    /// The lines under a service's health: what it lags, its outbox, its queues, its memory.
    static func details(_ report: HealthReport) -> [String] {
        func pairs(_ values: [String: Int64]) -> String {
            values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        var lines: [String] = []
        if let lags = report.lags, !lags.isEmpty { lines.append("lag (events not yet applied): \(pairs(lags))") }
        if let sequence = report.outboxSequence {
            let behind = report.subscribersBehind.map { $0.isEmpty ? "" : "; subscribers behind: \(pairs($0))" } ?? ""
            lines.append("outbox: last event \(sequence)\(behind)")
        }
        if let queues = report.queues, !queues.isEmpty { lines.append("queues: \(pairs(queues))") }
        var process: [String] = []
        if let bytes = report.residentBytes, bytes > 0 {
            process.append(String(format: "memory %.1f MB", Double(bytes) / 1_048_576))
        }
        if let metrics = report.metrics { process.append("metrics http://\(metrics)/metrics") }
        if !process.isEmpty { lines.append(process.joined(separator: ", ")) }
        return lines
    }
}
