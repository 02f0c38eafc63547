import ArgumentParser
import Bus
import Foundation
import ServiceKit

/// `crm keys`: the bus identities (docs/bus-protocol.md, "Identities").
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Bus identities: one CURVE key pair per role, in the key folder (<data>/keys).",
        subcommands: [Init.self, Producer.self, Pair.self],
        defaultSubcommand: Init.self)

    /// Every role a machine running the whole system needs.
    static var standardRoles: [String] {
        [BusRole.admin] + SystemProcesses.executables
    }

    /// The key folder of the plan's environment (`CRM_KEYS_DIR`, or `keys` under `CRM_DATA_DIR`).
    static func folder(options: CommonOptions, file: String) throws -> KeyFolder {
        try ProcessPlan.config(options: options, file: file).keyFolder
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the key folder and a key pair for every role that has none (crm up does this by itself).",
            discussion: """
                Roles: bus, crm-admin and every executable of the system. Existing keys are kept.
                Files: <role>.key (public and secret, mode 0600) and <role>.pub; the folder is 0700.
                """)

        @OptionGroup var options: CommonOptions
        @Option(name: .customLong("file"), help: "Process plan (YAML) whose environment names the data folder.")
        var file = "compose/crm.yaml"
        @Option(name: .customLong("role"), help: "Another role to create (a worker of a service of your own); repeatable.")
        var roles: [String] = []

        func run() throws {
            let folder = try KeysCommand.folder(options: options, file: file)
            let created = try folder.ensure(roles: KeysCommand.standardRoles + roles)
            print(created.isEmpty ? "keys in \(folder.path) are complete" : "created \(created.joined(separator: ", ")) in \(folder.path)")
        }
    }

    struct Producer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the identity of a ZeroMQ call-event producer (a PBX) and print what it needs.",
            discussion: """
                The producer's key pair goes to <keys>/producers/<name>.key; telephony admits it at once
                (no restart) and accepts its events only under this producer name. Give the producer the
                printed public and secret key and telephony's public key (its CURVE server key).
                """)

        @OptionGroup var options: CommonOptions
        @Option(name: .customLong("file"), help: "Process plan (YAML) whose environment names the data folder.")
        var file = "compose/crm.yaml"
        @Argument(help: "The producer name it sends in its messages (such as pbx1).")
        var name: String

        func run() throws {
            guard BusRole.isValidName(name) else { throw ValidationError("'\(name)' is not a valid producer name (a-z, 0-9, - _ .)") }
            let folder = try KeysCommand.folder(options: options, file: file)
            try folder.ensure(roles: KeysCommand.standardRoles)
            try folder.producers.ensure(roles: [name])
            let pair = try folder.producers.keyPair(for: name)
            print("producer=\(name)")
            print("public=\(pair.publicKey)")
            print("secret=\(pair.secretKey)")
            print("server=\(try folder.publicKey(of: "telephony"))")
        }
    }

    struct Pair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new key pair without storing it (for keys handed out by environment).",
            discussion: """
                For the bus: CRM_BUS_CURVE_SECRET=<secret>. For a process: CRM_CURVE_PUBLIC_KEY and
                CRM_CURVE_SECRET_KEY, with its public key as <role>.pub in the bus's key folder.
                """)

        func run() throws {
            let pair = try CurveKeyPair.generate()
            print("public=\(pair.publicKey)")
            print("secret=\(pair.secretKey)")
        }
    }
}
