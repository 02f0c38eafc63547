// swift-tools-version:6.0
// The fuzz targets (libFuzzer): built apart from the product, with every module instrumented, by
// scripts/fuzz.sh. The parsers are the services' own files (symlinks under Sources/CRMFuzz/Parsers),
// compiled here against the shared modules, so what is fuzzed is what runs.
import PackageDescription

let package = Package(
    name: "crm-fuzz",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "crm-fuzz", targets: ["CRMFuzz"])],
    dependencies: [.package(name: "crm", path: ".."), .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0")],
    targets: [
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .executableTarget(
            name: "CRMFuzz",
            dependencies: [
                "CFuzzerDriver", .product(name: "CRMShared", package: "crm"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/CRMFuzz", swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
