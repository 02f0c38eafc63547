import ArgumentParser
import Foundation
import Synchronization

/// `crm-bench http-load`: sends the requests of a file through several kept-alive connections,
/// one thread each, and prints how many answered 200 and how fast. For the Python benchmarks
/// (scripts/sms-bench.py) whose own client processes took a quarter of this 2-core machine, so
/// that the system's rate, not the client's, is what is measured; every measure of a run (the
/// baselines too) goes through it.
struct HTTPLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-load", abstract: "Send a file's requests over several connections and print the rate.")

    @Option(help: "The gateway's port on 127.0.0.1.") var port: Int
    @Option(help: "A bearer token for every request.") var token: String?
    @Option(help: "Connections (a thread each).") var connections = 16
    @Argument(help: "Requests, one a line: METHOD<TAB>PATH[<TAB>CONTENT-TYPE<TAB>BODY].") var file: String

    func run() throws {
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 3) }
        let jobs = lines.filter { $0.count >= 2 }
        let outcome = LoadOutcome()
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for slot in 0..<max(1, connections) {
            group.enter()
            let thread = Thread { [port, token] in
                defer { group.leave() }
                do {
                    let probe = try HTTPProbe(port: port)
                    probe.token = token
                    var index = slot
                    var answered = 0
                    while index < jobs.count {
                        let job = jobs[index]
                        let body = job.count == 4 ? Data(job[3].utf8) : nil
                        let (status, _) = try probe.request(
                            String(job[0]), String(job[1]), body: body, contentType: job.count == 4 ? String(job[2]) : "application/json")
                        if status == 200 { answered += 1 }
                        index += connections
                    }
                    outcome.ok.withLock { $0 += answered }
                } catch {
                    outcome.failed.withLock { $0 = "\(error)" }
                }
            }
            thread.start()
        }
        group.wait()
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        if let error = outcome.failed.withLock({ $0 }) { throw BenchError(error) }
        let answered = outcome.ok.withLock { $0 }
        print("{\"requests\": \(jobs.count), \"ok\": \(answered), \"seconds\": \(seconds)}")
    }
}

/// What the load threads count: requests answered 200, and the first failure.
final class LoadOutcome: Sendable {
    let ok = Mutex(0)
    let failed = Mutex<String?>(nil)
}
