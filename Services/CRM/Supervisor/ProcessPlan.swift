import Foundation
import ServiceKit
import Yams

/// The processes `crm up` runs, read from a YAML file under compose/.
struct ProcessPlan: Decodable {
    /// One executable and how many copies of it to run.
    struct Entry: Decodable {
        var name: String
        var instances: Int?
        var environment: [String: String]?
        /// Executable name when it differs from `name`.
        var executable: String?
    }

    var environment: [String: String]?
    var processes: [Entry]

    static let knownExecutables = Set(SystemProcesses.executables)

    /// The shell's environment with the plan's defaults under it (the shell wins, so one-off
    /// overrides work), as every process of the plan sees it.
    func environment(over inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var merged = inherited
        for (key, value) in environment ?? [:] where inherited[key] == nil { merged[key] = value }
        return merged
    }

    /// The configuration the `crm` commands act on: the plan at `file` (when it can be read)
    /// under the shell's environment, then `options`.
    static func config(options: CommonOptions, file: String) throws -> ServiceConfig {
        let environment = (try? load(path: file))?.environment() ?? ProcessInfo.processInfo.environment
        return try ServiceConfig.load(options: options, environment: environment)
    }

    /// Reads and checks the plan.
    static func load(path: String) throws -> ProcessPlan {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw PlanError("cannot read \(path)")
        }
        let plan: ProcessPlan
        do {
            plan = try YAMLDecoder().decode(ProcessPlan.self, from: text)
        } catch {
            throw PlanError("\(path) is not a valid process plan: \(error)")
        }
        var seen = Set<String>()
        for entry in plan.processes {
            guard seen.insert(entry.name).inserted else { throw PlanError("\(path): process '\(entry.name)' is listed twice") }
            let executable = entry.executable ?? entry.name
            guard knownExecutables.contains(executable) else {
                throw PlanError("\(path): '\(executable)' is not one of \(knownExecutables.sorted().joined(separator: ", "))")
            }
            guard (0...64).contains(entry.instances ?? 1) else {
                throw PlanError("\(path): '\(entry.name)' instances must be between 0 and 64")
            }
        }
        return plan
    }
}

/// A plan that cannot be used; the message says why.
struct PlanError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
