"""E-mail as a real server receives it: our SMTP client (`crm mail send`, the notifications
service's client) against Python's aiosmtpd on loopback, plain and with STARTTLS + AUTH, and
the received octets read back by Python's own `email` parser. Neither the server nor the parser
is ours. Also the SMS preview's counts against the GSM 03.38 rules."""

import email
import email.policy
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import crmkeys
import crmsystem
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
CRM = os.path.join(BIN, "crm")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping what it was given; refuses `nobody@` with a 550."""

    def __init__(self):
        self.mails = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mails.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content,
                           "tls": session.ssl is not None, "login": getattr(session, "login_data", None)})
        return "250 2.0.0 queued"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"crm" and auth_data.password == b"s3cret p\xc3\xa5ss"
    return AuthResult(success=ok, handled=False)


class MailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="crm-mail-")
        cls.cert = os.path.join(cls.folder, "cert.pem")
        cls.key = os.path.join(cls.folder, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True)
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cls.cert, cls.key)
        cls.plain_inbox, cls.tls_inbox = Inbox(), Inbox()
        cls.plain_port, cls.tls_port = free_port(), free_port()
        cls.plain = Controller(cls.plain_inbox, hostname="127.0.0.1", port=cls.plain_port)
        cls.tls = Controller(cls.tls_inbox, hostname="127.0.0.1", port=cls.tls_port, tls_context=context, require_starttls=True,
                             authenticator=authenticate, auth_require_tls=True)
        cls.plain.start()
        cls.tls.start()

    @classmethod
    def tearDownClass(cls):
        cls.plain.stop()
        cls.tls.stop()

    def send(self, *arguments):
        return subprocess.run([CRM, "mail", "send", *arguments], capture_output=True, text=True, timeout=60)

    def test_a_mail_with_every_part_reads_back_as_written(self):
        ics = os.path.join(self.folder, "invite.ics")
        with open(ics, "w") as out:
            out.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CRM//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                      "UID:1@crm.test\r\nDTSTAMP:20261127T100000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Møte om tilbud\r\n"
                      "END:VEVENT\r\nEND:VCALENDAR\r\n")
        attachment = os.path.join(self.folder, "tilbud.bin")
        with open(attachment, "wb") as out:
            out.write(bytes(range(256)) * 40)
        long_line = "Ærlig talt " * 40
        text = "Hei Åse!\n.\n.a line that starts with a dot\n" + long_line + "\nTrailing space \nslutt"
        result = self.send("--smtp", "smtp+plain://127.0.0.1:%d" % self.plain_port, "--from", "salg@crm.test",
                           "--to", "ase@example.no", "--to", "kari@example.no", "--subject", "Møtebekreftelse: tilbud på 12 lisenser – fredag",
                           "--text", text, "--html", "<p>Hei <b>Åse</b></p>", "--ics", ics, "--attach", attachment)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        mail = self.plain_inbox.mails[-1]
        self.assertEqual(mail["from"], "salg@crm.test")
        self.assertEqual(mail["to"], ["ase@example.no", "kari@example.no"])
        for line in mail["data"].split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
        parsed = email.message_from_bytes(mail["data"], policy=email.policy.default)
        self.assertEqual(parsed["Subject"], "Møtebekreftelse: tilbud på 12 lisenser – fredag")
        self.assertIn(parsed["Message-ID"], result.stdout)
        self.assertEqual(parsed.get_content_type(), "multipart/mixed")
        alternative = parsed.get_payload()[0]
        self.assertEqual(alternative.get_content_type(), "multipart/alternative")
        plain, html, calendar = alternative.get_payload()
        self.assertEqual(plain.get_content().replace("\r\n", "\n"), text + "\n")
        self.assertEqual(html.get_content().strip(), "<p>Hei <b>Åse</b></p>")
        self.assertEqual(calendar.get_content_type(), "text/calendar")
        self.assertEqual(calendar.get_param("method"), "REQUEST")
        self.assertIn("SUMMARY:Møte om tilbud", calendar.get_content())
        files = [part for part in parsed.iter_attachments()]
        self.assertEqual([part.get_filename() for part in files], ["invite.ics", "tilbud.bin"])
        self.assertEqual(files[1].get_content(), bytes(range(256)) * 40)

    def test_starttls_and_auth_with_several_mails_on_one_connection(self):
        result = self.send("--smtp", "smtp://crm:s3cret%%20p%%C3%%A5ss@localhost:%d" % self.tls_port, "--ca-file", self.cert,
                           "--from", "salg@crm.test", "--to", "ola@example.no", "--copies", "3",
                           "--subject", "Ola Nordmann – ny avtale")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(len(self.tls_inbox.mails), 3)
        self.assertTrue(all(mail["tls"] for mail in self.tls_inbox.mails))
        ids = [email.message_from_bytes(m["data"], policy=email.policy.default)["Message-ID"] for m in self.tls_inbox.mails]
        self.assertEqual(len(set(ids)), 3)

    def test_refusals_are_told_apart(self):
        # A wrong password: nothing is sent.
        result = self.send("--smtp", "smtp://crm:wrong@localhost:%d" % self.tls_port, "--ca-file", self.cert,
                           "--from", "salg@crm.test", "--to", "ola@example.no")
        self.assertEqual(result.returncode, 1)
        self.assertIn("temporary", result.stdout)
        # A certificate nobody vouches for: refused before a password is sent.
        result = self.send("--smtp", "smtp://crm:s3cret@localhost:%d" % self.tls_port,
                           "--from", "salg@crm.test", "--to", "ola@example.no")
        self.assertEqual(result.returncode, 1)
        # A mailbox the server does not have: permanent, and the connection goes on.
        before = len(self.plain_inbox.mails)
        result = self.send("--smtp", "smtp+plain://127.0.0.1:%d" % self.plain_port, "--from", "salg@crm.test",
                           "--to", "nobody@example.no")
        self.assertEqual(result.returncode, 1)
        self.assertIn("permanent(code: 550", result.stdout)
        self.assertEqual(len(self.plain_inbox.mails), before)
        # Plain SMTP is for this machine only, and never with a password.
        for url in ["smtp+plain://mail.example.no:25", "smtp+plain://crm:pw@127.0.0.1:25"]:
            result = self.send("--smtp", url, "--from", "salg@crm.test", "--to", "ola@example.no")
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("smtp+plain", result.stderr + result.stdout)

    def test_sms_preview_counts_parts_as_gsm_03_38_does(self):
        def preview(text):
            return subprocess.run([CRM, "mail", "sms-preview", text], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(preview("Hei Åse, møtet er flyttet til kl. 14."), "GSM-7 37 units, 1 part(s) of 160")
        self.assertEqual(preview("a" * 160), "GSM-7 160 units, 1 part(s) of 160")
        self.assertEqual(preview("a" * 161), "GSM-7 161 units, 2 part(s) of 153")
        # The euro sign and braces take two septets each.
        self.assertEqual(preview("€" * 80), "GSM-7 160 units, 1 part(s) of 160")
        # An escape pair never splits across parts: 152 septets then a euro sign is 2 parts.
        self.assertEqual(preview("a" * 152 + "€" + "a" * 10), "GSM-7 164 units, 2 part(s) of 153")
        self.assertEqual(preview("Zażółć gęślą jaźń"), "UCS-2 17 units, 1 part(s) of 70; UCS-2 because of: ż ó ł ć ę ś ą ź ń")
        self.assertEqual(preview("Takk 😀"), "UCS-2 7 units, 1 part(s) of 70; UCS-2 because of: 😀")
        self.assertEqual(preview("😀" * 35), "UCS-2 70 units, 1 part(s) of 70; UCS-2 because of: 😀")
        # A surrogate pair never splits across parts: 33 pairs fill 66 of a part's 67 units.
        self.assertEqual(preview("😀" * 36), "UCS-2 72 units, 2 part(s) of 67; UCS-2 because of: 😀")
        self.assertEqual(preview("a" + "😀" * 67), "UCS-2 135 units, 3 part(s) of 67; UCS-2 because of: 😀")


class NotificationsServiceTest(unittest.TestCase):
    """The notifications service on real processes: an e-mail queued through the gateway, sent
    once to aiosmtpd, its state and the contact's history following."""

    PASSWORD = "mail-admin-password"

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="crm-notify-")
        cls.inbox = Inbox()
        smtp_port = free_port()
        cls.server = Controller(cls.inbox, hostname="127.0.0.1", port=smtp_port)
        cls.server.start()
        env, ports = crmsystem.environment(
            cls.folder, cls.PASSWORD, CRM_SMTP_URL="smtp+plain://127.0.0.1:%d" % smtp_port, CRM_MAIL_FROM="salg@crm.test")
        cls.base = "http://127.0.0.1:%d" % ports[3]
        crmkeys.init(cls.folder)
        cls.processes = crmsystem.start(cls.folder, env, BIN, cls.base)
        status, body = cls.api("POST", "/api/v1/auth/login", {"username": "admin", "password": cls.PASSWORD})
        assert status == 200, (status, body)
        cls.token = body["token"]

    @classmethod
    def tearDownClass(cls):
        for process in reversed(list(cls.processes.values())):
            crmsystem.stop(process)
        cls.server.stop()

    @classmethod
    def api(cls, method, path, body=None, token=None):
        request = urllib.request.Request(cls.base + path, data=json.dumps(body).encode() if body is not None else None, method=method)
        request.add_header("Content-Type", "application/json")
        if token or getattr(cls, "token", None):
            request.add_header("Authorization", "Bearer " + (token or cls.token))
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def wait(self, what, check, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        self.fail("waited %d s for %s" % (seconds, what))

    def test_an_email_to_a_contact_is_sent_once_and_shows_in_its_history(self):
        status, contact = self.api("POST", "/api/v1/contacts", {"first_name": "Åse", "last_name": "Post"})
        self.assertEqual(status, 201, contact)
        status, message = self.api("POST", "/api/v1/messages/email", {
            "to": ["ase.post@example.no"], "subject": "Tilbud på 12 lisenser", "text": "Hei Åse,\nher er tilbudet.",
            "contact_id": contact["id"]})
        self.assertEqual(status, 201, message)
        self.assertEqual(message["state"], "queued")
        sent = self.wait("the mail to be sent", lambda: (lambda m: m if m["state"] == "sent" else None)(
            self.api("GET", "/api/v1/messages/%d" % message["id"])[1]))
        self.assertEqual(sent["attempts"], 1)
        received = [m for m in self.inbox.mails if message["message_id"].encode() in m["data"]]
        self.assertEqual(len(received), 1)
        parsed = email.message_from_bytes(received[0]["data"], policy=email.policy.default)
        self.assertEqual(parsed["Subject"], "Tilbud på 12 lisenser")
        self.assertEqual(parsed["From"], "salg@crm.test")
        listed = self.api("GET", "/api/v1/messages?contact_id=%d" % contact["id"])[1]["items"]
        self.assertEqual([m["id"] for m in listed], [message["id"]])
        history = self.wait("the history entry", lambda: [
            entry for entry in self.api("GET", "/api/v1/contacts/%d/history?kind=email" % contact["id"])[1]["items"]
            if entry["summary"] == "E-mail sent: Tilbud på 12 lisenser"])
        self.assertEqual(len(history), 1)

    def test_anonymising_a_contact_scrubs_its_mails_here_too(self):
        status, contact = self.api("POST", "/api/v1/contacts", {"first_name": "Gunn", "last_name": "Glemt"})
        self.assertEqual(status, 201, contact)
        status, message = self.api("POST", "/api/v1/messages/email", {
            "to": ["gunn.glemt@example.no"], "subject": "Personlig tilbud til Gunn", "text": "Hei Gunn", "contact_id": contact["id"]})
        self.assertEqual(status, 201, message)
        status, _ = self.api("POST", "/api/v1/contacts/%d/anonymize" % contact["id"])
        self.assertEqual(status, 200)
        scrubbed = self.wait("the mail to be scrubbed", lambda: (lambda m: m if m["subject"] == "(anonymised)" else None)(
            self.api("GET", "/api/v1/messages/%d" % message["id"])[1]))
        self.assertEqual((scrubbed["to"], scrubbed["text"]), ([], ""))
        # Sent before the anonymisation reached notifications, or cancelled while it waited: never
        # attempted to nobody (it failed that way when the sender picked it up after the scrub).
        if scrubbed["state"] == "failed":
            self.assertEqual(scrubbed.get("error_code"), "cancelled", scrubbed)
        else:
            self.assertIn(scrubbed["state"], ["sent", "sending"])

    def test_a_refused_address_fails_and_bad_requests_change_nothing(self):
        status, message = self.api("POST", "/api/v1/messages/email", {
            "to": ["nobody@example.no"], "subject": "Hei", "text": "x"})
        self.assertEqual(status, 201, message)
        failed = self.wait("the refusal", lambda: (lambda m: m if m["state"] == "failed" else None)(
            self.api("GET", "/api/v1/messages/%d" % message["id"])[1]))
        self.assertIn("550", failed["error"])
        for body in [{"to": ["not an address"], "subject": "x", "text": "x"}, {"to": [], "subject": "x", "text": "x"},
                     {"to": ["a@example.no"], "subject": "  ", "text": "x"}]:
            status, _ = self.api("POST", "/api/v1/messages/email", body)
            self.assertEqual(status, 422, body)
        status, preview = self.api("POST", "/api/v1/sms/preview", {"text": "Hei Åse 😀"})
        self.assertEqual(status, 200, preview)
        self.assertEqual((preview["encoding"], preview["segments"], preview["forcing_ucs2"]), ("UCS-2", 1, ["😀"]))


class SlowInbox(Inbox):
    """An inbox that takes its time, so a batch is still being sent when the sender is killed."""

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


class MailKillTest(unittest.TestCase):
    """1,000 e-mails to aiosmtpd while notifications is killed (SIGKILL) three times mid-batch:
    no Message-ID arrives twice, every mail marked sent arrived exactly once, and only a mail on
    the wire at a kill can end as unknown."""

    PASSWORD = "kill-admin-password"
    COUNT = 1000

    def test_kill_9_three_times_during_a_thousand_mails(self):
        import concurrent.futures
        folder = tempfile.mkdtemp(prefix="crm-mailkill-")
        inbox = SlowInbox()
        smtp_port = free_port()
        server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        server.start()
        self.addCleanup(server.stop)
        env, ports = crmsystem.environment(
            folder, self.PASSWORD, CRM_SMTP_URL="smtp+plain://127.0.0.1:%d" % smtp_port, CRM_MAIL_FROM="batch@crm.test")
        base = "http://127.0.0.1:%d" % ports[3]
        crmkeys.init(folder)
        processes = crmsystem.start(folder, env, BIN, base)
        self.addCleanup(lambda: [crmsystem.stop(p) for p in reversed(list(processes.values()))])

        def api(method, path, body=None, key=None):
            return crmsystem.call(base, method, path, body, token=token, key=key, timeout=20)

        token = ""
        request = urllib.request.Request(base + "/api/v1/auth/login", method="POST", data=json.dumps(
            {"username": "admin", "password": self.PASSWORD}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=20) as response:
            token = json.loads(response.read())["token"]

        def queue(n):
            # Retried with the same Idempotency-Key: a request that timed out is never queued twice.
            for _ in range(100):
                status, body = api("POST", "/api/v1/messages/email", {
                    "to": ["person%d@example.no" % n], "subject": "Kampanje %d" % n, "text": "Hei nummer %d" % n}, key="mail-%d" % n)
                if status == 201:
                    return body["id"]
                time.sleep(0.2)
            raise AssertionError("could not queue mail %d: %s %s" % (n, status, body))

        def restart():
            crmsystem.stop(processes["notifications"])
            log = open(os.path.join(folder, "notifications.log"), "a")
            processes["notifications"] = subprocess.Popen([os.path.join(BIN, "notifications")], env=env, stdout=log, stderr=log)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(queue, range(self.COUNT)))
        self.assertEqual(len(set(ids)), self.COUNT)
        for threshold in [200, 450, 700]:
            deadline = time.time() + 60
            while len(inbox.mails) < threshold and time.time() < deadline:
                time.sleep(0.01)
            processes["notifications"].kill()
            processes["notifications"].wait()
            restart()

        def pending():
            status, queued = api("GET", "/api/v1/messages?state=queued&limit=1")
            status2, sending = api("GET", "/api/v1/messages?state=sending&limit=1")
            return status != 200 or status2 != 200 or queued["items"] or sending["items"]
        deadline = time.time() + 120
        while pending() and time.time() < deadline:
            time.sleep(0.2)
        self.assertFalse(pending(), "mails still waiting after two minutes")

        states = {}
        cursor = None
        while True:
            status, page = api("GET", "/api/v1/messages?limit=200" + ("&cursor=" + cursor if cursor else ""))
            self.assertEqual(status, 200, page)
            for message in page["items"]:
                states[message["message_id"]] = message["state"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        self.assertEqual(len(states), self.COUNT)
        arrived = [email.message_from_bytes(m["data"], policy=email.policy.default)["Message-ID"] for m in inbox.mails]
        self.assertEqual(len(arrived), len(set(arrived)), "a Message-ID arrived twice")
        sent = {mid for mid, state in states.items() if state == "sent"}
        unknown = {mid for mid, state in states.items() if state == "unknown"}
        self.assertTrue(sent <= set(arrived), "a mail marked sent never arrived")
        self.assertTrue(set(arrived) <= sent | unknown, "a mail arrived that is neither sent nor unknown")
        self.assertLessEqual(len(unknown), 3, "more mails of unknown fate than kills")
        self.assertEqual(set(states.values()) - {"sent", "unknown"}, set())
        print("\n%d mails: %d sent, %d unknown, %d arrived" % (self.COUNT, len(sent), len(unknown), len(arrived)))


if __name__ == "__main__":
    unittest.main()
