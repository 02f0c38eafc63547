import Foundation
import GRDB
import Storage

/// What every service with a database does first, in one place: its configuration (command line
/// over environment), its logging, its bus runtime, and its own database at
/// `<data>/<name>/<name>.sqlite` with its migrations applied.
public struct ServiceStart: Sendable {
    public let config: ServiceConfig
    public let runtime: ServiceRuntime
    public let database: ServiceDatabase

    public init(_ name: String, options: CommonOptions, migrations: (inout DatabaseMigrator) -> Void) throws {
        config = try ServiceConfig.load(options: options)
        LogSetup.bootstrap(config, service: name)
        runtime = try ServiceRuntime(name: name, config: config)
        if let megabytes = config.sqliteMemoryMB { ServiceDatabase.limitMemory(bytes: Int64(megabytes) << 20) }
        database = try ServiceDatabase(path: try config.dataFolder(for: name) + "/\(name).sqlite", migrations: migrations)
    }
}
