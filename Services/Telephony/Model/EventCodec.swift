import Contracts
import Foundation

/// How a call event is kept in `call_event.payload`: a small binary record (version byte, then
/// each field length-prefixed), because a call is refolded from all its stored events on every
/// change and JSONDecoder was a fifth of the ingest's time (perf, crm-bench telephony). Payloads
/// stored as JSON by earlier versions are still read.
enum EventCodec {
    static let version: UInt8 = 1

    static func encode(_ event: CallEventInput) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        out.append(version)
        func text(_ value: String?) {
            guard let value else {
                out.append(0xFF)
                return
            }
            let bytes = Array(value.utf8)
            var length = UInt32(bytes.count)
            out.append(0)
            withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
        }
        func number(_ value: Int?) {
            guard var value = value.map(Int64.init) else {
                out.append(0xFF)
                return
            }
            out.append(0)
            withUnsafeBytes(of: &value) { out.append(contentsOf: $0) }
        }
        func date(_ value: Date?) {
            guard var seconds = value?.timeIntervalSinceReferenceDate else {
                out.append(0xFF)
                return
            }
            out.append(0)
            withUnsafeBytes(of: &seconds) { out.append(contentsOf: $0) }
        }
        text(event.eventId)
        text(event.callId)
        text(event.type)
        text(event.direction)
        text(event.from)
        text(event.to)
        text(event.extension)
        text(event.user)
        date(event.at)
        number(event.duration)
        number(event.billsec)
        text(event.disposition)
        text(event.recordingUrl)
        text(event.leg)
        text(event.answeredBy)
        text(event.callerName)
        date(event.startedAt)
        date(event.answeredAt)
        date(event.endedAt)
        number(event.sequence)
        return Data(out)
    }

    struct Malformed: Error {}

    static func decode(_ data: Data) throws -> CallEventInput {
        guard let first = data.first else { throw Malformed() }
        if first == UInt8(ascii: "{") { return try Wire.decode(CallEventInput.self, from: data) }
        guard first == version else { throw Malformed() }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> CallEventInput in
            var offset = 1
            func present() throws -> Bool {
                guard offset < raw.count else { throw Malformed() }
                defer { offset += 1 }
                return raw[offset] == 0
            }
            func text() throws -> String? {
                guard try present() else { return nil }
                guard offset + 4 <= raw.count else { throw Malformed() }
                let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                offset += 4
                guard offset + length <= raw.count else { throw Malformed() }
                defer { offset += length }
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]), as: UTF8.self)
            }
            func number() throws -> Int? {
                guard try present() else { return nil }
                guard offset + 8 <= raw.count else { throw Malformed() }
                defer { offset += 8 }
                return Int(raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
            }
            func date() throws -> Date? {
                guard try present() else { return nil }
                guard offset + 8 <= raw.count else { throw Malformed() }
                defer { offset += 8 }
                return Date(timeIntervalSinceReferenceDate: raw.loadUnaligned(fromByteOffset: offset, as: Double.self))
            }
            var event = CallEventInput(eventId: try text(), callId: try text(), type: try text())
            event.direction = try text()
            event.from = try text()
            event.to = try text()
            event.extension = try text()
            event.user = try text()
            event.at = try date()
            event.duration = try number()
            event.billsec = try number()
            event.disposition = try text()
            event.recordingUrl = try text()
            event.leg = try text()
            event.answeredBy = try text()
            event.callerName = try text()
            event.startedAt = try date()
            event.answeredAt = try date()
            event.endedAt = try date()
            event.sequence = try number()
            return event
        }
    }
}
