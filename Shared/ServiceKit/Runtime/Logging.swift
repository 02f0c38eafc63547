import Bus
import Contracts
import Foundation
import Logging
import Synchronization

/// Sets up swift-log once per process: lines on standard error at the configured level, as text
/// for people or as one JSON object per line for log aggregators (`CRM_LOG_FORMAT=json`); both
/// carry the trace id of the request being handled (`TraceContext`).
public enum LogSetup {
    public static func bootstrap(level: Logger.Level) {
        bootstrap(level: level, format: "text", service: "", instance: "")
    }

    public static func bootstrap(_ config: ServiceConfig, service: String) {
        bootstrap(level: config.logLevel, format: config.logFormat, service: service, instance: config.instance)
    }

    static func bootstrap(level: Logger.Level, format: String, service: String, instance: String) {
        LoggingSystem.bootstrap(
            { label, provider in
                if format == "json" {
                    var handler = JSONLogHandler(label: label, service: service, instance: instance, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }, metadataProvider: TraceContext.metadataProvider)
    }
}

/// One JSON object per line on standard error: `time`, `level`, `service`, `instance`, `logger`
/// (the label), `message`, `trace_id` when a request is being handled, and the line's metadata
/// as strings. Lines are written whole, one at a time.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let service: String
    let instance: String
    private static let output = Mutex<Void>(())
    static let reserved: Set<String> = ["time", "level", "service", "instance", "logger", "message"]

    public init(label: String, service: String, instance: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.service = service
        self.instance = instance
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let given = event.metadata { fields.merge(given) { _, new in new } }
        let line = Self.line(
            time: Date(), level: event.level, service: service, instance: instance, label: label, message: event.message.description,
            metadata: fields)
        Self.output.withLock { _ in FileHandle.standardError.write(line) }
    }

    /// The line for one record (its JSON and a line feed).
    static func line(
        time: Date, level: Logger.Level, service: String, instance: String, label: String, message: String, metadata: Logger.Metadata
    ) -> Data {
        var object: [String: String] = [
            "time": Timestamp.string(from: time), "level": level.rawValue, "service": service, "instance": instance, "logger": label,
            "message": message,
        ]
        for (key, value) in metadata { object[reserved.contains(key) ? "meta_" + key : key] = value.description }
        var data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(0x0A)
        return data
    }
}
