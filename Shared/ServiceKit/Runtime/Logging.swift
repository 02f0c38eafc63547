import Logging

/// Sets up swift-log once per process: lines on standard error at the configured level.
public enum LogSetup {
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
