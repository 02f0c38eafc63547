"""Reliability of the ZeroMQ ingest: a producer streams call events and resends what is not
acknowledged while the telephony service is killed with SIGKILL twice and started again. At the
end the call log holds exactly the calls sent: none lost, none doubled.

The suite runs it with 50,000 events; `make test-reliability EVENTS=1000000` runs the same test
with a million (CRM_RELIABILITY_EVENTS)."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import zmq  # noqa: E402
import crmkeys  # noqa: E402
import crmsystem  # noqa: E402
from ingest_producer import Producer  # noqa: E402
from test_ingest import telephony_environment, wait_projected  # noqa: E402

EVENTS = int(os.environ.get("CRM_RELIABILITY_EVENTS", "50000"))


def two_events_per_call(count):
    """`count` events: a ringing and a completed event for each call."""
    for n in range(count // 2):
        call = "call-%d" % n
        number = "+479%07d" % n
        yield {"event_id": call + "-r", "call_id": call, "type": "ringing", "direction": "inbound", "from": number,
               "at": "2026-01-05T09:00:00Z", "leg": "a"}
        yield {"event_id": call + "-c", "call_id": call, "type": "completed", "duration": 60, "billsec": 50,
               "disposition": "ANSWERED", "at": "2026-01-05T09:01:00Z", "leg": "a"}


class IngestReliabilityTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="crm-reliability-")
        self.env, self.endpoint = telephony_environment(self.folder)
        self.log = open(os.path.join(self.folder, "processes.log"), "a")
        self.bus = subprocess.Popen([os.path.join(BIN, "bus")], env=self.env, stdout=self.log, stderr=self.log)
        self.telephony = self.start_telephony()
        self.context = zmq.Context()

    def start_telephony(self):
        return subprocess.Popen([os.path.join(BIN, "telephony")], env=self.env, stdout=self.log, stderr=self.log)

    def tearDown(self):
        self.context.term()
        for process in [self.telephony, self.bus]:
            crmsystem.stop(process)
        self.log.close()

    def test_nothing_lost_nothing_doubled_across_two_kills(self):
        producer = Producer(self.endpoint, "pbx-reliability", window=4000, batch=200, resend_after=5.0, context=self.context,
                            curve=crmkeys.producer(self.folder, "pbx-reliability"))
        kills_at = [EVENTS * 3 // 10, EVENTS * 6 // 10]
        kills = []
        started = time.time()
        events = two_events_per_call(EVENTS)
        chunk = []
        for event in events:
            chunk.append(event)
            if len(chunk) < 1000:
                continue
            producer.send(chunk)
            chunk = []
            if kills_at and producer.acked >= kills_at[0]:
                kills_at.pop(0)
                self.telephony.send_signal(signal.SIGKILL)
                self.telephony.wait()
                kills.append(producer.acked)
                time.sleep(0.5)  # the producer keeps sending into the void meanwhile
                self.telephony = self.start_telephony()
        if chunk:
            producer.send(chunk)
        producer.drain(timeout=600)
        elapsed = time.time() - started
        producer.close()
        self.assertEqual(len(kills), 2, "the service was killed twice during the stream")
        self.assertEqual(producer.errors, [])

        connection = sqlite3.connect(os.path.join(self.folder, "telephony", "telephony.sqlite"))
        try:
            one = lambda sql: connection.execute(sql).fetchone()[0]  # noqa: E731
            # Acknowledged means durable in the ingest log; the call log follows it.
            wait_projected(os.path.join(self.folder, "telephony", "telephony.sqlite"), 600)
            caught_up = time.time() - started
            self.assertEqual(one("SELECT COUNT(*) FROM ingest_log"), 0)
            self.assertEqual(one("SELECT COUNT(*) FROM call"), EVENTS // 2)
            self.assertEqual(one("SELECT COUNT(DISTINCT external_id) FROM call"), EVENTS // 2)
            self.assertEqual(one("SELECT COUNT(*) FROM call_event"), EVENTS)
            self.assertEqual(one("SELECT COUNT(*) FROM call WHERE event_count = 2 AND status = 'answered'"), EVENTS // 2)
            self.assertEqual(one("SELECT seq FROM ingest_checkpoint"), EVENTS)
        finally:
            connection.close()
        print("\n%d events, killed at acked %s, %d resent, all acknowledged in %.1f s (%.0f events/s), "
              "call log complete after %.1f s (%.0f events/s)" % (
                  EVENTS, kills, producer.resent, elapsed, EVENTS / elapsed, caught_up, EVENTS / caught_up))


if __name__ == "__main__":
    unittest.main()
