"""Metrics (issue 20, point 1): every process serves Prometheus text at GET /metrics on an address
of its own (CRM_METRICS_ADDRESS, no token), read here with Prometheus' own Python parser: bus
requests per method with latency histograms and codes, HTTP routes likewise, the broker's queues,
each subscriber's lag, the outbox, database and WAL sizes, call events, messages and batches,
process memory and CPU. `crm status` shows the same lags and depths."""

import os
import subprocess
import unittest
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

import crmsystem
from test_bus_protocol import free_ports
from test_sales import BIN, System


def scrape(address):
    with urllib.request.urlopen("http://%s/metrics" % address, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain"), response.headers["Content-Type"]
        text = response.read().decode()
    samples = {}
    types = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return types, samples


def value(samples, name, **labels):
    """The sum of the samples of `name` whose labels include `labels` (None when there is none)."""
    found = [v for l, v in samples.get(name, []) if all(l.get(k) == str(x) for k, x in labels.items())]
    return sum(found) if found else None


class MetricsTest(unittest.TestCase):
    PASSWORD = "metrics-admin-password"

    @classmethod
    def setUpClass(cls):
        ports = free_ports(len(crmsystem.PROCESSES))
        cls.addresses = {name: "127.0.0.1:%d" % port for name, port in zip(crmsystem.PROCESSES, ports)}
        cls.system = System("crm-metrics-", cls.PASSWORD,
                            own={name: {"CRM_METRICS_ADDRESS": address} for name, address in cls.addresses.items()})
        cls.env = cls.system.env
        cls.api = cls.system.api
        cls.wait = cls.system.wait

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()

    def test_every_process_serves_metrics_that_prometheus_parses(self):
        status, contact = self.api("POST", "/api/v1/contacts", {
            "first_name": "Måling", "last_name": "Teller", "phones": [{"number": "+47 934 11 220", "kind": "mobile"}]})
        self.assertEqual(status, 201, contact)
        for number, kind in enumerate(["ringing", "answered", "completed"]):
            status, body = self.api("POST", "/api/v1/telephony/events", {
                "event_id": "metrics-%d" % number, "call_id": "metrics-call", "type": kind, "direction": "inbound",
                "from": "+47 934 11 220", "to": "+47 22 93 47 70", "at": "2026-11-28T08:0%d:00Z" % number})
            self.assertEqual(status, 200, body)
        self.wait("the call on the contact", lambda: (self.api("GET", "/api/v1/contacts/%d/calls" % contact["id"])[1] or {})
                  .get("items"))
        # No SMS provider and no SMTP server here: both wait in their queues.
        status, sms = self.api("POST", "/api/v1/messages/sms", {"to": "+4791112222", "text": "Måling"})
        self.assertIn(status, (201, 202), sms)
        self.assertEqual(self.api("GET", "/api/v1/contacts/999999")[0], 404)

        every = {}
        for name, address in self.addresses.items():
            types, samples = scrape(address)
            every[name] = samples
            self.assertGreater(value(samples, "process_resident_memory_bytes"), 1_000_000, name)
            # PSS counts a shared page in part, RSS in full; own pages are in both.
            own, share = value(samples, "crm_process_own_memory_bytes"), value(samples, "crm_process_proportional_memory_bytes")
            self.assertGreater(own, 1_000_000, name)
            self.assertTrue(own < share <= value(samples, "process_resident_memory_bytes") * 1.1, (name, own, share))
            self.assertEqual(types["process_cpu_seconds"], "counter", name)
            self.assertGreater(value(samples, "process_cpu_seconds_total"), 0, name)
            self.assertGreater(value(samples, "process_open_fds"), 3, name)
            if name not in ("bus", "gateway"):
                self.assertGreater(value(samples, "crm_database_bytes", file="main"), 0, name)
                self.assertIsNotNone(value(samples, "crm_database_bytes", file="wal"), name)
                self.assertIsNotNone(value(samples, "crm_outbox_sequence"), name)

        bus = every["bus"]
        for service in ("contacts", "telephony", "settings", "notifications", "sales", "tasks"):
            self.assertEqual(value(bus, "crm_bus_workers", service=service), 1, service)
            self.assertEqual(value(bus, "crm_bus_queued_requests", service=service), 0, service)
        self.assertGreater(value(bus, "crm_bus_routed_requests"), 5)

        contacts = every["contacts"]
        self.assertGreaterEqual(value(contacts, "crm_bus_requests_total", method="contacts.create", code="ok"), 1)
        self.assertGreaterEqual(value(contacts, "crm_bus_requests_total", method="contacts.get", code="not_found"), 1)
        self.assertGreaterEqual(value(contacts, "crm_bus_request_duration_seconds_count", method="contacts.create"), 1)
        self.assertEqual(value(contacts, "crm_bus_request_duration_seconds_bucket", method="contacts.create", le="+Inf"),
                         value(contacts, "crm_bus_request_duration_seconds_count", method="contacts.create"))
        self.assertGreaterEqual(value(contacts, "crm_outbox_sequence"), 1)
        self.assertGreaterEqual(value(contacts, "crm_events_published_total"), 1)

        gateway = every["gateway"]
        self.assertGreaterEqual(value(gateway, "crm_http_requests_total", method="POST", route="/api/v1/contacts", status=201), 1)
        self.assertGreaterEqual(value(gateway, "crm_http_requests_total", method="GET", route="/api/v1/contacts/{id}", status=404), 1)
        self.assertGreaterEqual(value(gateway, "crm_http_request_duration_seconds_count", method="POST", route="/api/v1/contacts"), 1)

        telephony = every["telephony"]
        self.assertGreaterEqual(value(telephony, "crm_call_events_ingested_total"), 3)
        self.assertGreaterEqual(value(telephony, "crm_events_applied_total", source="contacts"), 1)
        # Caught up: what it has seen of contacts it has applied.
        self.assertEqual(value(telephony, "crm_events_lag", source="contacts"), 0)
        self.assertEqual(value(telephony, "crm_events_checkpoint", source="contacts"),
                         value(telephony, "crm_events_source_sequence", source="contacts"))

        notifications = self.wait("the SMS counted in the queue", lambda: (
            lambda s: s if (value(s, "crm_queue_depth", queue="sms_queued") or 0) + (value(s, "crm_queue_depth", queue="sms_held") or 0) >= 1
            else None)(scrape(self.addresses["notifications"])[1]))
        self.assertIsNotNone(value(notifications, "crm_sms_batches", state="running"))
        self.assertIsNotNone(value(notifications, "crm_sms_batch_messages", state="queued"))
        self.assertIsNotNone(value(notifications, "crm_queue_depth", queue="email_queued"))

    def test_crm_status_shows_lags_outboxes_and_queues(self):
        self.assertEqual(self.api("POST", "/api/v1/contacts", {"first_name": "Status", "last_name": "Visning"})[0], 201)
        env = dict(self.env)
        result = subprocess.run([os.path.join(BIN, "crm"), "status", "--file", "/nonexistent.yaml"], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        out = result.stdout
        self.assertIn("contacts", out)
        self.assertIn("queued=0", out)
        self.assertRegex(out, r"lag \(events not yet applied\): contacts=\d+")
        self.assertRegex(out, r"outbox: last event \d+")
        self.assertIn("queues: email_held=", out)
        self.assertRegex(out, r"memory \d+\.\d MB, metrics http://127\.0\.0\.1:\d+/metrics")

    def test_metrics_address_is_checked(self):
        result = subprocess.run([os.path.join(BIN, "contacts"), "--metrics", "no-port-here"], env=self.env,
                                capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("metrics address", result.stderr + result.stdout)


if __name__ == "__main__":
    unittest.main()
