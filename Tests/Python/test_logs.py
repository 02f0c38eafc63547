"""Logs for aggregators (issue 20, point 6): with CRM_LOG_FORMAT=json every process writes one JSON
object per line with service, instance, level, logger and message, and the trace id of the request
it is handling; and no line of a whole run, at debug level, holds the passwords, tokens, phone
numbers or e-mail addresses the run used."""

import glob
import json
import os
import time
import unittest

from test_sales import System


class LogsTest(unittest.TestCase):
    PASSWORD = "logs-admin-Secret-9931"
    USER_PASSWORD = "selger-Hemmelig-4417"

    def test_json_lines_with_trace_ids_and_no_secrets(self):
        system = System("crm-logs-", self.PASSWORD, CRM_LOG_FORMAT="json", CRM_LOG_LEVEL="debug")
        try:
            secrets = self.run_flow(system)
        finally:
            system.stop()
        lines = []
        for path in sorted(glob.glob(os.path.join(system.folder, "*.log"))):
            with open(path, encoding="utf-8", errors="replace") as file:
                for number, text in enumerate(file, 1):
                    if text.strip():
                        lines.append((os.path.basename(path), number, text))
        self.assertGreater(len(lines), 20)
        services = set()
        traced = 0
        for name, number, text in lines:
            try:
                record = json.loads(text)
            except ValueError:
                self.fail("%s:%d is not a JSON object: %r" % (name, number, text[:200]))
            for field in ("time", "level", "service", "instance", "logger", "message"):
                self.assertIn(field, record, "%s:%d %s" % (name, number, text))
            services.add(record["service"])
            traced += "trace_id" in record
            for secret in secrets:
                self.assertNotIn(secret, text, "%s:%d logs a secret or a personal value" % (name, number))
        self.assertTrue({"bus", "gateway", "contacts", "telephony"} <= services, services)
        self.assertGreater(traced, 0, "no line carries a trace id")

    def run_flow(self, system):
        api = system.api
        status, user = api("POST", "/api/v1/users", {"username": "logselger", "password": self.USER_PASSWORD, "rank": "user"})
        self.assertEqual(status, 201, user)
        status, body = api("POST", "/api/v1/auth/login", {"username": "logselger", "password": self.USER_PASSWORD}, token="")
        self.assertEqual(status, 200, body)
        session = body["token"]
        # A wrong password, and a token that does not exist: logged as failures, without either.
        api("POST", "/api/v1/auth/login", {"username": "logselger", "password": "Wrong-Guess-5521"}, token="")
        api("GET", "/api/v1/contacts", token="crm_notatoken_0123456789abcdef")
        status, created = api("POST", "/api/v1/tokens", {"name": "logs", "scopes": ["contacts:read"]})
        self.assertEqual(status, 201, created)
        token = created["token"]
        self.assertEqual(api("GET", "/api/v1/contacts", token=token)[0], 200)
        status, contact = api("POST", "/api/v1/contacts", {
            "first_name": "Loggvenn", "last_name": "Personsen", "phones": [{"number": "+47 934 77 112", "kind": "mobile"}],
            "emails": [{"address": "loggvenn.personsen@example.no", "kind": "work"}]})
        self.assertEqual(status, 201, contact)
        # A duplicate (its error names the number to the client, not to the log).
        api("POST", "/api/v1/contacts", {"first_name": "Loggvenn", "last_name": "Igjen",
                                         "phones": [{"number": "+47 934 77 112", "kind": "mobile"}]})
        for number, kind in enumerate(["ringing", "answered", "completed"]):
            status, body = api("POST", "/api/v1/telephony/events", {
                "event_id": "logs-%d" % number, "call_id": "logs-call", "type": kind, "direction": "inbound",
                "from": "+47 934 77 112", "to": "+47 22 93 47 70", "extension": "201", "at": "2026-11-28T07:0%d:00Z" % number,
                "duration": 30, "billsec": 20})
            self.assertEqual(status, 200, body)
        deadline = time.time() + 20
        while time.time() < deadline:
            status, calls = api("GET", "/api/v1/contacts/%d/calls" % contact["id"])
            if status == 200 and calls.get("items"):
                break
            time.sleep(0.2)
        self.assertEqual(api("GET", "/api/v1/contacts?q=934%2077%20112")[0], 200)
        status, task = api("POST", "/api/v1/tasks", {"title": "Ring Loggvenn", "contact_ids": [contact["id"]]}, token=session)
        self.assertIn(status, (201, 403), task)
        return [self.PASSWORD, self.USER_PASSWORD, "Wrong-Guess-5521", "crm_notatoken_0123456789abcdef", token, session,
                "934 77 112", "93477112", "4793477112", "loggvenn.personsen@example.no", "22 93 47 70", "4722934770"]


if __name__ == "__main__":
    unittest.main()
