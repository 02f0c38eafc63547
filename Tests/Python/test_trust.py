"""The trust model on the real system (bus, settings, contacts, telephony, gateway), attacked the
way trust.md found it open: a second local process with pyzmq, and hostile HTTP inputs.

- a key the bus does not know gets nothing;
- telephony's own identity cannot register as the settings worker, nor ask as a boss;
- an event that claims source `contacts` from telephony's identity changes nothing;
- the broker and telephony survive the overflow inputs that used to stop them.
"""

import json
import os
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

import zmq

import crmkeys
import crmsystem
from test_bus_protocol import BIN, CLIENT, READY, REQUEST, WORKER

PASSWORD = "trust-admin-password"


class TrustTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="crm-trust-")
        env, ports = crmsystem.environment(cls.folder, PASSWORD)
        cls.bus_endpoint = env["CRM_BUS_ENDPOINT"]
        cls.publish_endpoint = env["CRM_EVENTS_PUBLISH_ENDPOINT"]
        cls.http = "http://127.0.0.1:%d" % ports[3]
        cls.keys = crmkeys.init(cls.folder)
        cls.processes = crmsystem.start(cls.folder, env, BIN, cls.http)
        status, body = cls.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        assert status == 200, (status, body)
        cls.token = body["token"]
        cls.context = zmq.Context()

    @classmethod
    def tearDownClass(cls):
        cls.context.term()
        for process in reversed(list(cls.processes.values())):
            crmsystem.stop(process)

    @classmethod
    def call(cls, method, path, body=None, raw=None, token=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(cls.http + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text

    def socket(self, kind, role=None, curve=None):
        s = self.context.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, 3000)
        if role:
            crmkeys.as_role(s, self.keys, role)
        elif curve:
            crmkeys.curve(s, *curve)
        s.connect(self.publish_endpoint if kind == zmq.PUB else self.bus_endpoint)
        self.addCleanup(s.close, 0)
        return s

    def ask(self, s, service, method, headers, timeout=b"3000", body=b"{}"):
        request_id = uuid.uuid4().hex.encode()
        s.send_multipart([b"", CLIENT, REQUEST, service, request_id, method, timeout, headers, body])
        reply = s.recv_multipart()
        self.assertEqual(reply[4], request_id)
        return reply[5], json.loads(reply[6])

    def alive(self):
        for name, process in self.processes.items():
            self.assertIsNone(process.poll(), "%s stopped" % name)

    def test_a_stranger_gets_nothing(self):
        public, secret = zmq.curve_keypair()
        server = crmkeys.read(os.path.join(self.keys, "bus.pub"))["public"]
        stranger = self.socket(zmq.DEALER, curve=(public.decode(), secret.decode(), server))
        stranger.setsockopt(zmq.RCVTIMEO, 2000)
        stranger.setsockopt(zmq.SNDTIMEO, 2000)  # a refused connection may leave nothing to queue on
        with self.assertRaises(zmq.Again):
            self.ask(stranger, b"settings", b"settings.users.list", b'{"actor":"mallory","rank":"boss"}')
        plain = self.context.socket(zmq.DEALER)
        plain.setsockopt(zmq.RCVTIMEO, 2000)
        plain.setsockopt(zmq.SNDTIMEO, 2000)
        plain.setsockopt(zmq.LINGER, 0)
        plain.connect(self.bus_endpoint)
        self.addCleanup(plain.close, 0)
        with self.assertRaises(zmq.Again):
            self.ask(plain, b"settings", b"settings.users.list", b'{"actor":"mallory","rank":"boss"}')

    def test_telephony_cannot_be_settings_nor_a_boss(self):
        telephony = self.socket(zmq.DEALER, role="telephony")
        status, error = self.ask(telephony, b"settings", b"settings.users.list", b'{"actor":"mallory","rank":"boss"}')
        self.assertEqual(status, b"forbidden", error)
        status, error = self.ask(telephony, b"settings", b"settings.users.list", b"{}")
        self.assertEqual(status, b"forbidden", error)  # not a method settings opens to services
        # Registering as the settings worker: the broker never hands it a request.
        impostor = self.socket(zmq.DEALER, role="telephony")
        impostor.send_multipart([b"", WORKER, READY, b"settings", b"64"])
        time.sleep(0.5)
        for _ in range(10):
            status, body = self.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
            self.assertEqual(status, 200, body)
        impostor.setsockopt(zmq.RCVTIMEO, 300)
        received = []
        try:
            while True:
                received.append(impostor.recv_multipart())
        except zmq.Again:
            pass
        self.assertFalse([f for f in received if len(f) > 2 and f[2] == REQUEST], "the impostor got requests")
        with open(os.path.join(self.folder, "bus.log")) as log:
            self.assertIn("tried to register as a worker of 'settings'", log.read())

    def test_a_forged_contacts_event_changes_nothing(self):
        number = "+4791111111"
        forged = json.dumps({"contact_id": 4242, "first_name": "Forged", "last_name": "Contact",
                             "phones": [{"number": number, "e164": number, "kind": "mobile"}], "emails": []}).encode()
        forger = self.socket(zmq.PUB, role="telephony")
        deadline = time.time() + 3
        while time.time() < deadline:
            for seq in range(1, 4):
                forger.send_multipart([b"contacts", str(seq).encode(), b"contact.created",
                                       b"2026-01-01T00:00:00.000Z", forged])
            time.sleep(0.1)
        event = {"event_id": uuid.uuid4().hex, "call_id": uuid.uuid4().hex, "type": "ringing", "direction": "inbound",
                 "from": number, "at": "2026-01-01T00:00:00Z"}
        status, body = self.call("POST", "/api/v1/telephony/events", event, token=self.token)
        self.assertEqual(status, 200, body)
        status, call = self.call("GET", "/api/v1/calls/%d" % body["call_ids"][0], token=self.token)
        self.assertEqual(status, 200, call)
        self.assertIsNone(call.get("contact_id"), "the forged contact was indexed")
        with open(os.path.join(self.folder, "bus.log")) as log:
            self.assertIn("dropped an event whose sender is not its source", log.read())

    def test_overflowing_inputs_stop_nothing(self):
        gateway = self.socket(zmq.DEALER, role="gateway")
        for timeout in [b"9223372036854775807", b"-9223372036854775808", b"1" * 40]:
            status, _ = self.ask(gateway, b"bus", b"bus.health", b"{}", timeout=timeout)
            self.assertEqual(status, b"ok")
        header = "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags"
        rows = [
            '"","22334455","201","from-pstn","","SIP/t-1","SIP/201-2","Dial","","2026-03-02 09:00:00","2026-03-02 09:00:05",'
            '"2026-03-02 09:00:0000000000000000000000000000","60","55","ANSWERED","DOCUMENTATION"',
            '"","22334455","201","from-pstn","","SIP/t-1","SIP/201-2","Dial","","2026-03-02 09:00:00","2026-03-02 09:00:05",'
            '"2026-03-02 09:01:00","99999999999999999999999","1e300","ANSWERED","DOCUMENTATION"',
            '"","22334455","201","from-pstn","","SIP/t-1","SIP/201-2","Dial","","2026-03-02 09:00:00","2026-03-02 09:00:05",'
            '"2026-03-02 09:01:00","9223372036854775807:59:59","55","ANSWERED","DOCUMENTATION"',
        ]
        for row in rows:
            status, body = self.call("POST", "/api/v1/telephony/cdr?format=asterisk", raw=(header + "\n" + row + "\n").encode(),
                                     token=self.token)
            self.assertLess(status, 500, body)
        for event in [{"event_id": "o1", "call_id": "o1", "type": "completed", "duration": 9223372036854775807,
                       "at": "2026-01-01T00:00:00Z"},
                      {"event_id": "o2", "call_id": "o2", "type": "completed", "billsec": 1e308, "at": "2026-01-01T00:00:00Z"},
                      {"event_id": "o3", "call_id": "o3", "type": "ringing", "at": "99999-01-01T00:00:00Z"}]:
            status, body = self.call("POST", "/api/v1/telephony/events", event, token=self.token)
            self.assertLess(status, 500, body)
        time.sleep(0.5)
        self.alive()
        self.assertEqual(self.call("GET", "/readyz")[0], 200)


if __name__ == "__main__":
    unittest.main()
