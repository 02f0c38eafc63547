import Storage
import Testing

@testable import ServiceKit

@Suite("Configuration")
struct ServiceConfigTests {
    @Test("defaults work on one machine")
    func defaults() throws {
        let config = try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: [:])
        #expect(config.busEndpoint == "tcp://127.0.0.1:5555")
        #expect(config.httpHost == "127.0.0.1" && config.httpPort == 8080)
        #expect(config.dataDirectory == "./data")
    }

    @Test("environment overrides defaults, flags override the environment")
    func precedence() throws {
        let environment = [
            "CRM_BUS_ENDPOINT": "tcp://10.0.0.5:6000", "CRM_HTTP_ADDRESS": "0.0.0.0:9000",
            "CRM_DATA_DIR": "/srv/crm", "CRM_LOG_LEVEL": "debug", "CRM_REQUEST_TIMEOUT_MS": "2500",
        ]
        let fromEnvironment = try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: environment)
        #expect(fromEnvironment.busEndpoint == "tcp://10.0.0.5:6000")
        #expect(fromEnvironment.httpPort == 9000)
        #expect(fromEnvironment.logLevel == .debug)
        #expect(fromEnvironment.requestTimeout == .milliseconds(2500))
        let flags = try CommonOptions.parse(["--bus", "ipc:///tmp/bus", "--data-dir", "/tmp/d"])
        let fromFlags = try ServiceConfig.load(options: flags, environment: environment)
        #expect(fromFlags.busEndpoint == "ipc:///tmp/bus")
        #expect(fromFlags.dataDirectory == "/tmp/d")
        #expect(fromFlags.httpPort == 9000)
    }

    @Test(
        "bad values are refused with a message that names them",
        arguments: [
            ["CRM_LOG_LEVEL": "loud"], ["CRM_HTTP_ADDRESS": "nowhere"], ["CRM_WORKER_CONCURRENCY": "0"],
            ["CRM_DEFAULT_COUNTRY": "XX"], ["CRM_REQUEST_TIMEOUT_MS": "-1"],
        ])
    func badValues(environment: [String: String]) {
        #expect(throws: ConfigError.self) { try ServiceConfig.load(options: (try CommonOptions.parse([])), environment: environment) }
    }
}

@Suite("Storage errors on the bus")
struct StorageErrorMappingTests {
    @Test("a request id reused for another method is a conflict")
    func reusedRequestId() {
        let error = StorageError.requestIdReused(requestId: "k", firstMethod: "contacts.create")
        #expect(error.busError.code == .conflict)
        #expect(error.busError.message.contains("contacts.create"))
    }
}
