import ArgumentParser
import Bus

/// `crm keys`: a new CURVE key pair for encrypting the bus between machines.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate a CURVE key pair (Z85) for the bus or for one process.",
        discussion: """
            For the bus: CRM_BUS_CURVE_SECRET=<secret>; give every other process
            CRM_BUS_CURVE_SERVER_KEY=<public>. For a process: CRM_CURVE_PUBLIC_KEY and
            CRM_CURVE_SECRET_KEY, and add its public key to the bus's CRM_BUS_CURVE_ALLOWED_KEYS.
            """)

    func run() throws {
        let pair = try CurveKeyPair.generate()
        print("public=\(pair.publicKey)")
        print("secret=\(pair.secretKey)")
    }
}
