import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over one kept-alive TCP connection, for timing the gateway without
/// a client library's own overhead in the numbers. Only what the benchmark sends: GET and POST
/// with a JSON body, answers with Content-Length.
final class HTTPProbe {
    private let fd: Int32
    private let host: String
    var token: String?
    /// Headers every request carries (`Prefer: respond-async`).
    var headers: [String: String] = [:]

    init(port: Int, host: String = "127.0.0.1") throws {
        self.host = host
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("cannot connect to \(host):\(port)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends a request and answers the status and body.
    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json") throws -> (Int, Data) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        var message = Data((head + "\r\n").utf8)
        if let body { message.append(body) }
        try message.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw BenchError("send failed") }
                sent += n
            }
        }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        var status = 0
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw BenchError("connection closed") }
            buffer.append(contentsOf: chunk[0..<n])
            if headerEnd == nil, let range = buffer.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let headers = String(decoding: buffer[..<range.lowerBound], as: UTF8.self).split(separator: "\r\n")
                status = Int(headers.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                for line in headers.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, buffer.count - headerEnd >= contentLength {
                return (status, Data(buffer[headerEnd..<(headerEnd + contentLength)]))
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
