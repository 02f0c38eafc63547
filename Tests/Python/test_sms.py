"""SMS on real processes against a provider simulator (scripts/sms-simulator.py) that speaks
Twilio's and Vonage's APIs: one SMS to a contact's mobile, delivery receipts signed as the
providers sign them (repeated and out of order), STOP from the recipient, consent, a batch with
its dry run and exclusions, and 10,000 SMS while the notifications service is killed three
times, with a provider that is slow, throttles, fails and loses answers."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import crmkeys
import crmsystem
from test_mail import BIN, ROOT, free_port

SIMULATOR = os.path.join(ROOT, "scripts", "sms-simulator.py")
ACCOUNT, TOKEN, SIGNATURE = "ACsimulator", "simulator-token", "simulator-signature"


def start_simulator(folder, *options):
    """The simulator on a free port: (process, base URL)."""
    port_file = os.path.join(folder, "simulator-%d.port" % free_port())
    log = open(port_file + ".log", "w")
    process = subprocess.Popen([sys.executable, SIMULATOR, "--port-file", port_file, *options], stdout=log, stderr=log)
    deadline = time.time() + 20
    while not os.path.exists(port_file) and time.time() < deadline:
        time.sleep(0.05)
    with open(port_file) as f:
        return process, "http://127.0.0.1:%s" % f.read().strip()


def get_json(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return json.loads(response.read())


def twilio_signature(url, fields, token=TOKEN):
    data = url + "".join(name + value for name, value in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class System:
    """The whole system on free ports with SMS through the simulator."""

    def __init__(self, prefix, password, simulator_options, **extra):
        self.folder = tempfile.mkdtemp(prefix=prefix)
        env, ports = crmsystem.environment(self.folder, password, **extra)
        self.base = "http://127.0.0.1:%d" % ports[3]
        options = [o.replace("{gateway}", self.base) for o in simulator_options]
        self.simulator, self.provider = start_simulator(self.folder, *options)
        env.update({
            "CRM_SMS_PROVIDER": "twilio", "CRM_TWILIO_API_URL": self.provider, "CRM_TWILIO_ACCOUNT_SID": ACCOUNT,
            "CRM_TWILIO_AUTH_TOKEN": TOKEN, "CRM_VONAGE_SIGNATURE_SECRET": SIGNATURE, "CRM_SMS_FROM": "+4740000000",
        })
        env.update(extra)
        self.env = env
        crmkeys.init(self.folder)
        self.processes = crmsystem.start(self.folder, env, BIN, self.base)
        status, body = self.api("POST", "/api/v1/auth/login", {"username": "admin", "password": password}, token="")
        assert status == 200, (status, body)
        self.token = body["token"]

    def stop(self):
        for process in reversed(list(self.processes.values())):
            crmsystem.stop(process)
        crmsystem.stop(self.simulator, grace=5)

    def restart(self, name, wait=True):
        log = open(os.path.join(self.folder, name + ".log"), "a")
        self.processes[name] = subprocess.Popen([os.path.join(BIN, name)], env=self.env, stdout=log, stderr=log)
        if wait and getattr(self, "token", None):
            self.wait(name + " to answer again", lambda: self.api("GET", "/api/v1/messages?limit=1")[0] == 200)

    def api(self, method, path, body=None, token=None, key=None, raw=None, headers=None):
        return crmsystem.call(self.base, method, path, body, token=self.token if token is None else token, key=key, raw=raw,
                              headers=headers)

    def stats(self):
        return get_json(self.provider + "/_stats")

    def wait(self, what, check, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("waited %d s for %s" % (seconds, what))


class SMSServiceTest(unittest.TestCase):
    PASSWORD = "sms-admin-password"

    @classmethod
    def setUpClass(cls):
        # Receipts from the simulator come back through the gateway, signed, repeated and reordered.
        cls.system = System("crm-sms-", cls.PASSWORD, ["--receipts", "{gateway}", "--chaos", "--latency-ms", "2..20"],
                            CRM_SMS_RATE="50", CRM_SMS_QUIET_HOURS="00:00-24:00", CRM_SMS_PRICE="45", CRM_SMS_CURRENCY="NOK")
        cls.system.env["CRM_PUBLIC_URL"] = cls.system.base
        # The callback URL comes from CRM_PUBLIC_URL: start notifications again with it.
        crmsystem.stop(cls.system.processes["notifications"])
        cls.system.restart("notifications")

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()

    def contact(self, first, mobile=None, phone=None):
        phones = ([{"number": mobile, "kind": "mobile"}] if mobile else []) + ([{"number": phone, "kind": "work"}] if phone else [])
        status, contact = self.system.api("POST", "/api/v1/contacts", {"first_name": first, "last_name": "Sms", "phones": phones})
        self.assertEqual(status, 201, contact)
        return contact

    def known(self, contact_id):
        """Waits until notifications has the contact in its read model (it follows contacts' events)."""
        self.system.wait("contact %d in notifications" % contact_id, lambda: self.system.api(
            "GET", "/api/v1/contacts/%d/consents" % contact_id)[0] == 200 and self.system.api(
            "POST", "/api/v1/sms/batches/dry-run", {"name": "probe", "text": "x", "contact_ids": [contact_id],
                                                    "purpose": "service"})[1].get("excluded", {}).get("unknown_customer", 0) == 0)

    def message(self, message_id):
        return self.system.api("GET", "/api/v1/messages/%d" % message_id)[1]

    def test_an_sms_to_a_contact_is_sent_once_delivered_and_in_its_history(self):
        contact = self.contact("Åse", mobile="912 34 567")
        self.known(contact["id"])
        status, message = self.system.api("POST", "/api/v1/messages/sms", {
            "contact_id": contact["id"], "text": "Hei {{first_name}}, møtet er flyttet til kl. 14."})
        self.assertEqual(status, 201, message)
        self.assertEqual((message["channel"], message["to"], message["text"]),
                         ("sms", ["+4791234567"], "Hei Åse, møtet er flyttet til kl. 14."))
        delivered = self.system.wait("delivery", lambda: (lambda m: m if m["state"] == "delivered" else None)(
            self.message(message["id"])))
        self.assertEqual(delivered["attempts"], 1)
        self.assertTrue(delivered["provider_id"].startswith("SM"))
        sent = [m for m in get_json(self.system.provider + "/_messages")["messages"] if m["to"] == "+4791234567"]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["body"], "Hei Åse, møtet er flyttet til kl. 14.")
        self.assertIn("message=%d" % message["id"], sent[0]["callback"])
        self.system.wait("the history entry", lambda: [
            entry for entry in self.system.api("GET", "/api/v1/contacts/%d/history?kind=sms" % contact["id"])[1]["items"]
            if entry["summary"].startswith("SMS delivered")])
        listed = self.system.api("GET", "/api/v1/messages?contact_id=%d&channel=sms" % contact["id"])[1]["items"]
        self.assertEqual([m["id"] for m in listed], [message["id"]])

    def test_receipts_are_checked_and_only_move_a_message_forward(self):
        status, message = self.system.api("POST", "/api/v1/messages/sms", {"to": "+4791112222", "text": "Kvittering"})
        self.assertEqual(status, 201, message)
        delivered = self.system.wait("delivery", lambda: (lambda m: m if m["state"] == "delivered" else None)(
            self.message(message["id"])))
        path = "/api/v1/notifications/twilio/status?message=%d" % message["id"]
        fields = [("MessageSid", delivered["provider_id"]), ("MessageStatus", "sent"), ("To", "+4791112222")]
        form = urllib.parse.urlencode(fields).encode()
        # A late "sent" after "delivered", correctly signed: taken, and changes nothing.
        status, result = self.system.api("POST", path, raw=form, token="", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(self.system.base + path, fields)})
        self.assertEqual((status, result["outcome"], result["state"]), (200, "ignored", "delivered"), result)
        # A forged one (wrong key) is refused before the service hears of it.
        status, _ = self.system.api("POST", path, raw=form, token="", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(self.system.base + path, [("MessageStatus", "failed")] + fields[:1], "guess")})
        self.assertEqual(status, 403)
        # Vonage's receipts carry sig: a wrong one is refused, a right one is read.
        receipt = {"messageId": delivered["provider_id"], "msisdn": "4791112222", "status": "failed", "err-code": "5",
                   "client-ref": str(message["id"]), "timestamp": str(int(time.time()))}
        signed = "".join("&%s=%s" % (k, v) for k, v in sorted(receipt.items()))
        good = dict(receipt, sig=hmac.new(SIGNATURE.encode(), signed.encode(), hashlib.sha256).hexdigest())
        bad = dict(receipt, sig="0" * 64)
        status, _ = self.system.api("POST", "/api/v1/notifications/vonage/receipt", body=bad, token="")
        self.assertEqual(status, 403)
        status, result = self.system.api("POST", "/api/v1/notifications/vonage/receipt", body=good, token="")
        self.assertEqual((status, result["outcome"]), (200, "ignored"), result)
        self.assertEqual(self.message(message["id"])["state"], "delivered")
        # Without a signature or a token: 401.
        status, _ = self.system.api("POST", "/api/v1/notifications/twilio/status", raw=form, token="",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertIn(status, (401, 403))

    def test_stop_opts_the_number_out_at_once(self):
        contact = self.contact("Stein", mobile="+4793334444")
        self.known(contact["id"])
        path = "/api/v1/notifications/twilio/inbound"
        fields = [("From", "+4793334444"), ("To", "+4740000000"), ("Body", " stopp "), ("MessageSid", "SMinbound1")]
        status, result = self.system.api("POST", path, raw=urllib.parse.urlencode(fields).encode(), token="", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(self.system.base + path, fields)})
        self.assertEqual((status, result["outcome"]), (200, "opted_out"), result)
        status, refused = self.system.api("POST", "/api/v1/messages/sms", {"contact_id": contact["id"], "text": "Tilbud!"})
        self.assertEqual(status, 409, refused)
        self.assertIn("opted out", refused["error"]["message"])
        consents = self.system.api("GET", "/api/v1/contacts/%d/consents" % contact["id"])[1]
        self.assertEqual([(o["address"], o["source"], o["detail"]) for o in consents["opted_out"]],
                         [("+4793334444", "inbound_keyword", "STOPP")])
        self.system.wait("the opt-out in the history", lambda: [
            e for e in self.system.api("GET", "/api/v1/contacts/%d/history?kind=consent" % contact["id"])[1]["items"]
            if "opted out" in e["summary"]])
        # Their inbound message is on their card too.
        self.system.wait("the inbound SMS in the history", lambda: [
            e for e in self.system.api("GET", "/api/v1/contacts/%d/history?kind=sms" % contact["id"])[1]["items"]
            if e["summary"].startswith("SMS received")])

    def test_a_batch_leaves_out_who_must_not_get_it_and_says_why(self):
        consenting = self.contact("Kari", mobile="+4790000001")
        silent = self.contact("Per", mobile="+4790000002")
        no_mobile = self.contact("Nils", phone="+4722000000")
        invalid = self.contact("Ola", mobile="12")
        shared = self.contact("Kari2", mobile="+47 900 00 001")
        opted = self.contact("Siv", mobile="+4790000003")
        everyone = [consenting, silent, no_mobile, invalid, shared, opted]
        for c in everyone:
            self.known(c["id"])
        for c in [consenting, shared, opted]:
            status, body = self.system.api("PUT", "/api/v1/contacts/%d/consents" % c["id"], {
                "channel": "sms", "purpose": "marketing", "granted": True, "source": "web_form", "evidence": "form 2026-11-01"})
            self.assertEqual(status, 200, body)
        path = "/api/v1/notifications/twilio/inbound"
        fields = [("From", "+4790000003"), ("To", "+4740000000"), ("Body", "STOP")]
        self.system.api("POST", path, raw=urllib.parse.urlencode(fields).encode(), token="", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(self.system.base + path, fields)})
        ids = [c["id"] for c in everyone] + [987654321]
        request = {"name": "Black Friday", "text": "Hei {{first_name}}! 20% i dag.", "contact_ids": ids}
        status, dry = self.system.api("POST", "/api/v1/sms/batches/dry-run", request)
        self.assertEqual(status, 200, dry)
        self.assertEqual(dry["recipients"], 1)
        self.assertEqual(dry["excluded"], {"no_consent": 1, "no_mobile": 1, "invalid_number": 1, "duplicate_number": 1,
                                           "opted_out": 1, "unknown_customer": 1})
        self.assertEqual((dry["segments"], dry["cost_minor"], dry["currency"]), (1, 45, "NOK"))
        self.assertNotIn("id", dry)
        status, batch = self.system.api("POST", "/api/v1/sms/batches", request, key="black-friday")
        self.assertEqual(status, 201, batch)
        self.assertEqual((batch["state"], batch["recipients"]), ("draft", 1))
        again = self.system.api("POST", "/api/v1/sms/batches", request, key="black-friday")[1]
        self.assertEqual(again["id"], batch["id"], "a retried create made a second batch")
        time.sleep(1)
        self.assertEqual(self.system.api("GET", "/api/v1/sms/batches/%d" % batch["id"])[1]["counts"]["sending"], 0,
                         "a draft sent something")
        status, started = self.system.api("POST", "/api/v1/sms/batches/%d/start" % batch["id"])
        self.assertEqual(status, 200, started)
        done = self.system.wait("the batch to finish", lambda: (lambda b: b if b["state"] == "done" else None)(
            self.system.api("GET", "/api/v1/sms/batches/%d" % batch["id"])[1]))
        self.assertEqual(done["counts"]["sent"] + done["counts"]["delivered"], 1)
        status, _ = self.system.api("POST", "/api/v1/sms/batches/%d/pause" % batch["id"])
        self.assertEqual(status, 409)
        campaigns = self.system.api("GET", "/api/v1/contacts/%d/campaigns" % silent["id"])[1]
        self.assertEqual([(c["batch"]["name"], c["outcome"]) for c in campaigns], [("Black Friday", "excluded: no_consent")])
        campaigns = self.system.api("GET", "/api/v1/contacts/%d/campaigns" % consenting["id"])[1]
        self.assertIn(campaigns[0]["outcome"], ("sent", "delivered"))
        got = [m for m in get_json(self.system.provider + "/_messages")["messages"] if m["to"] == "+4790000001"]
        self.assertEqual([m["body"] for m in got], ["Hei Kari! 20% i dag."])

    def test_bad_requests_change_nothing(self):
        for body in [{"to": "not a number", "text": "x"}, {"to": "912 34 567", "text": "x"}, {"to": "+4791234567", "text": ""},
                     {"to": "+4791234567", "text": "Hei {{shoe_size}}"}, {"text": "x"},
                     {"to": "+4791234567", "text": "x", "purpose": "marketing"}]:
            status, answer = self.system.api("POST", "/api/v1/messages/sms", body)
            self.assertIn(status, (409, 422), (body, answer))
        status, _ = self.system.api("POST", "/api/v1/sms/batches", {"name": "x", "text": "x", "contact_ids": []})
        self.assertEqual(status, 422)
        status, _ = self.system.api("POST", "/api/v1/sms/batches/999999/start")
        self.assertEqual(status, 404)


