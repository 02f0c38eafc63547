"""The sales service on real processes, through the gateway's HTTP API as a user would go: deals
with their probabilities, versions and stage history; the board in one request with totals per
currency; moves; processes with fixed labels and removed statuses; visibility; forecast and
report; the customer's history; and a kill -9 of sales while moves are being made."""

import csv
import io
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import crmkeys
import crmsystem
from test_mail import BIN


class System:
    """The whole system on free ports in a temporary folder."""

    def __init__(self, prefix, password, own=None, **extra):
        """`own`: variables of a process's own, by process name (see crmsystem.start)."""
        self.folder = tempfile.mkdtemp(prefix=prefix)
        self.env, ports = crmsystem.environment(self.folder, password, **extra)
        self.base = "http://127.0.0.1:%d" % ports[3]
        crmkeys.init(self.folder)
        self.processes = crmsystem.start(self.folder, self.env, BIN, self.base, own=own)
        status, body = self.api("POST", "/api/v1/auth/login", {"username": "admin", "password": password}, token="")
        assert status == 200, (status, body)
        self.token = body["token"]

    def stop(self):
        for process in reversed(list(self.processes.values())):
            crmsystem.stop(process)

    def start(self, name):
        log = open(os.path.join(self.folder, name + ".log"), "a")
        self.processes[name] = subprocess.Popen([os.path.join(BIN, name)], env=self.env, stdout=log, stderr=log)

    def api(self, method, path, body=None, token=None, key=None, raw=None, headers=None):
        return crmsystem.call(self.base, method, path, body, token=self.token if token is None else token, key=key, raw=raw,
                              headers=headers)

    def wait(self, what, check, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("waited %d s for %s" % (seconds, what))

    def company(self, name, owner=None):
        body = {"name": name}
        if owner:
            body["owner_id"] = owner
        status, company = self.api("POST", "/api/v1/companies", body)
        assert status == 201, (status, company)
        return company["id"]

    def deal(self, body, token=None):
        """Creates a deal once sales has heard of its customer (events travel in milliseconds)."""
        def attempt():
            status, deal = self.api("POST", "/api/v1/deals", body, token=token)
            return (status, deal) if status != 404 else None
        return self.wait("sales to know customer %s" % body["customer_id"], attempt)

    def project(self, body):
        """Creates a sales project once sales has heard of its process from settings (409 "has
        not heard of it" until then: events travel in milliseconds, longer on a loaded machine)."""
        def attempt():
            status, project = self.api("POST", "/api/v1/sales/projects", body)
            return None if status == 409 and "has not heard" in str(project) else (status, project)
        return self.wait("sales to know process %s" % body.get("process_id", "(the default)"), attempt)

    def process(self):
        status, processes = self.api("GET", "/api/v1/settings/processes")
        assert status == 200
        return next(p for p in processes if p["is_default"])


def totals(money):
    return {m["currency"]: m["amount"] for m in money}


class SalesTest(unittest.TestCase):
    PASSWORD = "sales-admin-password"

    @classmethod
    def setUpClass(cls):
        cls.system = System("crm-sales-", cls.PASSWORD)
        cls.api = cls.system.api
        process = cls.system.process()
        cls.process = process
        cls.statuses = {s["name"]: s for s in process["statuses"]}
        cls.admin = cls.api("GET", "/api/v1/users?q=admin")[1][0]["id"]

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()

    def test_deal_probability_versions_and_history(self):
        company = self.system.company("Fjordfisk AS", owner=self.admin)
        status, deal = self.system.deal({"customer_kind": "company", "customer_id": company, "subject": "Trawler nets",
                                         "value": 12_500_00, "currency": "NOK", "expected_close": "2026-12-15"})
        self.assertEqual(status, 201, deal)
        prospect, offer, order = self.statuses["Prospect"], self.statuses["Offer"], self.statuses["Order"]
        self.assertEqual((deal["status_id"], deal["probability"], deal["probability_source"]), (prospect["id"], 10, "status"))
        self.assertEqual(deal["weighted_value"], 1_250_00)
        self.assertEqual((deal["customer_name"], deal["outcome"], deal["version"]), ("Fjordfisk AS", "open", 1))

        # A stale version is refused and changes nothing.
        status, body = self.api("PATCH", "/api/v1/deals/%d" % deal["id"], {"version": 7, "value": 1})
        self.assertEqual(status, 409, body)
        self.assertEqual(self.api("GET", "/api/v1/deals/%d" % deal["id"])[1]["value"], 12_500_00)

        # A probability set by hand survives a status change; -1 gives it back to the status.
        status, deal = self.api("PATCH", "/api/v1/deals/%d" % deal["id"], {"version": 1, "probability": 35})
        self.assertEqual((status, deal["probability"], deal["probability_source"]), (200, 35, "manual"), deal)
        status, moved = self.api("POST", "/api/v1/deals/%d/move" % deal["id"], {"version": deal["version"], "status_id": offer["id"]})
        self.assertEqual(status, 200, moved)
        deal = moved["deal"]
        self.assertEqual((deal["status_name"], deal["probability"]), ("Offer", 35))
        status, deal = self.api("PATCH", "/api/v1/deals/%d" % deal["id"], {"version": deal["version"], "probability": -1})
        self.assertEqual((deal["probability"], deal["probability_source"]), (offer["probability"], "status"))

        # Won: 100, an actual value, a close day; a retried request (same key) is not applied twice.
        request = {"version": deal["version"], "actual_value": 11_000_00}
        status, won = self.api("POST", "/api/v1/deals/%d/won" % deal["id"], request, key="win-%d" % deal["id"])
        self.assertEqual(status, 200, won)
        again = self.api("POST", "/api/v1/deals/%d/won" % deal["id"], request, key="win-%d" % deal["id"])
        self.assertEqual(again, (200, won))
        self.assertEqual((won["outcome"], won["status_id"], won["probability"], won["actual_value"]),
                         ("won", order["id"], 100, 11_000_00))
        self.assertIsNotNone(won["closed_on"])

        history = self.api("GET", "/api/v1/deals/%d/history" % deal["id"])[1]
        self.assertEqual([h["status_name"] for h in history], ["Prospect", "Offer", "Order"])
        self.assertTrue(all(h["left_at"] for h in history[:-1]) and history[-1].get("left_at") is None, history)
        self.assertEqual(history[-1]["moved_by"], "admin")

        # Reopened into the open status it left; deleted and restored.
        status, reopened = self.api("POST", "/api/v1/deals/%d/reopen" % deal["id"], {"version": won["version"]})
        self.assertEqual((status, reopened["status_name"], reopened["outcome"], reopened.get("actual_value")), (200, "Offer", "open", None))
        status, deleted = self.api("DELETE", "/api/v1/deals/%d?version=%d" % (deal["id"], reopened["version"]))
        self.assertEqual(status, 200, deleted)
        self.assertEqual(self.api("GET", "/api/v1/deals/%d" % deal["id"])[0], 404)
        status, restored = self.api("POST", "/api/v1/deals/%d/restore" % deal["id"])
        self.assertEqual((status, restored.get("deleted_at")), (200, None))

        # The customer's card: the deal tab, and the moves in its history.
        tab = self.api("GET", "/api/v1/companies/%d/deals" % company)[1]
        self.assertEqual([d["id"] for d in tab["deals"]], [deal["id"]])
        def history_says():
            entries = self.api("GET", "/api/v1/companies/%d/history?kind=deal" % company)[1]["items"]
            summaries = [e["summary"] for e in entries]
            return summaries if any("Deal won" in s for s in summaries) and any("Deal restored" in s for s in summaries) else None
        summaries = self.system.wait("the deal in the company's history", history_says)
        self.assertTrue(any("Deal moved" in s and "from Prospect to Offer" in s for s in summaries), summaries)
        self.assertTrue(any("12500.00 NOK" in s for s in summaries), summaries)

    def test_refusals_change_nothing(self):
        company = self.system.company("Refusal Rederi AS")
        _, deal = self.system.deal({"customer_kind": "company", "customer_id": company, "subject": "Baseline", "value": 100})
        cases = [
            ({"customer_kind": "company", "customer_id": company, "subject": "x", "currency": "XYZ"}, 409),
            ({"customer_kind": "company", "customer_id": company, "subject": "x", "status_id": 999_999}, 409),
            ({"customer_kind": "company", "customer_id": 987_654_321, "subject": "x"}, 404),
            ({"customer_kind": "company", "customer_id": company, "subject": "x", "weight_label": "High"}, 409),
            ({"customer_kind": "company", "customer_id": company, "subject": "x", "value": 10**13}, 422),
            ({"customer_kind": "company", "customer_id": company, "subject": " "}, 422),
            ({"customer_kind": "company", "customer_id": company, "subject": "x", "expected_close": "2026-02-30"}, 422),
        ]
        for body, expected in cases:
            status, answer = self.api("POST", "/api/v1/deals", body)
            self.assertEqual(status, expected, (body, answer))
        # A person who is not a consumer is no customer of their own: their company is.
        status, person = self.api("POST", "/api/v1/contacts", {"first_name": "Ansatt", "last_name": "Hos Firma"})
        self.assertEqual(status, 201, person)
        status, answer = self.system.wait("sales to know the person", lambda: (lambda r: r if r[0] != 404 else None)(
            self.api("POST", "/api/v1/deals", {"customer_kind": "contact", "customer_id": person["id"], "subject": "x"})))
        self.assertEqual(status, 409, answer)
        deals = self.api("GET", "/api/v1/companies/%d/deals" % company)[1]["deals"]
        self.assertEqual([d["id"] for d in deals], [deal["id"]])
        status, _ = self.api("POST", "/api/v1/deals/%d/lost" % deal["id"], {"version": 1, "status_id": self.statuses["Order"]["id"]})
        self.assertEqual(status, 409)
        status, _ = self.api("POST", "/api/v1/deals/%d/move" % deal["id"], {"version": 1, "status_id": 999_999})
        self.assertEqual(status, 409)
        self.assertEqual(self.api("GET", "/api/v1/deals/%d" % deal["id"])[1]["version"], 1)

    def test_board_totals_per_currency_and_moves(self):
        status, project = self.system.project({"name": "Board test", "members": [self.admin]})
        self.assertEqual(status, 201, project)
        prospect, offer = self.statuses["Prospect"], self.statuses["Offer"]
        companies = [self.system.company("Board customer %d" % n, owner=self.admin) for n in range(4)]
        deals = []
        for n, (currency, value) in enumerate([("NOK", 100_000), ("NOK", 50_000), ("EUR", 20_000)]):
            status, deal = self.system.deal({"customer_kind": "company", "customer_id": companies[n], "subject": "Deal %d" % n,
                                             "value": value, "currency": currency, "project_id": project["id"],
                                             "expected_close": "2026-12-0%d" % (n + 1)})
            self.assertEqual(status, 201, deal)
            deals.append(deal)
        status, board = self.api("GET", "/api/v1/sales/board?project_id=%d&extra=won,lost,unprocessed" % project["id"])
        self.assertEqual(status, 200, board)
        columns = {c["key"]: c for c in board["columns"]}
        self.assertEqual(list(columns), ["status:%d" % prospect["id"], "status:%d" % offer["id"], "won", "lost", "unprocessed"])
        first = columns["status:%d" % prospect["id"]]
        self.assertEqual(first["count"], 3)
        # Never one number for two currencies.
        self.assertEqual(totals(first["projected"]), {"NOK": 150_000, "EUR": 20_000})
        self.assertEqual(totals(first["weighted"]), {"NOK": 15_000, "EUR": 2_000})
        self.assertEqual([c["id"] for c in first["cards"]], [d["id"] for d in deals])
        self.assertEqual(totals(board["totals"]["projected"]), {"NOK": 150_000, "EUR": 20_000})
        self.assertEqual([c["customer_id"] for c in columns["unprocessed"]["customers"]], [companies[3]])

        # One move answers the two columns' new totals and the header.
        filter_ = {"project_id": project["id"]}
        status, moved = self.api("POST", "/api/v1/deals/%d/move" % deals[0]["id"],
                                 {"version": 1, "status_id": offer["id"], "board": {"filter": filter_}})
        self.assertEqual(status, 200, moved)
        after = {c["key"]: c for c in moved["columns"]}
        self.assertEqual(totals(after["status:%d" % prospect["id"]]["projected"]), {"NOK": 50_000, "EUR": 20_000})
        self.assertEqual(totals(after["status:%d" % offer["id"]]["weighted"]), {"NOK": 100_000 * offer["probability"] // 100})
        self.assertEqual(after["status:%d" % offer["id"]]["count"], 1)
        self.assertEqual(totals(moved["totals"]["weighted"]), {"NOK": 5_000 + 100_000 * offer["probability"] // 100, "EUR": 2_000})
        # A stale move is refused.
        status, _ = self.api("POST", "/api/v1/deals/%d/move" % deals[0]["id"], {"version": 1, "status_id": prospect["id"]})
        self.assertEqual(status, 409)

        # Dropped between two cards: it lands between them.
        status, moved = self.api("POST", "/api/v1/deals/%d/move" % deals[2]["id"],
                                 {"version": 1, "status_id": prospect["id"], "after_id": 0 or deals[1]["id"]})
        self.assertEqual(status, 200, moved)
        status, moved = self.api("POST", "/api/v1/deals/%d/move" % deals[0]["id"],
                                 {"version": 2, "status_id": prospect["id"], "after_id": deals[1]["id"], "before_id": deals[2]["id"]})
        self.assertEqual(status, 200, moved)
        board = self.api("GET", "/api/v1/sales/board?project_id=%d" % project["id"])[1]
        self.assertEqual([c["id"] for c in board["columns"][0]["cards"]], [deals[1]["id"], deals[0]["id"], deals[2]["id"]])

        # Filters: a period (expected to close in it) and the text; paging a column.
        narrowed = self.api("GET", "/api/v1/sales/board?project_id=%d&period_from=2026-12-02&period_to=2026-12-31&q=deal"
                            % project["id"])[1]
        self.assertEqual(sorted(c["id"] for c in narrowed["columns"][0]["cards"]), sorted([deals[1]["id"], deals[2]["id"]]))
        page = self.api("GET", "/api/v1/sales/board?project_id=%d&limit=2" % project["id"])[1]["columns"][0]
        self.assertEqual(len(page["cards"]), 2)
        rest = self.api("GET", "/api/v1/sales/board?project_id=%d&limit=2&column=%s&cursor=%s"
                        % (project["id"], page["key"], page["next_cursor"]))[1]["columns"][0]
        self.assertEqual([c["id"] for c in rest["cards"]], [deals[2]["id"]])

        # Won: into the won column and the header's actual values.
        status, won = self.api("POST", "/api/v1/deals/%d/won" % deals[1]["id"], {"version": deals[1]["version"]})
        self.assertEqual(status, 200, won)
        board = self.api("GET", "/api/v1/sales/board?project_id=%d&extra=won" % project["id"])[1]
        self.assertEqual(totals(board["totals"]["actual"]), {"NOK": 50_000})
        self.assertEqual([c["id"] for c in board["columns"][-1]["cards"]], [deals[1]["id"]])

    def test_fixed_labels_and_removed_statuses(self):
        status, process = self.api("POST", "/api/v1/settings/processes", {
            "name": "Licences", "subject_labels": ["Licence", "Support"], "weight_labels": ["Low 20%", "High 80%"],
            "statuses": [{"name": "Lead", "probability": 10}, {"name": "Quote", "probability": 40},
                         {"name": "Signed", "probability": 100, "final": "won"}, {"name": "Gone", "probability": 0, "final": "lost"}]})
        self.assertEqual(status, 201, process)
        lead, quote = process["statuses"][0], process["statuses"][1]
        status, project = self.system.project({"name": "Licence sales", "process_id": process["id"]})
        self.assertEqual(status, 201, project)
        company = self.system.company("Label Test AS")
        base = {"customer_kind": "company", "customer_id": company, "project_id": project["id"]}
        status, body = self.system.deal(dict(base, subject="Free text"))
        self.assertEqual(status, 409, body)
        status, body = self.api("POST", "/api/v1/deals", dict(base, subject="Licence", probability=55))
        self.assertEqual(status, 409, body)
        status, deal = self.api("POST", "/api/v1/deals", dict(base, subject="Licence", weight_label="High 80%", status_id=quote["id"]))
        self.assertEqual((status, deal["probability"], deal["weight_label"]), (201, 80, "High 80%"), deal)
        status, plain = self.api("POST", "/api/v1/deals", dict(base, subject="Support", status_id=quote["id"]))
        self.assertEqual(plain["probability"], 40)

        # Quote goes from the process; its deals move to the replacement named (Lead).
        status, changed = self.api("PATCH", "/api/v1/settings/processes/%d" % process["id"], {
            "statuses": [s for s in process["statuses"] if s["id"] != quote["id"]],
            "status_replacements": [{"from": quote["id"], "to": lead["id"]}]})
        self.assertEqual(status, 200, changed)
        moved = self.system.wait("the deals to move", lambda: (lambda d: d if d["status_id"] == lead["id"] else None)(
            self.api("GET", "/api/v1/deals/%d" % plain["id"])[1]))
        self.assertEqual((moved["status_name"], moved["probability"]), ("Lead", 10))
        kept = self.api("GET", "/api/v1/deals/%d" % deal["id"])[1]
        self.assertEqual((kept["status_name"], kept["probability"]), ("Lead", 80))  # a hand weight stays
        board = self.api("GET", "/api/v1/sales/board?project_id=%d" % project["id"])[1]
        self.assertEqual([c["name"] for c in board["columns"]], ["Lead"])
        self.assertEqual(board["columns"][0]["count"], 2)

    def test_visibility_and_reports(self):
        status, user = self.api("POST", "/api/v1/users", {"username": "selger", "password": "selger-password-1", "rank": "user"})
        self.assertEqual(status, 201, user)
        seller = user["user"]["id"]
        token = self.api("POST", "/api/v1/auth/login", {"username": "selger", "password": "selger-password-1"}, token="")[1]["token"]
        status, project = self.system.project({"name": "Visibility", "members": [seller, self.admin]})
        mine = self.system.company("Selgers kunde AS", owner=seller)
        theirs = self.system.company("Sjefens kunde AS", owner=self.admin)
        for company, value, currency in [(mine, 40_000, "NOK"), (theirs, 90_000, "SEK")]:
            status, deal = self.system.deal({"customer_kind": "company", "customer_id": company, "subject": "Vis", "value": value,
                                             "currency": currency, "project_id": project["id"], "expected_close": "2026-11-20",
                                             "owner_id": seller})
            self.assertEqual(status, 201, deal)
        status, _ = self.api("PUT", "/api/v1/settings/configuration/visibility", {"shared_customer_cards": False})
        self.assertEqual(status, 200)

        def board_for_seller():
            board = self.api("GET", "/api/v1/sales/board?project_id=%d" % project["id"], token=token)[1]
            return board if board["columns"][0]["count"] == 1 else None
        board = self.system.wait("the seller's board to narrow", board_for_seller)
        self.assertEqual(totals(board["columns"][0]["projected"]), {"NOK": 40_000})
        everything = self.api("GET", "/api/v1/sales/board?project_id=%d" % project["id"])[1]
        self.assertEqual(everything["columns"][0]["count"], 2)
        # The board's owner filter is the customer's owner.
        only_boss = self.api("GET", "/api/v1/sales/board?project_id=%d&owner_ids=%d" % (project["id"], self.admin))[1]
        self.assertEqual(totals(only_boss["columns"][0]["projected"]), {"SEK": 90_000})
        self.api("PUT", "/api/v1/settings/configuration/visibility", {"shared_customer_cards": True})

        status, forecast = self.api("GET", "/api/v1/sales/forecast?project_id=%d&by=quarter" % project["id"])
        self.assertEqual(status, 200, forecast)
        rows = {(r["period"], r["currency"]): r for r in forecast["rows"]}
        self.assertEqual(rows[("2026-Q4", "NOK")]["projected"], 40_000)
        self.assertEqual(rows[("2026-Q4", "SEK")]["weighted"], 9_000)

        # Budget against actual: the seller's November budget and a won deal.
        status, group = self.api("POST", "/api/v1/settings/groups", {"name": "Salg", "type": "sales"})
        self.assertEqual(status, 201, group)
        self.assertEqual(self.api("PUT", "/api/v1/settings/groups/%d/members/%d" % (group["id"], seller), {})[0], 200)
        status, budget = self.api("PUT", "/api/v1/settings/budgets",
                                  {"user_id": seller, "period": "2026-11", "amount": 1000.5, "currency": "NOK"})
        self.assertEqual(status, 200, budget)
        deal = self.api("GET", "/api/v1/deals?project_id=%d&owner_ids=%d" % (project["id"], seller))[1]["items"][0]
        self.api("POST", "/api/v1/deals/%d/won" % deal["id"], {"version": deal["version"], "closed_on": "2026-11-25"})

        def report_with_budget():
            report = self.api("GET", "/api/v1/sales/reports/summary?project_id=%d&period_from=2026-11-01&period_to=2026-11-30"
                              % project["id"])[1]
            return report if report["budgets"] else None
        report = self.system.wait("the budget in the report", report_with_budget)
        self.assertEqual((report["won"], report["lost"], report["win_rate"]), (1, 0, 1.0))
        self.assertEqual(report["budgets"], [{"user_id": seller, "period": "2026-11", "currency": "NOK", "budget": 100050,
                                              "actual": 40_000}])
        self.assertEqual(report["average_deal"], [{"currency": "NOK", "amount": 40_000}])
        self.assertTrue(report["time_in_status"], report)

    def test_anonymised_contact_keeps_amounts_and_reasons(self):
        status, contact = self.api("POST", "/api/v1/contacts", {"first_name": "Glemt", "last_name": "Person", "consumer": True})
        self.assertEqual(status, 201, contact)
        status, deal = self.system.deal({"customer_kind": "contact", "customer_id": contact["id"], "subject": "Private boat",
                                         "value": 300_000, "currency": "NOK"})
        self.assertEqual(status, 201, deal)
        reasons = self.api("GET", "/api/v1/settings/loss-reasons")[1]
        status, lost = self.api("POST", "/api/v1/deals/%d/lost" % deal["id"],
                                {"version": 1, "reason_id": reasons[0]["id"], "reason_note": "Called Glemt Person twice"})
        self.assertEqual(status, 200, lost)
        self.assertEqual(self.api("POST", "/api/v1/contacts/%d/anonymize" % contact["id"])[0], 200)

        def scrubbed():
            current = self.api("GET", "/api/v1/deals/%d" % deal["id"])[1]
            return current if current["customer_name"] == "" else None
        current = self.system.wait("the deal to be scrubbed", scrubbed)
        self.assertEqual((current["subject"], current.get("reason_note")), ("(anonymised)", None))
        self.assertEqual((current["value"], current["currency"], current["reason_id"], current["outcome"]),
                         (300_000, "NOK", reasons[0]["id"], "lost"))

    def test_export_permission_audit_and_batch_sms(self):
        status, project = self.system.project({"name": "Export and SMS"})
        self.assertEqual(status, 201, project)
        company = self.system.company("Eksport AS")
        status, contact = self.api("POST", "/api/v1/contacts", {"first_name": "Kari", "last_name": "Forbruker", "consumer": True,
                                                                  "phones": [{"number": "+4791112222", "kind": "mobile"}]})
        self.assertEqual(status, 201, contact)
        status, colleague = self.api("POST", "/api/v1/contacts", {"first_name": "Ola", "last_name": "Innkjøper",
                                                                    "phones": [{"number": "+4791113333", "kind": "mobile"}]})
        for customer, kind, value, people in [(company, "company", 5000, [{"id": colleague["id"], "role": "buyer"}]),
                                              (contact["id"], "contact", 700, [])]:
            for currency in ["NOK", "EUR"]:
                status, deal = self.system.deal({"customer_kind": kind, "customer_id": customer, "subject": "Export",
                                                 "value": value, "currency": currency, "project_id": project["id"],
                                                 "contacts": people})
                self.assertEqual(status, 201, deal)
        # A user without the export permission is refused; with it, one row per customer.
        status, user = self.api("POST", "/api/v1/users", {"username": "eksport", "password": "eksport-password-1"})
        self.assertEqual(status, 201, user)
        token = self.api("POST", "/api/v1/auth/login", {"username": "eksport", "password": "eksport-password-1"}, token="")[1]["token"]
        path = "/api/v1/sales/board/export.csv?project_id=%d" % project["id"]
        request = urllib.request.Request(self.system.base + path, headers={"Authorization": "Bearer " + token})
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=20)
        self.assertEqual(refused.exception.code, 403)
        status, _ = self.api("PATCH", "/api/v1/users/%d" % user["user"]["id"], {"permissions": ["export"]})
        self.assertEqual(status, 200)

        def exported():
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return response.read().decode()
            except urllib.error.HTTPError:
                return None
        text = self.system.wait("the export permission to reach sales", exported)
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["customer_kind", "customer_id", "name", "owner", "deals", "values"])
        self.assertEqual(sorted((r[0], r[4], r[5]) for r in rows[1:]),
                         [("company", "2", "50.00 EUR; 50.00 NOK"), ("contact", "2", "7.00 EUR; 7.00 NOK")])
        audit = self.api("GET", "/api/v1/sales/board/exports")[1]
        self.assertEqual((audit[0]["actor"], audit[0]["customers"]), ("eksport", 2))

        # Batch SMS: refused while the project has SMS off; then a dry run to the consumer and the
        # contact linked to the company's deals.
        body = {"filter": {"project_id": project["id"]}, "name": "Board SMS", "text": "Hei {{first_name}}", "purpose": "service",
                "dry_run": True}
        status, refused = self.api("POST", "/api/v1/sales/board/sms", body)
        self.assertEqual(status, 409, refused)
        self.assertEqual(self.api("PATCH", "/api/v1/sales/projects/%d" % project["id"], {"sms_enabled": True})[0], 200)
        def planned():
            status, plan = self.api("POST", "/api/v1/sales/board/sms", body)
            return plan if status == 200 and plan["recipients"] == 2 else None
        plan = self.system.wait("notifications to know both contacts", planned)
        self.assertEqual(plan["companies_without_contact"], 0)


class SalesKillTest(unittest.TestCase):
    """kill -9 of sales while moves are made: every acknowledged move is there after the
    restart, and none is applied twice (a retry with the same key answers the first outcome)."""

    def test_moves_survive_kill(self):
        system = System("crm-sales-kill-", "sales-kill-password")
        try:
            process = system.process()
            opens = [s["id"] for s in process["statuses"] if s.get("final") is None]
            company = system.company("Kill Test AS")
            deals = [system.deal({"customer_kind": "company", "customer_id": company, "subject": "K%d" % n, "value": 1000})[1]
                     for n in range(4)]
            acknowledged = {d["id"]: 0 for d in deals}
            stop = threading.Event()

            def mover(deal):
                version, n = deal["version"], 0
                while not stop.is_set():
                    key = "move-%d-%d" % (deal["id"], n)
                    body = {"version": version, "status_id": opens[(n + 1) % len(opens)]}
                    while not stop.is_set():
                        status, answer = system.api("POST", "/api/v1/deals/%d/move" % deal["id"], body, key=key)
                        if status == 200:
                            version = answer["deal"]["version"]
                            acknowledged[deal["id"]] += 1
                            n += 1
                            break
                        self.assertIn(status, (0, 503, 504), answer)  # down: retried with the same key
                        time.sleep(0.05)

            threads = [threading.Thread(target=mover, args=(d,)) for d in deals]
            for thread in threads:
                thread.start()
            for _ in range(3):
                time.sleep(1.5)
                system.processes["sales"].send_signal(signal.SIGKILL)
                system.processes["sales"].wait()
                system.start("sales")
            time.sleep(1.5)
            stop.set()
            for thread in threads:
                thread.join(60)
            for deal in deals:
                history = system.wait("sales back", lambda: (lambda r: r[1] if r[0] == 200 else None)(
                    system.api("GET", "/api/v1/deals/%d/history" % deal["id"])))
                current = system.api("GET", "/api/v1/deals/%d" % deal["id"])[1]
                # One stage per acknowledged move (plus the first); the version counts every change once.
                self.assertEqual(len(history), acknowledged[deal["id"]] + 1, (deal["id"], acknowledged))
                self.assertEqual(current["version"], acknowledged[deal["id"]] + 1)
            self.assertGreater(sum(acknowledged.values()), 20, acknowledged)
            print("sales kill test: %d acknowledged moves over 3 kills, each once" % sum(acknowledged.values()))
        finally:
            system.stop()


if __name__ == "__main__":
    unittest.main()
