"""Outbox retention on the real system: published events are pruned once every subscriber heard
from has passed them and the retention period (here 3 s) has gone by; a subscriber stopped for
longer than that finds its events gone, rebuilds from the source's snapshot, and converges.
"""

import json
import os
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

import crmkeys
import crmsystem
from test_bus_protocol import BIN

PASSWORD = "retention-admin-password"


class OutboxRetentionTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="crm-retention-")
        self.env, ports = crmsystem.environment(self.folder, PASSWORD, CRM_OUTBOX_RETENTION_SECONDS="3")
        self.http = "http://127.0.0.1:%d" % ports[3]
        crmkeys.init(self.folder)
        self.processes = {}
        for name in crmsystem.PROCESSES:
            self.start(name)
        self.wait("the system is ready", lambda: self.call("GET", "/readyz")[0] == 200, 60)
        status, body = self.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        self.assertEqual(status, 200, body)
        self.token = body["token"]

    def tearDown(self):
        for name in reversed(list(self.processes)):
            self.stop(name)

    def start(self, name):
        log = open(os.path.join(self.folder, name + ".log"), "a")
        self.processes[name] = subprocess.Popen([os.path.join(BIN, name)], env=self.env, stdout=log, stderr=log)

    def stop(self, name):
        process = self.processes.pop(name, None)
        if process is not None:
            crmsystem.stop(process)

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.http + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, None

    def wait(self, what, condition, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.2)
        self.fail("timed out waiting for %s" % what)

    def matched(self, number):
        """The contact a fresh call from `number` is matched to (None when nobody)."""
        probe = uuid.uuid4().hex
        status, body = self.call("POST", "/api/v1/telephony/events", {
            "event_id": probe, "call_id": probe, "type": "ringing", "direction": "inbound", "from": number,
            "at": "2026-01-01T00:00:00Z"})
        if status != 200:
            return "error %s" % status
        status, call = self.call("GET", "/api/v1/calls/%d" % body["call_ids"][0])
        return call.get("contact_id") if status == 200 else "error %s" % status

    def scalar(self, service, sql):
        connection = sqlite3.connect(os.path.join(self.folder, service, service + ".sqlite"))
        try:
            row = connection.execute(sql).fetchone()
            return row[0] if row else None
        finally:
            connection.close()

    def test_a_subscriber_behind_the_retained_log_rebuilds_and_converges(self):
        status, first = self.call("POST", "/api/v1/contacts", {
            "first_name": "Ada", "last_name": "Before", "phones": [{"number": "+47 901 00 001"}]})
        self.assertEqual(status, 201, first)
        self.wait("telephony indexes Ada", lambda: self.matched("+4790100001") == first["id"])

        self.stop("telephony")
        status, second = self.call("POST", "/api/v1/contacts", {
            "first_name": "Bo", "last_name": "While", "phones": [{"number": "+47 901 00 002"}]})
        self.assertEqual(status, 201, second)
        status, changed = self.call("PATCH", "/api/v1/contacts/%d" % first["id"], {"phones": [{"number": "+47 901 00 003"}]})
        self.assertEqual(status, 200, changed)
        last = self.scalar("contacts", "SELECT MAX(seq) FROM outbox")
        # Telephony is not heard from, so it does not hold the log: the events go after 3 s.
        self.wait("contacts prunes the events telephony missed",
                  lambda: (self.scalar("contacts", "SELECT through FROM outbox_pruned") or 0) >= last, 40)
        self.assertEqual(self.scalar("contacts", "SELECT COUNT(*) FROM outbox WHERE seq <= %d" % last), 0)

        self.start("telephony")
        self.wait("telephony rebuilds from contacts' snapshot",
                  lambda: (self.scalar("telephony", "SELECT last_seq FROM inbox_checkpoint WHERE source = 'contacts'") or 0) >= last,
                  60)
        self.wait("the call log sees the new contact", lambda: self.matched("+4790100002") == second["id"])
        self.assertEqual(self.matched("+4790100003"), first["id"])
        self.assertIsNone(self.matched("+4790100001"), "the old number still matches")
        with open(os.path.join(self.folder, "telephony.log")) as log:
            self.assertIn("rebuilt from the snapshot", log.read())
        for process in self.processes.values():
            self.assertIsNone(process.poll())


if __name__ == "__main__":
    unittest.main()
