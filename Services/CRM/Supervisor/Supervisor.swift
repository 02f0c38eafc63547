import Foundation

/// Runs child processes, restarts any that dies (with backoff), and stops them all in reverse
/// order on request: SIGTERM, then SIGKILL for any still running after the grace period.
final class Supervisor: @unchecked Sendable {
    // All mutable state is touched only on `queue`.
    struct Child {
        /// The plan's process name (`contacts`), and this instance's label (`contacts.1`).
        let name: String
        let label: String
        let executable: String
        let environment: [String: String]
        var process: Process?
        var restarts = 0
        var startedAt = Date()
    }

    private let queue = DispatchQueue(label: "crm.supervisor")
    private var children: [Child] = []
    private var stopping = false
    /// Children a rolling restart is replacing right now.
    private var replacing: Set<Int> = []
    private let finished = DispatchSemaphore(value: 0)
    private let output = FileHandle.standardError
    let grace: TimeInterval

    init(grace: TimeInterval = 10) {
        self.grace = grace
    }

    /// Adds a child; call before `start()`.
    func add(name: String, label: String, executable: String, environment: [String: String]) {
        queue.sync { children.append(Child(name: name, label: label, executable: executable, environment: environment)) }
    }

    /// Starts every child in order.
    func start() {
        queue.sync {
            for index in children.indices { launch(index) }
        }
    }

    /// Stops everything and returns when all children have exited.
    func stop() {
        let running: [(String, Process)] = queue.sync {
            stopping = true
            return children.reversed().compactMap { child in child.process.map { (child.label, $0) } }
        }
        for (label, process) in running where process.isRunning {
            log("stopping \(label) (pid \(process.processIdentifier))")
            terminate(process, label: label)
        }
        finished.signal()
    }

    /// Blocks until `stop()` has finished.
    func wait() { finished.wait() }

    private func launch(_ index: Int) {
        do {
            _ = try spawn(index)
        } catch {
            log("cannot start \(children[index].label): \(error)")
            scheduleRestart(index)
        }
    }

    /// Starts a process for child `index` and makes it the child's process (a process it
    /// replaces is no longer watched: its exit restarts nothing).
    private func spawn(_ index: Int) throws -> Process {
        let child = children[index]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: child.executable)
        process.environment = child.environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let prefix = Data("[\(child.label)] ".utf8)
        let output = self.output
        let pending = LineBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            for line in pending.lines(adding: data) { output.write(prefix + line) }
        }
        let queue = self.queue
        process.terminationHandler = { [weak self] finished in
            queue.async { [weak self] in self?.exited(index, process: finished) }
        }
        try process.run()
        children[index].process = process
        children[index].startedAt = Date()
        log("started \(child.label) (pid \(process.processIdentifier))")
        return process
    }

    /// Restarts every instance of the plan's process `name`, one at a time: a new process first,
    /// and once `ready(label, count)` says the broker has `count` workers of that label (the
    /// old and the new), the old one is stopped (SIGTERM: it stops taking requests, finishes
    /// those it holds and exits; SIGKILL after the grace period). A new process that is not ready
    /// in `patience` seconds is stopped and the old one kept. `say` gets a line per step;
    /// answers whether every instance was replaced.
    func rollingRestart(
        name: String, patience: TimeInterval = 60, ready: (String, Int) -> Bool, say: (String) -> Void
    ) -> Bool {
        let indices: [Int] = queue.sync { stopping ? [] : children.indices.filter { children[$0].name == name } }
        guard !indices.isEmpty else {
            say("error: no process named '\(name)' is running under this crm up")
            return false
        }
        for index in indices {
            let (label, old) = queue.sync { (children[index].label, children[index].process) }
            let replacement: Process
            do {
                replacement = try queue.sync {
                    guard !stopping else { throw PlanError("crm up is stopping") }
                    // Until it is settled, an exit of either process is this restart's to handle.
                    replacing.insert(index)
                    do {
                        return try spawn(index)
                    } catch {
                        replacing.remove(index)
                        throw error
                    }
                }
            } catch {
                say("error: cannot start a new \(label): \(error)")
                return false
            }
            say("\(label): started pid \(replacement.processIdentifier) next to pid \(old?.processIdentifier ?? 0)")
            let deadline = Date().addingTimeInterval(patience)
            var isReady = false
            while Date() < deadline && replacement.isRunning {
                // Two workers of the label while the old one runs; one if it died meanwhile.
                if ready(label, (old?.isRunning ?? false) ? 2 : 1) {
                    isReady = true
                    break
                }
                usleep(100_000)
            }
            guard isReady else {
                terminate(replacement, label: label)
                queue.sync {
                    replacing.remove(index)
                    if let old, old.isRunning {
                        children[index].process = old
                    } else {
                        // Neither runs: back to the usual restarts with backoff.
                        scheduleRestart(index)
                    }
                }
                say("error: the new \(label) was not ready within \(Int(patience)) s; the old one keeps running")
                return false
            }
            if let old, old.isRunning {
                say("\(label): new pid \(replacement.processIdentifier) is taking requests; stopping pid \(old.processIdentifier)")
                terminate(old, label: label)
            }
            queue.sync {
                replacing.remove(index)
                // An exit while it was being replaced was ignored: restart it as usual.
                if !(children[index].process?.isRunning ?? false) { scheduleRestart(index) }
            }
            say("\(label): replaced")
        }
        return true
    }

    /// SIGTERM, then SIGKILL after the grace period; returns once it has exited.
    private func terminate(_ process: Process, label: String) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            log("\(label) (pid \(process.processIdentifier)) did not stop within \(Int(grace))s; killing it")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func exited(_ index: Int, process: Process) {
        guard children[index].process === process, !stopping, !replacing.contains(index) else { return }
        let label = children[index].label
        log("\(label) exited with status \(process.terminationStatus); restarting")
        scheduleRestart(index)
    }

    private func scheduleRestart(_ index: Int) {
        // Back off while a child keeps dying; start over once it has run for a while.
        if Date().timeIntervalSince(children[index].startedAt) > 30 { children[index].restarts = 0 }
        let delay = min(30, 0.5 * pow(2, Double(children[index].restarts)))
        children[index].restarts += 1
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self, !self.stopping else { return }
            self.launch(index)
        }
    }

    func log(_ message: String) {
        output.write(Data("[crm] \(message)\n".utf8))
    }
}

/// Splits a byte stream into whole lines.
private final class LineBuffer: @unchecked Sendable {
    // Only called from one readability handler at a time.
    private var buffer = Data()

    func lines(adding data: Data) -> [Data] {
        buffer.append(data)
        var lines: [Data] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(buffer[buffer.startIndex...newline])
            buffer.removeSubrange(buffer.startIndex...newline)
        }
        return lines
    }
}
