import ArgumentParser
import Foundation
import ServiceKit

/// `crm restart NAME`: asks the running `crm up` (through its control socket in the data folder)
/// to restart NAME's instances one at a time, each new process taking requests before the old
/// one stops; the old one finishes what it holds first.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Restart a service's instances one at a time under a running `crm up`, with no failed request.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("file"), help: "Process plan (YAML) whose environment names the data folder.")
    var file = "compose/crm.yaml"

    @Argument(help: "The plan's process name, such as contacts or telephony.")
    var name: String

    func run() throws {
        let config = try ProcessPlan.config(options: options, file: file)
        let last = try ControlSocket.send(
            "restart \(name)", path: ControlSocket.path(dataDirectory: config.dataDirectory), line: { print($0) })
        if last != "ok" { throw ExitCode(1) }
    }
}
