"""Rolling restart (issue 20, point 3): under `crm up`, `crm restart NAME` replaces NAME's instances
one at a time (a new process takes requests before the old one stops; the old one finishes what
it holds), and a load of mixed requests through the gateway meanwhile sees no failed request."""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import crmsystem
from test_sales import BIN


class RestartTest(unittest.TestCase):
    PASSWORD = "restart-admin-password"

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="crm-restart-")
        self.env, ports = crmsystem.environment(self.folder, self.PASSWORD)
        self.base = "http://127.0.0.1:%d" % ports[3]
        self.plan = os.path.join(self.folder, "plan.yaml")
        with open(self.plan, "w") as file:
            file.write("processes:\n")
            for name in crmsystem.PROCESSES:
                file.write("  - name: %s\n    instances: %d\n" % (name, 2 if name == "telephony" else 1))
        self.log = open(os.path.join(self.folder, "crm-up.log"), "w")
        self.up = subprocess.Popen([os.path.join(BIN, "crm"), "up", "--file", self.plan, "--bin-dir", BIN],
                                   env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            status, body = crmsystem.call(self.base, "POST", "/api/v1/auth/login", {"username": "admin", "password": self.PASSWORD})
            if status == 200:
                self.token = body["token"]
                break
            time.sleep(0.3)
        else:
            self.fail("crm up did not start: see %s" % self.log.name)

    def tearDown(self):
        crmsystem.stop(self.up, grace=40)
        self.log.close()

    def api(self, method, path, body=None, key=None):
        return crmsystem.call(self.base, method, path, body, token=self.token, key=key, timeout=30)

    def restart(self, name):
        return subprocess.run([os.path.join(BIN, "crm"), "restart", name, "--file", self.plan], env=self.env,
                              capture_output=True, text=True, timeout=300)

    def test_restarting_services_under_load_fails_no_request(self):
        status, contact = self.api("POST", "/api/v1/contacts", {
            "first_name": "Rullende", "last_name": "Omstart", "phones": [{"number": "+47 934 55 660", "kind": "mobile"}]})
        self.assertEqual(status, 201, contact)
        stop = threading.Event()
        failures, done, created = [], [], []

        def check(what, result, expected):
            status, body = result
            if status in expected:
                done.append(what)
                return body
            failures.append((what, status, str(body)[:300], time.strftime("%H:%M:%S")))
            return None

        def load(worker):
            n = 0
            while not stop.is_set():
                n += 1
                tag = "%d-%d" % (worker, n)
                made = check("create contact", self.api("POST", "/api/v1/contacts", {
                    "first_name": "Last", "last_name": "Person %s" % tag}, key=str(uuid.uuid4())), (201,))
                if made:
                    created.append(made["id"])
                    check("get contact", self.api("GET", "/api/v1/contacts/%d" % made["id"]), (200,))
                check("search", self.api("GET", "/api/v1/contacts?q=Person&limit=5"), (200,))
                check("call event", self.api("POST", "/api/v1/telephony/events", {
                    "event_id": "restart-%s" % tag, "call_id": "restart-call-%s" % tag, "type": "completed",
                    "direction": "inbound", "from": "+47 934 55 660", "to": "+47 22 93 47 70",
                    "at": "2026-11-28T09:00:00Z", "duration": 10, "billsec": 5}, key=str(uuid.uuid4())), (200,))
                check("calls", self.api("GET", "/api/v1/calls?limit=5"), (200,))
                check("task", self.api("POST", "/api/v1/tasks", {"title": "Ring %s" % tag}, key=str(uuid.uuid4())), (201,))
                check("settings", self.api("GET", "/api/v1/settings/processes"), (200,))

        threads = [threading.Thread(target=load, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            outputs = {}
            for name in ("contacts", "telephony", "tasks", "settings"):
                result = self.restart(name)
                outputs[name] = result.stdout + result.stderr
                self.assertEqual(result.returncode, 0, outputs[name])
                time.sleep(1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        print("requests during the restarts: %d, failed: %d" % (len(done) + len(failures), len(failures)))
        self.assertEqual(failures, [], "requests failed during the restarts")
        self.assertGreater(len(done), 100)
        for name, instances in (("contacts", 1), ("telephony", 2), ("tasks", 1), ("settings", 1)):
            self.assertEqual(len(re.findall(r"%s\.\d: replaced" % name, outputs[name])), instances, outputs[name])
            self.assertIn("ok", outputs[name].splitlines()[-1])
        # The processes really were replaced, and every contact acknowledged is there.
        status, health = crmsystem.call(self.base, "GET", "/readyz")
        self.assertEqual(status, 200, health)
        for contact_id in created[::max(1, len(created) // 50)]:
            self.assertEqual(self.api("GET", "/api/v1/contacts/%d" % contact_id)[0], 200, contact_id)
        with open(self.log.name) as file:
            log = file.read()
        self.assertRegex(log, r"\[crm\] contacts\.1: new pid \d+ is taking requests; stopping pid \d+")

    def test_what_cannot_be_restarted_without_a_gap_is_refused(self):
        for name in ("gateway", "bus"):
            result = self.restart(name)
            self.assertEqual(result.returncode, 1, result.stdout)
            self.assertIn("cannot be restarted without a gap", result.stdout)
        result = self.restart("nosuch")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no process named", result.stdout)


if __name__ == "__main__":
    unittest.main()