class VonageTest(unittest.TestCase):
    """The same path through a Vonage-compatible API: the form with client-ref, a Unicode text
    sent as type=unicode, receipts signed with sig."""

    PASSWORD = "vonage-admin-password"

    def test_an_sms_through_vonage_is_delivered_by_its_signed_receipts(self):
        system = System("crm-vonage-", self.PASSWORD, ["--receipts", "{gateway}", "--chaos"],
                        CRM_SMS_PROVIDER="vonage", CRM_VONAGE_API_KEY=ACCOUNT, CRM_VONAGE_API_SECRET=TOKEN)
        self.addCleanup(system.stop)
        crmsystem.stop(system.processes["notifications"])
        system.env.update({"CRM_VONAGE_API_URL": system.provider, "CRM_VONAGE_REPORTS_URL": system.provider})
        system.restart("notifications")
        status, message = system.api("POST", "/api/v1/messages/sms", {"to": "+4799988877", "text": "Hei Zoë 😀"})
        self.assertEqual(status, 201, message)
        delivered = system.wait("delivery", lambda: (lambda m: m if m["state"] == "delivered" else None)(
            system.api("GET", "/api/v1/messages/%d" % message["id"])[1]))
        got = [m for m in get_json(system.provider + "/_messages")["messages"] if m["to"] == "+4799988877"]
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0]["client_ref"], got[0]["body"]), (str(message["id"]), "Hei Zoë 😀"))
        self.assertEqual(delivered["provider_id"], got[0]["sid"])


