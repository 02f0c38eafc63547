// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

// Every target declares each module it imports (`scripts/check-imports.py`, run by `make lint`).
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "crm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bus", targets: ["BusService"]),
        .executable(name: "contacts", targets: ["ContactsService"]),
        .executable(name: "telephony", targets: ["TelephonyService"]),
        .executable(name: "settings", targets: ["SettingsService"]),
        .executable(name: "gateway", targets: ["GatewayService"]),
        .executable(name: "notifications", targets: ["NotificationsService"]),
        .executable(name: "sales", targets: ["SalesService"]),
        .executable(name: "tasks", targets: ["TasksService"]),
        .executable(name: "crm", targets: ["CRMTool"]),
        .executable(name: "crm-bench", targets: ["CRMBench"]),
        // For the fuzz package (Fuzz/), which compiles the parsers against these.
        .library(name: "CRMShared", targets: ["Bus", "Contracts", "ServiceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ", path: "Shared/CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .target(
            name: "Bus",
            dependencies: [
                "CZeroMQ", metrics,
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Bus", swiftSettings: swiftSettings),
        // What the C allocator holds, and giving freed pages back (glibc).
        .target(name: "CHeap", path: "Shared/CHeap"),
        .target(
            name: "Storage",
            dependencies: ["Contracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Shared/Storage", swiftSettings: swiftSettings),
        .target(
            name: "Contracts",
            path: "Shared/Contracts", swiftSettings: swiftSettings),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Bus", "Storage", "Contracts", "CHeap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"), metrics,
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Shared/ServiceKit", swiftSettings: swiftSettings),
        .executableTarget(
            name: "BusService", dependencies: ["Bus", "ServiceKit", argumentParser, logging, serviceLifecycle],
            path: "Services/Bus", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ContactsService",
            dependencies: [
                "Bus", "Contracts", "ServiceKit", "Storage", grdb, crypto, serviceLifecycle, argumentParser, logging,
            ],
            path: "Services/Contacts", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TelephonyService",
            dependencies: ["Bus", "Contracts", "ServiceKit", "Storage", grdb, serviceLifecycle, argumentParser, logging, metrics],
            path: "Services/Telephony", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SettingsService",
            dependencies: [
                "Bus", "Contracts", "ServiceKit", "Storage", grdb, crypto, argumentParser, logging,
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            path: "Services/Settings", swiftSettings: swiftSettings),
        .executableTarget(
            name: "GatewayService",
            dependencies: [
                "Bus", "Contracts", "ServiceKit", crypto, argumentParser, logging, metrics,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/Gateway",
            // The web UI's templates, script and stylesheet (Services/Gateway/UI).
            resources: [.copy("UI/Templates"), .copy("UI/Assets")],
            swiftSettings: swiftSettings),
        // E-mail (MIME and SMTP) and SMS text, for the notifications service (issue 16).
        .target(
            name: "NotificationsCore",
            dependencies: [
                "Bus", "ServiceKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Services/Notifications/Core", swiftSettings: swiftSettings),
        .executableTarget(
            name: "NotificationsService",
            dependencies: [
                "Bus", "Contracts", "ServiceKit", "Storage", "NotificationsCore", argumentParser, grdb, logging, serviceLifecycle, metrics,
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Services/Notifications/Service", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SalesService",
            dependencies: ["Bus", "Contracts", "ServiceKit", "Storage", argumentParser, grdb],
            path: "Services/Sales", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TasksService",
            dependencies: ["Bus", "Contracts", "ServiceKit", "Storage", argumentParser, grdb, crypto, logging, serviceLifecycle],
            path: "Services/Tasks", swiftSettings: swiftSettings),
        .executableTarget(
            name: "CRMTool",
            dependencies: [
                "Bus", "Contracts", "ServiceKit", "NotificationsCore", grdb, argumentParser, .product(name: "Yams", package: "Yams"),
            ],
            path: "Services/CRM", swiftSettings: swiftSettings),
        .executableTarget(
            name: "CRMBench",
            // The bus benchmark's baseline is bare libzmq, so the bench speaks its C API.
            dependencies: ["Bus", "CZeroMQ", "ServiceKit", "TestKit", grdb, argumentParser, logging],
            path: "Services/Bench", swiftSettings: swiftSettings),
        // What the tests and the benchmarks share: the process harness, free ports, the bus-error expectation.
        .target(
            name: "TestKit", dependencies: ["Bus", "ServiceKit", "Storage", grdb], path: "Tests/TestKit", swiftSettings: swiftSettings),
        .testTarget(
            name: "BusTests", dependencies: ["Bus", "CZeroMQ", logging],
            path: "Tests/BusTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "Contracts", "TestKit", grdb],
            path: "Tests/StorageTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests", dependencies: ["ServiceKit", "Storage", "Contracts", logging],
            path: "Tests/ServiceKitTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ContactsTests",
            dependencies: [
                "ContactsService", "Bus", "Contracts", "ServiceKit", "Storage", "TestKit", grdb, serviceLifecycle, logging,
            ],
            path: "Tests/ContactsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "TelephonyTests",
            dependencies: ["TelephonyService", "Bus", "Contracts", "ServiceKit", "Storage", "TestKit", grdb, logging],
            // The CDR samples are read from the source tree (#filePath), not bundled.
            path: "Tests/TelephonyTests", exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayService", "Bus", "Contracts", "ServiceKit", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/GatewayTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "SettingsTests", dependencies: ["SettingsService", "Bus", "Contracts", "ServiceKit", "Storage", "TestKit", grdb],
            path: "Tests/SettingsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: ["NotificationsCore", "NotificationsService", "Bus", "Contracts", "ServiceKit", "Storage", grdb],
            path: "Tests/NotificationsTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SalesTests", dependencies: ["SalesService", "Bus", "Contracts", "ServiceKit", "Storage", "TestKit", grdb],
            path: "Tests/SalesTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "TasksTests", dependencies: ["TasksService", "Bus", "Contracts", "ServiceKit", "Storage", "TestKit", grdb],
            path: "Tests/TasksTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests", dependencies: ["Contracts", "ServiceKit", "TestKit", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/EndToEndTests", swiftSettings: swiftSettings),
    ]
)
