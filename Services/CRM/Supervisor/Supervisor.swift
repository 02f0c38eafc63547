import Foundation

/// Runs child processes, restarts any that dies (with backoff), and stops them all in reverse
/// order on request: SIGTERM, then SIGKILL for any still running after the grace period.
final class Supervisor: @unchecked Sendable {
    // All mutable state is touched only on `queue`.
    struct Child {
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
    private let finished = DispatchSemaphore(value: 0)
    private let output = FileHandle.standardError
    let grace: TimeInterval

    init(grace: TimeInterval = 10) {
        self.grace = grace
    }

    /// Adds a child; call before `start()`.
    func add(label: String, executable: String, environment: [String: String]) {
        queue.sync { children.append(Child(label: label, executable: executable, environment: environment)) }
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
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                log("\(label) did not stop within \(Int(grace))s; killing it")
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        finished.signal()
    }

    /// Blocks until `stop()` has finished.
    func wait() { finished.wait() }

    private func launch(_ index: Int) {
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
        do {
            try process.run()
            children[index].process = process
            children[index].startedAt = Date()
            log("started \(child.label) (pid \(process.processIdentifier))")
        } catch {
            log("cannot start \(child.label): \(error)")
            scheduleRestart(index)
        }
    }

    private func exited(_ index: Int, process: Process) {
        guard children[index].process === process, !stopping else { return }
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
