import Foundation

/// The folder of bus identities (`<data>/keys` by default): one CURVE key pair per role.
///
/// - `<role>.key` holds a role's public and secret key (mode 0600); only that role's process reads it.
/// - `<role>.pub` holds its public key; the bus admits exactly the roles with a `.pub` file here
///   (other than `bus.pub`, which clients read to know the server).
/// - `producers/<name>.key` and `.pub` are the ZeroMQ call-event producers' identities, which
///   telephony's ingest endpoint admits under their producer name.
///
/// Across machines an operator copies each role's `.key` to the machine that runs it, and every
/// `.pub` to the bus's folder (see docs/bus-protocol.md, "Identities"). The folder is 0700.
public struct KeyFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The folder of producer identities for the ZeroMQ ingest.
    public var producers: KeyFolder { KeyFolder(path: (path as NSString).appendingPathComponent("producers")) }

    /// Creates the folder (0700) and a key pair for every role that has none. Existing keys are
    /// kept; a `.pub` missing beside a `.key` is derived again. Answers the roles it created.
    @discardableResult
    public func ensure(roles: [String]) throws -> [String] {
        try Self.makeFolder(path)
        var created: [String] = []
        for role in roles {
            guard BusRole.isValidName(role) else { throw KeyFolderError("'\(role)' is not a valid role name (a-z, 0-9, - _ .)") }
            let secretPath = file(role, "key")
            if !FileManager.default.fileExists(atPath: secretPath) {
                let pair = try CurveKeyPair.generate()
                let text =
                    "# Bus identity '\(role)' (CURVE, Z85). Secret: only this role's process reads it.\n"
                    + "public=\(pair.publicKey)\nsecret=\(pair.secretKey)\n"
                if try Self.createExclusive(secretPath, text) { created.append(role) }
            }
            if !FileManager.default.fileExists(atPath: file(role, "pub")) {
                let pair = try keyPair(for: role)
                _ = try Self.createExclusive(file(role, "pub"), "public=\(pair.publicKey)\n")
            }
        }
        return created
    }

    /// The key pair of `role`, read from `<role>.key`; refused when the file is readable by others.
    public func keyPair(for role: String) throws -> CurveKeyPair {
        let path = file(role, "key")
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw KeyFolderError("no bus identity for '\(role)': \(path) is missing (run `crm keys init`, which `crm up` does)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw KeyFolderError("\(path) is readable by other users (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
        let values = try Self.read(path)
        guard let secret = values["secret"], secret.count == 40, let stated = values["public"] else {
            throw KeyFolderError("\(path) does not hold a public= and a secret= line of 40 Z85 characters")
        }
        let derived = try CurveKeyPair.publicKey(forSecret: secret)
        guard derived == stated else { throw KeyFolderError("\(path): the public key does not belong to the secret key") }
        return CurveKeyPair(publicKey: derived, secretKey: secret)
    }

    /// The public key of `role`, read from `<role>.pub`.
    public func publicKey(of role: String) throws -> String {
        let path = file(role, "pub")
        guard FileManager.default.fileExists(atPath: path) else {
            throw KeyFolderError("no public key for '\(role)': \(path) is missing (run `crm keys init`, which `crm up` does)")
        }
        guard let key = try Self.read(path)["public"], key.count == 40 else {
            throw KeyFolderError("\(path) does not hold a public= line of 40 Z85 characters")
        }
        return key
    }

    /// Every admitted identity: public key to role, from the `.pub` files (not the bus's own).
    /// Unreadable or misnamed files are skipped; read again on each call, so adding a `.pub`
    /// admits a role without a restart.
    public func roster() -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var roster: [String: String] = [:]
        for name in names where name.hasSuffix(".pub") {
            let role = String(name.dropLast(4))
            guard role != BusRole.bus, BusRole.isValidName(role), let key = try? publicKey(of: role) else { continue }
            roster[key] = role
        }
        return roster
    }

    private func file(_ role: String, _ suffix: String) -> String {
        (path as NSString).appendingPathComponent("\(role).\(suffix)")
    }

    private static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An existing folder keeps its mode: tighten it, it holds secrets.
        guard chmod(path, 0o700) == 0 else { throw KeyFolderError("cannot make \(path) private (chmod 700): errno \(errno)") }
    }

    /// Writes a new file with mode 0600 from the start; false when it exists already (a
    /// concurrent `crm keys init` made it first).
    private static func createExclusive(_ path: String, _ text: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw KeyFolderError("cannot create \(path): errno \(errno)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw KeyFolderError("cannot write \(path): errno \(errno)") }
            written += n
        }
        guard fsync(fd) == 0 else { throw KeyFolderError("cannot sync \(path): errno \(errno)") }
        return true
    }

    /// `name=value` lines; `#` comments and blank lines ignored.
    private static func read(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096 else {
            throw KeyFolderError("cannot read \(path)")
        }
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.hasPrefix("#"), let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return values
    }
}

/// A key folder that cannot be used; the message says what to do.
public struct KeyFolderError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
