import Bus
import CHeap
import Foundation
import Logging
import Metrics
import Prometheus
import Storage

/// The process's metrics: swift-metrics handlers kept in one Prometheus registry, plus values
/// read when a scrape comes (process memory and CPU, database sizes, queue depths), written out
/// in Prometheus' text format by `MetricsServer` on its own address (`CRM_METRICS_ADDRESS`).
public enum Telemetry {
    /// Every metric of this process.
    public static let registry = PrometheusCollectorRegistry()

    private static let collectors = LockedValue<[@Sendable () async -> Void]>([])

    private static let installed: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Bus requests take from tens of microseconds to seconds: finer buckets at the low end
        // than the library's (which start at 5 ms).
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Sends swift-metrics to the registry; once per process (later calls do nothing).
    public static func bootstrap() {
        _ = installed
    }

    /// Adds something to read at every scrape (a size, a queue depth) and record as gauges.
    public static func onScrape(_ collect: @escaping @Sendable () async -> Void) {
        collectors.withValue { $0.append(collect) }
    }

    /// The registry in Prometheus' text format, after the scrape-time values are read.
    public static func exposition() async -> [UInt8] {
        ProcessMetrics.record()
        // Most of a busy service's memory: the page caches grow with its database up to their
        // limits (cache_size), which is not a leak; this tells the two apart.
        Gauge(label: "crm_sqlite_memory_bytes").record(ServiceDatabase.sqliteMemoryUsed)
        // The rest of the heap: what the program holds, and what the allocator keeps after frees
        // (growth in the first is a leak or a growing structure, in the second fragmentation).
        let heap = crm_heap_usage_now()
        Gauge(label: "crm_heap_in_use_bytes").record(Int64(clamping: heap.in_use))
        Gauge(label: "crm_heap_free_bytes").record(Int64(clamping: heap.free))
        for collect in collectors.get() { await collect() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    /// The sizes of a SQLite database and its write-ahead log, in bytes.
    public static func recordFileSizes(database path: String) {
        for (file, suffix) in [("main", ""), ("wal", "-wal")] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value ?? 0
            Gauge(label: "crm_database_bytes", dimensions: [("file", file)]).record(size)
        }
    }
}

/// Memory, CPU, open files and start time of this process, from /proc/self (Linux), under the
/// names every Prometheus client uses for them.
public enum ProcessMetrics {
    private static let cpu = Telemetry.registry.makeCounter(name: "process_cpu_seconds_total")
    private static let cpuSeen = LockedValue<Double>(0)
    private static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    private static let bootTime: Double? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }()

    static func record() {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return }
        // The fields after the command name, which may hold spaces and parentheses: the state is
        // field 3 of proc(5), so field n is at n - 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ").map(String.init)
        guard fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]),
            let started = Double(fields[19]), let virtual = Double(fields[20]), let resident = Double(fields[21]), ticks > 0
        else { return }
        let seconds = (user + system) / ticks
        let delta = cpuSeen.withValue { seen -> Double in
            let delta = max(0, seconds - seen)
            seen = max(seen, seconds)
            return delta
        }
        if delta > 0 { cpu.increment(by: delta) }
        Gauge(label: "process_resident_memory_bytes").record(resident * pageSize)
        Gauge(label: "process_virtual_memory_bytes").record(virtual)
        if let bootTime { Gauge(label: "process_start_time_seconds").record(bootTime + started / ticks) }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            Gauge(label: "process_open_fds").record(descriptors.count)
        }
        // What this process costs the machine (ADR 017): its own pages plus its share of those it
        // maps with other processes (PSS), and its own alone (anonymous resident pages).
        if let kilobytes = kilobytes(of: "Pss:", in: "/proc/self/smaps_rollup") {
            Gauge(label: "crm_process_proportional_memory_bytes").record(kilobytes * 1024)
        }
        if let kilobytes = kilobytes(of: "RssAnon:", in: "/proc/self/status") {
            Gauge(label: "crm_process_own_memory_bytes").record(kilobytes * 1024)
        }
    }

    /// The number of a `Name:   123 kB` line of a /proc file (`status`, `smaps_rollup`), nil when
    /// the file or the line is not there.
    public static func kilobytes(of field: String, in path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return nil }
        return line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
    }

    /// This process's resident memory in bytes (0 where /proc is not there).
    static func residentBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return Int64(pages * pageSize)
    }
}
