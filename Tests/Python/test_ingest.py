"""The ZeroMQ ingest as docs/zeromq-ingest.md describes it, driven by the example producer
(examples/ingest_producer.py, pyzmq) against the real `bus` and `telephony` executables."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import crmkeys  # noqa: E402
from ingest_producer import TAG, Producer, calls  # noqa: E402
from test_bus_protocol import free_ports  # noqa: E402


def telephony_environment(folder):
    """The environment for a bus and a telephony service on free ports with data in `folder`,
    and the ingest endpoint it binds."""
    ports = free_ports(4)
    endpoint = "tcp://127.0.0.1:%d" % ports[3]
    env = dict(os.environ)
    env.update({
        "CRM_BUS_ENDPOINT": "tcp://127.0.0.1:%d" % ports[0],
        "CRM_EVENTS_PUBLISH_ENDPOINT": "tcp://127.0.0.1:%d" % ports[1],
        "CRM_EVENTS_SUBSCRIBE_ENDPOINT": "tcp://127.0.0.1:%d" % ports[2],
        "CRM_TELEPHONY_INGEST_ENDPOINT": endpoint,
        "CRM_DATA_DIR": folder,
    })
    crmkeys.init(folder)
    return env, endpoint


def wait_projected(database, timeout):
    """Waits until the projector has folded telephony's ingest log into the call log; True if it did."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        connection = sqlite3.connect(database)
        try:
            if connection.execute("SELECT COUNT(*) FROM ingest_log").fetchone()[0] == 0:
                return True
        finally:
            connection.close()
        time.sleep(0.05)
    return False


class IngestTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="crm-ingest-")
        env, self.endpoint = telephony_environment(self.folder)
        self.processes = []
        for name in ["bus", "telephony"]:
            log = open(os.path.join(self.folder, name + ".log"), "w")
            self.processes.append(subprocess.Popen([os.path.join(BIN, name)], env=env, stdout=log, stderr=log))
        self.database = os.path.join(self.folder, "telephony", "telephony.sqlite")
        self.context = zmq.Context()
        self.producers = []

    def tearDown(self):
        for producer in self.producers:
            producer.close()
        self.context.term()
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def producer(self, name="pbx1", stream=None):
        producer = Producer(self.endpoint, name, stream=stream, resend_after=2.0, context=self.context,
                            curve=crmkeys.producer(self.folder, name))
        self.producers.append(producer)
        return producer

    def projected(self, timeout=60):
        if not wait_projected(self.database, timeout):
            self.fail("the ingest log was not projected within %d s" % timeout)

    def count(self, sql):
        connection = sqlite3.connect(self.database)
        try:
            return connection.execute(sql).fetchone()[0]
        finally:
            connection.close()

    def test_events_are_acknowledged_once_committed_and_duplicates_dropped(self):
        producer = self.producer()
        self.assertEqual(producer.hello(timeout=30), 0)
        producer.send(calls(300, "a"))
        producer.drain(timeout=60)
        self.assertEqual(producer.acked, 900)
        self.assertEqual(producer.errors, [])
        self.projected()
        self.assertEqual(self.count("SELECT COUNT(*) FROM call"), 300)
        self.assertEqual(self.count("SELECT COUNT(*) FROM call WHERE status = 'answered' AND ended_at IS NOT NULL"), 300)
        self.assertEqual(self.count("SELECT seq FROM ingest_checkpoint WHERE producer = 'pbx1'"), 900)

        # The same stream again: HELLO says where it stands, resent sequences change nothing.
        again = self.producer(stream=producer.stream.decode())
        self.assertEqual(again.hello(), 900)
        # A new stream with the same event ids: dropped by event id.
        other = self.producer()
        other.send(calls(300, "a"))
        other.drain(timeout=60)
        self.projected()
        self.assertEqual(self.count("SELECT COUNT(*) FROM call_event"), 900)
        self.assertEqual(self.count("SELECT COUNT(*) FROM call"), 300)

    def test_malformed_frames_are_answered_and_change_nothing(self):
        socket = self.context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        crmkeys.curve(socket, *crmkeys.producer(self.folder, "p"))
        socket.connect(self.endpoint)
        try:
            def ask(frames):
                socket.send_multipart(frames)
                self.assertTrue(socket.poll(30000), "no answer to %r" % (frames,))
                return socket.recv_multipart()

            self.assertEqual(ask([b"junk"])[:2], [TAG, b"ERROR"])
            self.assertEqual(ask([b"CRMI0", b"EVENTS", b"p", b"s", b"1", b"{}"])[1], b"ERROR")
            reply = ask([TAG, b"EVENTS", b"p", b"s", b"1"])
            self.assertEqual(reply[1], b"ERROR")
            self.assertIn(b"pairs", reply[5])
            reply = ask([TAG, b"EVENTS", b"p", b"s", b"-4", b"{}"])
            self.assertIn(b"positive", reply[5])
            reply = ask([TAG, b"BOOM", b"p", b"s", b"1", b"{}"])
            self.assertIn(b"unknown command", reply[5])
            reply = ask([TAG, b"EVENTS", b"p", b"s", b"1", b"\xff\xfe not json"])
            self.assertEqual(reply[1:5], [b"ERROR", b"p", b"s", b"1"])
            ack = socket.recv_multipart() if socket.poll(10000) else None
            self.assertEqual(ack[1:5], [b"ACK", b"p", b"s", b"1"])
            reply = ask([TAG, b"EVENTS", b"p", b"s", b"2", b'{"call_id":"c","type":"ringing"}'])
            self.assertIn(b"event_id is required", reply[5])
            socket.poll(10000)
            socket.recv_multipart()
            self.assertEqual(self.count("SELECT COUNT(*) FROM call_event"), 0)
        finally:
            socket.close(linger=0)
        # Still serving.
        producer = self.producer("after")
        producer.send(calls(10, "b"))
        producer.drain(timeout=30)
        self.projected()
        self.assertEqual(self.count("SELECT COUNT(*) FROM call"), 10)
        self.assertIsNone(self.processes[1].poll())

    def test_a_producer_sends_only_under_its_own_name_and_strangers_get_nothing(self):
        # pbx1's key, claiming to be pbx2: refused, nothing stored.
        socket = self.context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        crmkeys.curve(socket, *crmkeys.producer(self.folder, "pbx1"))
        socket.connect(self.endpoint)
        try:
            socket.send_multipart([TAG, b"EVENTS", b"pbx2", b"s", b"1",
                                   b'{"event_id":"x","call_id":"c","type":"ringing","at":"2026-01-05T09:00:00Z"}'])
            self.assertTrue(socket.poll(30000), "no answer")
            reply = socket.recv_multipart()
            self.assertEqual(reply[1], b"ERROR")
            self.assertIn(b"not the identity", reply[5])
        finally:
            socket.close(linger=0)
        # A key telephony does not know, and a plain socket: no answer at all.
        public, secret = zmq.curve_keypair()
        server = crmkeys.producer(self.folder, "pbx1")[2]
        for curve in [(public.decode(), secret.decode(), server), None]:
            socket = self.context.socket(zmq.DEALER)
            socket.setsockopt(zmq.LINGER, 0)
            socket.setsockopt(zmq.SNDTIMEO, 1500)  # a refused connection may leave nothing to queue on
            if curve:
                crmkeys.curve(socket, *curve)
            socket.connect(self.endpoint)
            try:
                try:
                    socket.send_multipart([TAG, b"HELLO", b"pbx1", b"s"])
                except zmq.Again:
                    continue
                self.assertFalse(socket.poll(1500), "a stranger got an answer")
            finally:
                socket.close(linger=0)
        self.assertEqual(self.count("SELECT COUNT(*) FROM call_event"), 0)


if __name__ == "__main__":
    unittest.main()
