import ArgumentParser
import Contracts
import Foundation
import GRDB
import ServiceKit

/// `crm backup DIR`: a copy of every service's database and file area, taken while the system
/// runs and takes writes. `crm restore DIR` puts one in place for `crm up` to start.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy every service's database and file area into a new folder while the system runs.",
        discussion: """
            Each database is copied with SQLite's online backup from a read snapshot; the snapshots of all the \
            databases are taken one right after the other before any is copied, so the copies stand for the same \
            moment to within microseconds. Then the contacts service's files that its copy names, the key folder \
            and the other files of the data folder. The folder holds secrets (keys, the initial password): it is \
            made readable by its owner only.
            """)

    @OptionGroup var options: CommonOptions

    @Argument(help: "A folder to make (it must not exist or be empty).")
    var folder: String

    func run() throws {
        let config = try ServiceConfig.load(options: options)
        let manifest = try Backup.take(data: config.dataDirectory, into: folder)
        for service in manifest.services {
            print("\(service.name): \(service.bytes) bytes, outbox through \(service.outboxThrough)")
        }
        print("files: \(manifest.files) copied\(manifest.missingFiles > 0 ? ", \(manifest.missingFiles) deleted meanwhile" : "")")
        print("backup in \(folder) (\(manifest.takenAt))")
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup in place as the data folder (which must hold no databases); then `crm up` starts the system.",
        discussion: """
            Services catch up with each other when they start: each asks its sources for the events after its own \
            copy's checkpoint. A source whose copy is older than a consumer's checkpoint continues its event \
            numbers after it, so no new event is taken for one the consumer has seen.
            """)

    @OptionGroup var options: CommonOptions

    @Argument(help: "The backup's folder.")
    var folder: String

    func run() throws {
        let config = try ServiceConfig.load(options: options)
        for line in try Backup.restore(from: folder, into: config.dataDirectory) { print(line) }
        print("restored into \(config.dataDirectory); start it with `crm up`")
    }
}

enum Backup {
    struct Manifest: Codable {
        struct Service: Codable {
            var name: String
            var bytes: Int64
            var outboxThrough: Int64
            var checkpoints: [String: Int64]
        }
        var takenAt: String
        var services: [Service]
        var files: Int
        var missingFiles: Int
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let manifestName = "backup.json"

    static func database(_ root: String, _ service: String) -> String { "\(root)/\(service)/\(service).sqlite" }

