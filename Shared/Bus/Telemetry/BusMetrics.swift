import Metrics

/// What the bus parts record, named in one place. Prometheus takes a name with one kind of
/// metric and one set of label names only, so every name is written here and nowhere else.
/// Label values are bounded: a method a worker does not have is counted as `unknown`, never
/// under the name a caller made up.
public enum BusMetrics {
    /// A request a worker answered: its method, the reply's code and how long the handler took.
    static func request(method: String, known: Bool, code: String, elapsed: Duration) {
        let method = known ? method : "unknown"
        Counter(label: "crm_bus_requests_total", dimensions: [("method", method), ("code", code)]).increment()
        Timer(label: "crm_bus_request_duration_seconds", dimensions: [("method", method)]).record(duration: elapsed)
    }

    /// Events of `source` applied by this process's subscriber.
    static func applied(source: String, count: Int) {
        Counter(label: "crm_events_applied_total", dimensions: [("source", source)]).increment(by: Int64(count))
    }

    /// Where this process's subscriber stands in `source`: the newest sequence it has seen from
    /// the source, the last it applied, and the difference (its lag, in events).
    static func position(source: String, seen: Int64, applied: Int64) {
        Gauge(label: "crm_events_source_sequence", dimensions: [("source", source)]).record(seen)
        Gauge(label: "crm_events_checkpoint", dimensions: [("source", source)]).record(applied)
        Gauge(label: "crm_events_lag", dimensions: [("source", source)]).record(max(0, seen - applied))
    }

    /// Events this process published from its outbox.
    static func published(count: Int) {
        Counter(label: "crm_events_published_total").increment(by: Int64(count))
    }

    /// The broker's view of one service: workers connected, requests waiting for a free worker
    /// (the queue depth), requests being handled.
    public static func broker(service: String, workers: Int, queued: Int, inFlight: Int) {
        Gauge(label: "crm_bus_workers", dimensions: [("service", service)]).record(workers)
        Gauge(label: "crm_bus_queued_requests", dimensions: [("service", service)]).record(queued)
        Gauge(label: "crm_bus_in_flight_requests", dimensions: [("service", service)]).record(inFlight)
    }

    /// Requests the broker has routed since it started.
    public static func routed(total: Int) {
        Gauge(label: "crm_bus_routed_requests").record(total)
    }
}