class SMSKillTest(unittest.TestCase):
    """10,000 SMS in one batch to a provider that is slow, throttles 1% (each 429 holds the sender
    back for the Retry-After it gives), fails 3% with 500 and
    loses 2% of its answers after taking the message; notifications is killed (SIGKILL) three
    times mid-batch. Every recipient gets exactly one message, and the batch's counts equal the
    provider's."""

    PASSWORD = "smskill-admin-password"
    COUNT = 10_000

    def test_kill_9_three_times_during_ten_thousand_sms(self):
        system = System("crm-smskill-", self.PASSWORD,
                        ["--latency-ms", "5..60", "--throttle", "0.01", "--fail", "0.03", "--lose", "0.02"],
                        CRM_SMS_RATE="400", CRM_SMS_RECONCILE_AFTER="2")
        self.addCleanup(system.stop)
        rows = ["first_name,last_name,mobile"] + ["Person,Nr%d,+4795%06d" % (n, n) for n in range(self.COUNT)]
        status, report = system.api("POST", "/api/v1/contacts/import", {"csv": "\n".join(rows) + "\n"})
        self.assertEqual(status, 200, report)
        ids = []
        cursor = None
        while True:
            page = system.api("GET", "/api/v1/contacts?limit=200" + ("&cursor=" + cursor if cursor else ""))[1]
            ids += [c["id"] for c in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        self.assertEqual(len(ids), self.COUNT)
        request = {"name": "Ti tusen", "text": "Hei {{name}}, velkommen!", "contact_ids": ids, "purpose": "service"}
        system.wait("every contact in notifications", lambda: system.api(
            "POST", "/api/v1/sms/batches/dry-run", request)[1].get("recipients") == self.COUNT, seconds=120)
        status, batch = system.api("POST", "/api/v1/sms/batches", request, key="ten-thousand")
        self.assertEqual(status, 201, batch)
        self.assertEqual(batch["recipients"], self.COUNT)
        status, _ = system.api("POST", "/api/v1/sms/batches/%d/start" % batch["id"])
        self.assertEqual(status, 200)
        for threshold in [2000, 4500, 7000]:
            system.wait("%d accepted" % threshold, lambda: system.stats()["accepted"] >= threshold, seconds=120)
            system.processes["notifications"].kill()
            system.processes["notifications"].wait()
            system.restart("notifications", wait=False)
        final = system.wait("the batch to finish", lambda: (lambda b: b if b.get("state") == "done" else None)(
            system.api("GET", "/api/v1/sms/batches/%d" % batch["id"])[1]), seconds=240)
        stats = system.stats()
        counts = final["counts"]
        print("\n10,000 SMS with 3 kills: provider took %d for %d recipients (duplicates %d); outcomes %s; batch %s" % (
            stats["accepted"], stats["recipients"], len(stats["duplicates"]), stats["outcomes"], counts))
        self.assertEqual(stats["duplicates"], {}, "a recipient got more than one message")
        self.assertEqual(stats["recipients"], self.COUNT)
        self.assertEqual(counts["sent"] + counts["delivered"] + counts["undelivered"], stats["accepted"])
        self.assertEqual((counts["failed"], counts["unknown"], counts["queued"], counts["sending"]), (0, 0, 0, 0))


if __name__ == "__main__":
    unittest.main()