    /// Takes a backup of the data folder `data` into `target`.
    static func take(data: String, into target: String) throws -> Manifest {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: target), !(try fileManager.contentsOfDirectory(atPath: target)).isEmpty {
            throw Failure(description: "\(target) is not empty")
        }
        try fileManager.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let services = SystemProcesses.services.filter { fileManager.fileExists(atPath: database(data, $0)) }
        guard !services.isEmpty else { throw Failure(description: "no service database under \(data)") }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let sources = try services.map { try DatabaseQueue(path: database(data, $0), configuration: configuration) }
        let takenAt = Date()
        // Every source's read snapshot first, then the copies: recursion keeps them all open.
        func copy(from index: Int) throws {
            guard index < sources.count else { return }
            try sources[index].inDatabase { db in
                try db.execute(sql: "BEGIN DEFERRED TRANSACTION")
                defer { try? db.execute(sql: "ROLLBACK") }
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master")  // the snapshot starts here
                try copy(from: index + 1)
                let service = services[index]
                try fileManager.createDirectory(atPath: "\(target)/\(service)", withIntermediateDirectories: true)
                let destination = try DatabaseQueue(path: database(target, service))
                try destination.inDatabase { copyDb in try db.backup(to: copyDb) }
                try destination.close()
            }
        }
        try copy(from: 0)
        var manifest = Manifest(takenAt: Timestamp.string(from: takenAt), services: [], files: 0, missingFiles: 0)
        for service in services {
            let path = database(target, service)
            let queue = try DatabaseQueue(path: path)
            let positions = try queue.read { db in
                (
                    try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM outbox") ?? 0,
                    Dictionary(
                        try Row.fetchAll(db, sql: "SELECT source, last_seq FROM inbox_checkpoint").map {
                            ($0["source"] as String, $0["last_seq"] as Int64)
                        },
                        uniquingKeysWith: { first, _ in first })
                )
            }
            try queue.close()
            let bytes = (try fileManager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            manifest.services.append(.init(name: service, bytes: bytes, outboxThrough: positions.0, checkpoints: positions.1))
        }
        (manifest.files, manifest.missingFiles) = try copyFiles(data: data, target: target)
        try copyOthers(from: data, to: target, skipping: Set(services))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: "\(target)/\(manifestName)"))
        return manifest
    }

    /// The contacts service's stored files that its copy names (content-addressed, so a file
    /// is the same bytes for as long as it exists); one deleted since the snapshot is counted.
    static func copyFiles(data: String, target: String) throws -> (copied: Int, missing: Int) {
        let copy = database(target, "contacts")
        guard FileManager.default.fileExists(atPath: copy) else { return (0, 0) }
        let hashes = try DatabaseQueue(path: copy).read { db in try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM stored_file") }
        var copied = 0, missing = 0
        for hash in hashes {
            let relative = "contacts/files/\(hash.prefix(2))/\(hash.dropFirst(2).prefix(2))/\(hash)"
            let destination = "\(target)/\(relative)"
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                try FileManager.default.copyItem(atPath: "\(data)/\(relative)", toPath: destination)
                copied += 1
            } catch {
                missing += 1
            }
        }
        return (copied, missing)
    }

    /// Everything else in the data folder (keys, the initial password, what a service keeps
    /// beside its database) but the databases, their journals, and the file areas' contents.
    static func copyOthers(from data: String, to target: String, skipping services: Set<String>) throws {
        let fileManager = FileManager.default
        guard let walker = fileManager.enumerator(atPath: data) else { return }
        while let relative = walker.nextObject() as? String {
            let parts = relative.split(separator: "/").map(String.init)
            let name = parts.last ?? ""
            let source = "\(data)/\(relative)"
            var isFolder: ObjCBool = false
            _ = fileManager.fileExists(atPath: source, isDirectory: &isFolder)
            if parts.count >= 2, parts[0] == "contacts", parts[1] == "files" {
                if isFolder.boolValue { walker.skipDescendants() }
                continue
            }
            if name.hasSuffix(".sqlite") || name.hasSuffix(".sqlite-wal") || name.hasSuffix(".sqlite-shm") || isFolder.boolValue {
                continue
            }
            let destination = "\(target)/\(relative)"
            try fileManager.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if !fileManager.fileExists(atPath: destination) { try fileManager.copyItem(atPath: source, toPath: destination) }
        }
    }

    /// Puts a backup in place; answers what it did beyond copying.
    static func restore(from backup: String, into data: String) throws -> [String] {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: "\(backup)/\(manifestName)") else {
            throw Failure(description: "\(backup) is not a backup (it has no \(manifestName))")
        }
        if let existing = SystemProcesses.services.first(where: { fileManager.fileExists(atPath: database(data, $0)) }) {
            throw Failure(description: "\(data) already holds a database (\(existing)); restore into an empty data folder")
        }
        try fileManager.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard let walker = fileManager.enumerator(atPath: backup) else { return [] }
        while let relative = walker.nextObject() as? String {
            guard relative != manifestName else { continue }
            var isFolder: ObjCBool = false
            _ = fileManager.fileExists(atPath: "\(backup)/\(relative)", isDirectory: &isFolder)
            let destination = "\(data)/\(relative)"
            if isFolder.boolValue {
                try fileManager.createDirectory(atPath: destination, withIntermediateDirectories: true)
            } else if !fileManager.fileExists(atPath: destination) {
                try fileManager.copyItem(atPath: "\(backup)/\(relative)", toPath: destination)
            }
        }
        return try agree(data: data)
    }

    /// Makes the restored databases agree: a source whose copy ends before an event a
    /// consumer's copy has applied numbers its next events after that one (an event number
    /// names one event for good), so consumers take its new events rather than skip them.
    static func agree(data: String) throws -> [String] {
        let services = SystemProcesses.services.filter { FileManager.default.fileExists(atPath: database(data, $0)) }
        var seen: [String: (seq: Int64, by: String)] = [:]
        for service in services {
            let checkpoints = try DatabaseQueue(path: database(data, service)).read { db in
                try Row.fetchAll(db, sql: "SELECT source, last_seq FROM inbox_checkpoint").map {
                    ($0["source"] as String, $0["last_seq"] as Int64)
                }
            }
            for (source, seq) in checkpoints where seq > (seen[source]?.seq ?? 0) { seen[source] = (seq, service) }
        }
        var notes: [String] = []
        for service in services {
            guard let highest = seen[service] else { continue }
            let queue = try DatabaseQueue(path: database(data, service))
            try queue.write { db in
                let own = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") ?? 0
                guard highest.seq > own else { return }
                if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'outbox'") == 0 {
                    try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", arguments: [highest.seq])
                } else {
                    try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'", arguments: [highest.seq])
                }
                notes.append(
                    "\(service): events continue after \(highest.seq) (\(highest.by)'s copy had applied up to it; \(service)'s ended at \(own))"
                )
            }
            try queue.close()
        }
        return notes
    }
}
