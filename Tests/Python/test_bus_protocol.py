"""The bus protocol as docs/bus-protocol.md describes it, spoken by pyzmq against the real `bus`
executable. If this passes, the document is precise enough to write a client in another language.
Every socket speaks CURVE with the key of a role (crm keys init), as every process does.
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

import zmq

import crmkeys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))

CLIENT = b"CRMC01"
WORKER = b"CRMW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"


def free_ports(count):
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


class BusProtocolTest(unittest.TestCase):
    def setUp(self):
        self.ports = free_ports(3)
        self.folder = tempfile.mkdtemp(prefix="crm-py-")
        env = dict(os.environ)
        env.update({
            "CRM_BUS_ENDPOINT": "tcp://127.0.0.1:%d" % self.ports[0],
            "CRM_EVENTS_PUBLISH_ENDPOINT": "tcp://127.0.0.1:%d" % self.ports[1],
            "CRM_EVENTS_SUBSCRIBE_ENDPOINT": "tcp://127.0.0.1:%d" % self.ports[2],
            "CRM_HEARTBEAT_MS": "200",
            "CRM_DATA_DIR": self.folder,
        })
        self.keys = crmkeys.init(self.folder, roles=["py-echo", "py-beat", "py-job", "pysource"])
        self.log = open(os.path.join(self.folder, "bus.log"), "w")
        self.bus = subprocess.Popen([os.path.join(BIN, "bus")], env=env, stdout=self.log, stderr=self.log)
        self.context = zmq.Context()
        self.sockets = []
        time.sleep(0.5)

    def tearDown(self):
        for s in self.sockets:
            s.close(linger=0)
        self.context.term()
        self.bus.send_signal(signal.SIGTERM)
        try:
            self.bus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.bus.kill()
            self.bus.wait()
        self.log.close()

    def dealer(self, role="gateway"):
        s = self.context.socket(zmq.DEALER)
        s.setsockopt(zmq.RCVTIMEO, 3000)
        crmkeys.as_role(s, self.keys, role)
        s.connect("tcp://127.0.0.1:%d" % self.ports[0])
        self.sockets.append(s)
        return s

    def request(self, client, service, method, body, timeout_ms=3000, headers=b'{"actor":"python"}'):
        request_id = str(uuid.uuid4()).encode()
        client.send_multipart([b"", CLIENT, REQUEST, service, request_id, method,
                               str(timeout_ms).encode(), headers, json.dumps(body).encode()])
        return request_id

    def test_request_reaches_worker_and_reply_comes_back(self):
        worker = self.dealer("py-echo")
        worker.send_multipart([b"", WORKER, READY, b"py-echo", b"2"])
        time.sleep(0.2)
        client = self.dealer()
        request_id = self.request(client, b"py-echo", b"py-echo.say", {"text": "hello"})

        while True:
            frames = worker.recv_multipart()
            self.assertEqual(frames[:2], [b"", WORKER])
            if frames[2] == REQUEST:
                break
            self.assertEqual(frames[2], HEARTBEAT)
        self.assertEqual(len(frames), 9)
        address, got_id, method, timeout, headers, body = frames[3:]
        self.assertEqual(got_id, request_id)
        self.assertEqual(method, b"py-echo.say")
        self.assertTrue(0 < int(timeout) <= 3000)
        self.assertEqual(json.loads(headers)["actor"], "python")
        self.assertEqual(json.loads(headers)["caller"], "gateway")  # set by the broker from the key
        self.assertEqual(json.loads(body), {"text": "hello"})

        worker.send_multipart([b"", WORKER, REPLY, address, got_id, b"ok", b'{"echo":"hello"}'])
        reply = client.recv_multipart()
        self.assertEqual(reply, [b"", CLIENT, REPLY, b"py-echo", request_id, b"ok", b'{"echo":"hello"}'])

    def test_unknown_service_is_unavailable_at_once(self):
        client = self.dealer()
        # "unavailable" is the broker's own answer; waiting out the 10 s deadline would be "timeout".
        request_id = self.request(client, b"nobody", b"nobody.get", {}, timeout_ms=10000)
        reply = client.recv_multipart()
        self.assertEqual(reply[4], request_id)
        self.assertEqual(reply[5], b"unavailable")
        error = json.loads(reply[6])
        self.assertEqual(error["code"], "unavailable")
        self.assertIn("nobody", error["message"])

    def test_broker_heartbeats_and_reports_health(self):
        worker = self.dealer("py-beat")
        worker.send_multipart([b"", WORKER, READY, b"py-beat", b"1"])
        frames = worker.recv_multipart()
        self.assertEqual(frames, [b"", WORKER, HEARTBEAT])
        client = self.dealer()
        self.request(client, b"bus", b"bus.health", {})
        reply = client.recv_multipart()
        self.assertEqual(reply[5], b"ok")
        health = json.loads(reply[6])
        services = {s["name"]: s for s in health["services"]}
        self.assertEqual(services["py-beat"]["workers"], 1)
        self.assertEqual(services["py-beat"]["in_flight"], 0)

    def test_silent_worker_is_dropped_and_its_request_fails_over(self):
        silent = self.dealer("py-job")
        silent.send_multipart([b"", WORKER, READY, b"py-job", b"1"])
        time.sleep(0.2)
        client = self.dealer()
        request_id = self.request(client, b"py-job", b"py-job.run", {}, timeout_ms=8000)
        # The silent worker takes the request and never answers nor beats again.
        while silent.recv_multipart()[2] != REQUEST:
            pass
        healthy = self.dealer("py-job")
        healthy.send_multipart([b"", WORKER, READY, b"py-job", b"1"])
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            frames = healthy.recv_multipart()
            if frames[2] == REQUEST:
                healthy.send_multipart([b"", WORKER, REPLY, frames[3], frames[4], b"ok", b'"rescued"'])
                break
            healthy.send_multipart([b"", WORKER, HEARTBEAT])
        client.setsockopt(zmq.RCVTIMEO, 8000)
        reply = client.recv_multipart()
        self.assertEqual(reply[4], request_id)
        self.assertEqual(reply[5:], [b"ok", b'"rescued"'])

    def test_events_pass_through_the_forwarder(self):
        sub = self.context.socket(zmq.SUB)
        sub.setsockopt(zmq.RCVTIMEO, 200)
        sub.setsockopt(zmq.SUBSCRIBE, b"pysource")
        crmkeys.as_role(sub, self.keys, "gateway")
        sub.connect("tcp://127.0.0.1:%d" % self.ports[2])
        self.sockets.append(sub)
        pub = self.context.socket(zmq.PUB)
        crmkeys.as_role(pub, self.keys, "pysource")
        pub.connect("tcp://127.0.0.1:%d" % self.ports[1])
        self.sockets.append(pub)
        forger = self.context.socket(zmq.PUB)
        crmkeys.as_role(forger, self.keys, "py-echo")
        forger.connect("tcp://127.0.0.1:%d" % self.ports[1])
        self.sockets.append(forger)
        message = [b"pysource", b"1", b"thing.happened", b"2026-01-01T00:00:00.000Z", b'{"id":1}']
        forged = [b"pysource", b"1", b"thing.forged", b"2026-01-01T00:00:00.000Z", b'{"id":1}']
        received = []
        for _ in range(50):  # PUB/SUB joins late: publish until the subscription has propagated
            forger.send_multipart(forged)
            pub.send_multipart(message)
            try:
                received.append(sub.recv_multipart())
                if len(received) >= 3:
                    break
            except zmq.Again:
                continue
        self.assertTrue(received)
        # Only the source's own identity publishes its events: py-echo's copy never arrives.
        self.assertTrue(all(m == message for m in received), received)

    def test_strangers_get_nothing(self):
        """A key the bus does not know, and a plain socket, get no answer at all, not even bus.health."""
        public, secret = zmq.curve_keypair()
        server = crmkeys.read(os.path.join(self.keys, "bus.pub"))["public"]
        # A refused connection may leave no pipe to queue on: sends time out too (either is "nothing").
        stranger = self.context.socket(zmq.DEALER)
        stranger.setsockopt(zmq.RCVTIMEO, 1500)
        stranger.setsockopt(zmq.SNDTIMEO, 1500)
        crmkeys.curve(stranger, public.decode(), secret.decode(), server)
        stranger.connect("tcp://127.0.0.1:%d" % self.ports[0])
        plain = self.context.socket(zmq.DEALER)
        plain.setsockopt(zmq.RCVTIMEO, 1500)
        plain.setsockopt(zmq.SNDTIMEO, 1500)
        plain.connect("tcp://127.0.0.1:%d" % self.ports[0])
        self.sockets += [stranger, plain]
        for socket in [stranger, plain]:
            with self.assertRaises(zmq.Again):
                self.request(socket, b"bus", b"bus.health", {}, headers=b"{}")
                socket.recv_multipart()

    def test_roles_are_enforced(self):
        """A worker registers only for its own service; a service sends no user headers; headers
        that are not a JSON object are refused; an overflowing timeout does not stop the broker."""
        impostor = self.dealer("py-beat")
        impostor.send_multipart([b"", WORKER, READY, b"py-echo", b"1"])  # py-beat's key, py-echo's service
        time.sleep(0.3)
        client = self.dealer()
        self.request(client, b"py-echo", b"py-echo.say", {}, timeout_ms=1000)
        self.assertEqual(client.recv_multipart()[5], b"unavailable")
        worker = self.dealer("py-echo")
        worker.send_multipart([b"", WORKER, READY, b"py-echo", b"1"])
        time.sleep(0.3)
        service = self.dealer("py-job")  # a service identity speaking for a boss
        self.request(service, b"py-echo", b"py-echo.say", {}, headers=b'{"actor":"mallory","rank":"boss"}')
        reply = service.recv_multipart()
        self.assertEqual(reply[5], b"forbidden")
        for headers in [b"", b"[]", b"not json", b'{"caller":"gateway"}']:
            self.request(client, b"py-echo", b"py-echo.say", {}, headers=headers)
            self.assertIn(client.recv_multipart()[5], [b"bad_request", b"forbidden"], headers)
        self.request(client, b"bus", b"bus.health", {}, timeout_ms="9223372036854775807")
        self.assertEqual(client.recv_multipart()[5], b"ok")
        self.assertIsNone(self.bus.poll(), "the broker stopped")


if __name__ == "__main__":
    unittest.main()
