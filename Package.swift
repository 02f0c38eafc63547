// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "crm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bus", targets: ["BusService"]),
        .executable(name: "contacts", targets: ["ContactsService"]),
        .executable(name: "telephony", targets: ["TelephonyService"]),
        .executable(name: "settings", targets: ["SettingsService"]),
        .executable(name: "gateway", targets: ["GatewayService"]),
        .executable(name: "crm", targets: ["CRMTool"]),
        .executable(name: "crm-bench", targets: ["CRMBench"]),
        // For the fuzz package (Fuzz/), which compiles the parsers against these.
        .library(name: "CRMShared", targets: ["Bus", "Contracts", "ServiceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ", path: "Shared/CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .target(
            name: "Bus",
            dependencies: [
                "CZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Bus", swiftSettings: swiftSettings),
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
                "Bus", "Storage", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Shared/ServiceKit", swiftSettings: swiftSettings),
        .executableTarget(
            name: "BusService", dependencies: ["Bus", "ServiceKit"],
            path: "Services/Bus", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ContactsService",
            dependencies: [
                "ServiceKit", "Storage", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Contacts", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TelephonyService",
            dependencies: ["ServiceKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Services/Telephony", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SettingsService",
            dependencies: [
                "ServiceKit", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Settings", swiftSettings: swiftSettings),
        .executableTarget(
            name: "GatewayService",
            dependencies: [
                "ServiceKit", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Gateway", swiftSettings: swiftSettings),
        .executableTarget(
            name: "CRMTool",
            dependencies: ["ServiceKit", .product(name: "Yams", package: "Yams")],
            path: "Services/CRM", swiftSettings: swiftSettings),
        .executableTarget(
            name: "CRMBench",
            dependencies: ["Bus", "ServiceKit", "Contracts", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Services/Bench", swiftSettings: swiftSettings),
        .testTarget(
            name: "BusTests", dependencies: ["Bus", "CZeroMQ"],
            path: "Tests/BusTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/StorageTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests", dependencies: ["ServiceKit", "Storage"],
            path: "Tests/ServiceKitTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ContactsTests",
            dependencies: [
                "ContactsService", "ServiceKit", "Storage", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ContactsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "TelephonyTests",
            dependencies: ["TelephonyService", "ServiceKit", "Storage", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TelephonyTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests", dependencies: ["GatewayService", "Contracts", "ServiceKit"],
            path: "Tests/GatewayTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "SettingsTests", dependencies: ["SettingsService", "ServiceKit", "Storage"],
            path: "Tests/SettingsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests", dependencies: ["Contracts", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/EndToEndTests", swiftSettings: swiftSettings),
    ]
)
