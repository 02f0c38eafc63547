import ArgumentParser
import Bus
import Contracts
import Foundation
import ServiceKit

/// The command line's way into the running system for administration: a bus client to the
/// settings service. It acts as `crm-cli` with the rank of boss: whoever can reach the bus (on
/// loopback, or with an allowed CURVE key) administers the system, as an operator should.
struct AdminConnection {
    let client: BusClient
    let context: ZMQContext
    let timeout: Duration

    init(options: CommonOptions, file: String, timeout: Double) throws {
        let config = try ProcessPlan.config(options: options, file: file)
        context = ZMQContext()
        client = try BusClient(context: context, endpoint: config.busEndpoint, curve: try config.busKeys(role: BusRole.admin))
        self.timeout = .milliseconds(Int(timeout * 1000))
    }

    /// Calls a method and decodes its reply; a bus error ends the command with its message.
    func call<Request: Encodable, Reply: Decodable>(_ method: BusMethod<Request, Reply>, _ request: Request) async throws -> Reply {
        do {
            return try await client.call(
                method, request, headers: BusHeaders(actor: "crm-cli", rank: Rank.boss.rawValue), timeout: timeout)
        } catch let error as BusError {
            FileHandle.standardError.write(Data("crm: \(error.message) (\(error.code.rawValue))\n".utf8))
            throw ExitCode(error.code == .unavailable || error.code == .timeout ? 2 : 1)
        }
    }

    func close() {
        client.close()
        context.terminate()
    }

    /// A password read from standard input (one line), for `--password-stdin`.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("--password-stdin: no password on standard input")
        }
        return line
    }
}

/// Options every administration command takes.
struct AdminOptions: ParsableArguments {
    @Option(name: .customLong("file"), help: "Process plan (YAML) whose environment names the bus.")
    var file = "compose/crm.yaml"

    @Option(name: .customLong("timeout"), help: "Seconds to wait for the settings service.")
    var timeout: Double = 10

    func connect(_ options: CommonOptions) throws -> AdminConnection {
        try AdminConnection(options: options, file: file, timeout: timeout)
    }
}
