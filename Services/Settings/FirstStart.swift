import Foundation
import Logging
import ServiceKit
import Storage

/// The first start of a new installation: the default data and the administrator `admin`,
/// whose password comes from `CRM_ADMIN_PASSWORD` or is generated, printed once and written to
/// `<data>/initial-admin-password` (mode 0600) for the operator to read and delete.
enum FirstStart {
    static func run(
        database: ServiceDatabase, hasher: PasswordHasher, options: SettingsOptions, dataDirectory: String, logger: Logger
    ) async throws {
        let given = options.adminPassword
        if let given { _ = try PasswordHasher.check(given) }
        let result = try await DefaultData.seedIfEmpty(database) {
            let password = given ?? PasswordHasher.generate()
            return (await hasher.hash(password), given == nil ? password : nil)
        }
        guard result.seeded else { return }
        logger.notice("first start: default settings and the administrator 'admin' created")
        guard let generated = result.generated else { return }
        let path = (dataDirectory as NSString).appendingPathComponent("initial-admin-password")
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((generated + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw ConfigError("could not write \(path)") }
        // Printed once, on purpose, for the operator starting the system; never logged again.
        FileHandle.standardOutput.write(
            Data(
                """
                ============================================================
                First start: sign in as 'admin' with the password
                    \(generated)
                (also written to \(path), mode 0600; delete it once read)
                ============================================================

                """.utf8))
    }
}
