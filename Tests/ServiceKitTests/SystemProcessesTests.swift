import Foundation
import ServiceKit
import Testing

/// `SystemProcesses` is the one list of processes; the files an operator runs from (which
/// cannot read Swift) are held to it here, so a new service missing from one of them fails a test.
@Suite("The one list of processes")
struct SystemProcessesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("crm up's plan starts every process, in the list's order")
    func plan() throws {
        let names = try Self.read("compose/crm.yaml").split(separator: "\n")
            .compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                return text.hasPrefix("- name: ") ? String(text.dropFirst("- name: ".count)) : nil
            }
        #expect(names == SystemProcesses.executables)
    }

    @Test("the container compose file runs every process, each service with its own volume")
    func containers() throws {
        let text = try Self.read("compose/docker-compose.yml")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The two-space-indented keys under `services:`, up to the next top-level key.
        guard let start = lines.firstIndex(of: "services:") else {
            Issue.record("no services: section")
            return
        }
        var services: [String] = []
        for line in lines[(start + 1)...] {
            if let first = line.first, first != " " && first != "#" { break }
            if line.hasPrefix("  ") && !line.hasPrefix("   ") && line.hasSuffix(":") {
                services.append(String(line.dropFirst(2).dropLast()))
            }
        }
        // Every process, after the one-shot container that makes the bus identities.
        #expect(services == ["keys"] + SystemProcesses.executables)
        for service in SystemProcesses.services {
            #expect(text.contains("\(service)-data:/data"), "\(service) has no volume of its own")
        }
    }

    @Test("the container image holds every executable and the command line")
    func image() throws {
        let text = try Self.read("compose/Dockerfile")
        let loop = try #require(text.split(separator: "\n").first { $0.contains("for exe in") })
        let names = loop.components(separatedBy: "for exe in ")[1].components(separatedBy: ";")[0].split(separator: " ").map(String.init)
        #expect(Set(names) == Set(SystemProcesses.executables + ["crm"]))
    }
}
