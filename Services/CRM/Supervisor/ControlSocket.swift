import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How `crm restart` talks to a running `crm up`: a Unix socket in the data folder (mode 0600,
/// in a folder that is the owner's alone), one command line in, progress lines out, the last
/// line `ok` or `error: ...`.
enum ControlSocket {
    static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("crm-up.sock")
    }

    /// The socket address of `path`, or nil when the path does not fit in one.
    private static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        return address
    }

    /// Listens at `path` on a thread of its own; `handle` gets each command and a function that
    /// writes a line back, and runs on that thread (one command at a time).
    static func serve(path: String, handle: @escaping @Sendable (String, (String) -> Void) -> Void) throws {
        guard var address = address(path) else { throw PlanError("the control socket path \(path) is too long") }
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw PlanError("cannot make the control socket: errno \(errno)") }
        // Made with mode 0600 from the start (no moment in which others could connect).
        let mask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(mask)
        guard bound == 0, chmod(path, 0o600) == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw PlanError("cannot listen at \(path): errno \(errno)")
        }
        let thread = Thread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let line = readLine(connection, limit: 1024)
                handle(line ?? "", { text in writeAll(connection, text + "\n") })
                close(connection)
            }
        }
        thread.name = "crm-control"
        thread.start()
    }

    /// Sends `command` to the `crm up` listening at `path` and passes on each line it answers;
    /// returns the last line.
    static func send(_ command: String, path: String, line: (String) -> Void) throws -> String {
        guard var address = address(path) else { throw PlanError("the control socket path \(path) is too long") }
        let connection = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard connection >= 0 else { throw PlanError("cannot make a socket: errno \(errno)") }
        defer { close(connection) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connection, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw PlanError("no `crm up` is running with its data in this folder (\(path))") }
        writeAll(connection, command + "\n")
        var last = ""
        while let text = readLine(connection, limit: 64 * 1024) {
            line(text)
            last = text
        }
        return last
    }

    private static func writeAll(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// One line (without its newline), nil at the end of the stream; at most `limit` bytes.
    private static func readLine(_ descriptor: Int32, limit: Int) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < limit {
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
