"""The tasks service on real processes, through the gateway as users and calendar apps go:
tasks with versions, the board and the card's tab; call-back tasks from missed calls; recurring
appointments expanded by the service and by `recurring-ical-events` to the same occurrences
across a daylight-saving change; invitations captured by aiosmtpd with the iMIP structure,
updated and cancelled; answers through the attendee's link; feeds with ETag, rotate and revoke.
Every calendar object is read by `icalendar` and `vobject` and PUT into Debian's radicale."""

import base64
import datetime
import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import zoneinfo

import icalendar
import recurring_ical_events
import vobject
from aiosmtpd.controller import Controller

import crmsystem
from test_mail import Inbox, free_port
from test_sales import System

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Radicale:
    """Debian's radicale on a free port with a folder of its own (any user name, no password)."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="crm-radicale-")
        self.port = free_port()
        config = os.path.join(self.folder, "config")
        with open(config, "w") as handle:
            handle.write("[server]\nhosts = 127.0.0.1:%d\n[auth]\ntype = none\n[rights]\ntype = owner_only\n"
                         "[storage]\nfilesystem_folder = %s\n[logging]\nlevel = warning\n"
                         % (self.port, os.path.join(self.folder, "collections")))
        self.log = open(os.path.join(self.folder, "radicale.log"), "w")
        self.process = subprocess.Popen(["radicale", "--config", config], stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.request("PROPFIND", "/crm/", headers={"Depth": "0"})
                break
            except OSError:
                time.sleep(0.2)
        status, _ = self.request("MKCOL", "/crm/cal/", body=(
            b'<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            b'<D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>'))
        assert status in (201, 405), status

    def request(self, method, path, body=None, headers=None):
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=body, method=method)
        request.add_header("Authorization", "Basic " + base64.b64encode(b"crm:x").decode())
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def put_object(self, name, ics):
        """One calendar object resource (one UID), as a CalDAV client stores it."""
        return self.request("PUT", "/crm/cal/%s.ics" % name, body=ics.encode(), headers={"Content-Type": "text/calendar"})[0]

    def put_calendar(self, name, ics):
        """A whole calendar (a feed), uploaded as a collection."""
        return self.request("PUT", "/crm/%s/" % name, body=ics.encode(), headers={"Content-Type": "text/calendar"})[0]

    def stop(self):
        crmsystem.stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)


class TasksTest(unittest.TestCase):
    PASSWORD = "tasks-admin-password"

    @classmethod
    def setUpClass(cls):
        cls.inbox = Inbox()
        smtp_port = free_port()
        cls.smtp = Controller(cls.inbox, hostname="127.0.0.1", port=smtp_port)
        cls.smtp.start()
        cls.radicale = Radicale()
        cls.system = System(
            "crm-tasks-", cls.PASSWORD, CRM_SMTP_URL="smtp+plain://127.0.0.1:%d" % smtp_port, CRM_MAIL_FROM="kalender@crm.test",
            CRM_CALLBACK_DUE_MINUTES="30")
        cls.api = cls.system.api
        cls.admin = cls.api("GET", "/api/v1/users?q=admin")[1][0]["id"]
        status, user = cls.api("POST", "/api/v1/users", {"username": "kari", "name": "Kari Nordmann", "email": "kari@crm.test",
                                                         "rank": "user", "extension": "201"})
        assert status == 201, (status, user)
        cls.kari = user["user"]["id"]

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()
        cls.smtp.stop()
        cls.radicale.stop()

    def wait(self, what, check, seconds=30):
        return self.system.wait(what, check, seconds)

    def contact(self, first, last, owner=None, **fields):
        body = {"first_name": first, "last_name": last, **fields}
        if owner:
            body["owner_id"] = owner
        status, contact = self.api("POST", "/api/v1/contacts", body)
        self.assertEqual(status, 201, contact)
        return contact["id"]

    def create_task(self, body):
        """A task, once tasks has heard of the customers it names (events travel in milliseconds)."""
        def attempt():
            status, task = self.api("POST", "/api/v1/tasks", body)
            return (status, task) if status != 409 or "does not exist" not in str(task) else None
        return self.wait("tasks to know the task's customers and users", attempt)

    def create_appointment(self, body):
        def attempt():
            status, appointment = self.api("POST", "/api/v1/appointments", body)
            return (status, appointment) if status != 409 or "does not exist" not in str(appointment) else None
        return self.wait("tasks to know the appointment's people", attempt)

    def check_calendar_text(self, text, single=None):
        """Every line ends in CRLF, is at most 75 octets and whole UTF-8; icalendar and vobject read
        it; radicale stores it (a single object by its UID, or the whole calendar)."""
        raw = text.encode()
        self.assertTrue(raw.endswith(b"\r\n"))
        for line in raw.split(b"\r\n")[:-1]:
            self.assertLessEqual(len(line), 75, line)
            line.decode("utf-8")  # no character split by folding
            self.assertNotIn(b"\n", line)
        calendar = icalendar.Calendar.from_ical(text)
        self.assertEqual(str(calendar["VERSION"]), "2.0")
        self.assertIn("PRODID", calendar)
        vobject.readOne(text)
        if single:
            self.assertIn(self.radicale.put_object(single, text), (201, 204))
        return calendar

    # MARK: - Tasks

    def test_tasks_versions_board_filters_and_the_cards_tab(self):
        status, categories = self.api("GET", "/api/v1/settings/task-categories")
        self.assertEqual(status, 200, categories)
        call = next(c for c in categories if c["name"] == "Call")
        company_status, company = self.api("POST", "/api/v1/companies", {"name": "Havbris AS", "owner_id": self.admin})
        self.assertEqual(company_status, 201)
        status, task = self.create_task({
            "title": "Send the offer", "company_ids": [company["id"]], "category_id": call["id"], "priority": "high",
            "due_date": "2026-12-03"})
        self.assertEqual(status, 201, task)
        self.assertEqual((task["status"], task["owner_id"], task["category_name"], task["version"]), ("open", self.admin, "Call", 1))
        status, second = self.create_task({"title": "Book the visit", "company_ids": [company["id"]], "due_at": "2026-12-01T09:00:00Z",
                                           "due_zone": "Europe/Oslo"})
        self.assertEqual(status, 201, second)

        # Stale versions are refused and change nothing; bad input is 422 and changes nothing.
        status, body = self.api("PATCH", "/api/v1/tasks/%d" % task["id"], {"version": 5, "title": "x"})
        self.assertEqual(status, 409, body)
        status, body = self.api("PATCH", "/api/v1/tasks/%d" % task["id"], {"version": 1, "due_zone": "Mars/Olympus"})
        self.assertEqual(status, 422, body)
        self.assertEqual(self.api("GET", "/api/v1/tasks/%d" % task["id"])[1]["title"], "Send the offer")

        # The card's tab, soonest due first; filters by status and due period.
        status, tab = self.api("GET", "/api/v1/companies/%d/tasks" % company["id"])
        self.assertEqual(status, 200, tab)
        self.assertEqual([t["title"] for t in tab["items"]], ["Book the visit", "Send the offer"])
        status, page = self.api("GET", "/api/v1/tasks?due_from=2026-12-02&due_to=2026-12-31&owner_ids=%d" % self.admin)
        self.assertEqual([t["id"] for t in page["items"] if t["id"] in (task["id"], second["id"])], [task["id"]])

        # The board: move to in progress between nothing, then complete.
        status, moved = self.api("POST", "/api/v1/tasks/%d/move" % task["id"], {"version": 1, "status": "in_progress"})
        self.assertEqual(status, 200, moved)
        self.assertEqual((moved["status"], moved["version"]), ("in_progress", 2))
        status, board = self.api("GET", "/api/v1/tasks/board")
        self.assertEqual(status, 200, board)
        columns = {c["status"]: c for c in board["columns"]}
        self.assertIn(task["id"], [t["id"] for t in columns["in_progress"]["cards"]])
        self.assertIn(second["id"], [t["id"] for t in columns["open"]["cards"]])
        status, done = self.api("POST", "/api/v1/tasks/%d/complete" % task["id"], {"version": 2})
        self.assertEqual((status, done["status"]), (200, "done"))
        self.assertIsNotNone(done["completed_at"])
        status, again = self.api("POST", "/api/v1/tasks/%d/complete" % task["id"], {"version": 3})
        self.assertEqual(status, 409, again)

        # The company's history has the task's life.
        def history():
            status, entries = self.api("GET", "/api/v1/companies/%d/history?kind=task" % company["id"])
            texts = [e["summary"] for e in (entries.get("items", entries) if isinstance(entries, dict) else entries)]
            return texts if any("Task done" in t for t in texts) else None
        texts = self.wait("the task's history", history)
        self.assertTrue(any('Task created: "Send the offer"' in t for t in texts), texts)

    def test_a_missed_call_makes_one_call_back_task_and_more_calls_fold_into_it(self):
        contact = self.contact("Ola", "Fiskum", owner=self.admin, phones=[{"number": "+47 41 22 33 44", "kind": "mobile"}])
        time.sleep(0.5)
        for number in range(3):
            status, body = self.api("POST", "/api/v1/telephony/events", {
                "event_id": "missed-%d" % number, "call_id": "missed-call-%d" % number, "type": "completed",
                "direction": "inbound", "from": "+47 41 22 33 44", "to": "+47 22 00 00 00", "extension": "201",
                "at": "2026-11-27T10:0%d:00Z" % number, "duration": 20, "billsec": 0, "disposition": "NO ANSWER"})
            self.assertEqual(status, 200, body)

        def folded():
            status, page = self.api("GET", "/api/v1/tasks?origin=missed_call&owner_ids=%d" % self.kari)
            tasks = [t for t in page["items"] if t["caller_number"] == "+4741223344"]
            return tasks if tasks and tasks[0]["missed_calls"] == 3 else None
        tasks = self.wait("the call-back task with three missed calls", folded)
        self.assertEqual(len(tasks), 1, tasks)
        task = tasks[0]
        self.assertEqual((task["owner_id"], task["priority"], task["status"]), (self.kari, "high", "open"))
        self.assertEqual(task["contact_ids"], [contact])
        # Due within the configured 30 minutes of the first call.
        self.assertEqual(utc(task["due_at"]), utc("2026-11-27T10:30:00Z"))
        self.assertEqual(task["description"].count("Missed call"), 3)
        # Once it is done, the next missed call makes a new one.
        self.api("POST", "/api/v1/tasks/%d/complete" % task["id"], {"version": task["version"]})
        self.api("POST", "/api/v1/telephony/events", {
            "event_id": "missed-9", "call_id": "missed-call-9", "type": "completed", "direction": "inbound",
            "from": "+47 41 22 33 44", "to": "+47 22 00 00 00", "extension": "201", "at": "2026-11-28T08:00:00Z",
            "duration": 20, "billsec": 0, "disposition": "NO ANSWER"})

        def second():
            status, page = self.api("GET", "/api/v1/tasks?origin=missed_call&statuses=open&owner_ids=%d" % self.kari)
            return [t for t in page["items"] if t["caller_number"] == "+4741223344"] or None
        self.assertEqual(self.wait("a new call-back task", second)[0]["missed_calls"], 1)

    def test_category_replacement_visibility_and_anonymisation(self):
        # A task category deleted in settings with a replacement: its tasks move.
        status, category = self.api("POST", "/api/v1/settings/task-categories", {"name": "Prospecting", "colour": "#2e86c1"})
        self.assertEqual(status, 201, category)
        meeting = next(c for c in self.api("GET", "/api/v1/settings/task-categories")[1] if c["name"] == "Meeting")
        status, task = self.create_task({"title": "Cold call list", "category_id": category["id"]})
        self.assertEqual((status, task["category_colour"].lower()), (201, "#2e86c1"), task)
        status, refused = self.api("DELETE", "/api/v1/settings/task-categories/%d" % category["id"])
        self.assertEqual((status, refused["error"]["details"]["count"] if "details" in refused["error"] else 1), (409, 1), refused)
        status, deleted = self.api("DELETE", "/api/v1/settings/task-categories/%d?replacement_id=%d" % (category["id"], meeting["id"]))
        self.assertEqual(status, 200, deleted)
        moved = self.api("GET", "/api/v1/tasks/%d" % task["id"])[1]
        self.assertEqual((moved["category_id"], moved["category_name"], moved["version"]), (meeting["id"], "Meeting", 2))

        # With shared cards off, a user sees their own tasks and those about their customers only.
        status, user = self.api("POST", "/api/v1/users", {"username": "selma", "password": "selma-password-1", "rank": "user"})
        self.assertEqual(status, 201, user)
        selma = user["user"]["id"]
        token = self.api("POST", "/api/v1/auth/login", {"username": "selma", "password": "selma-password-1"}, token="")[1]["token"]
        status, hers = self.api("POST", "/api/v1/companies", {"name": "Selmas kunde AS", "owner_id": selma})
        status, about_hers = self.create_task({"title": "About Selma's customer", "company_ids": [hers["id"]]})
        self.assertEqual(status, 201, about_hers)
        status, boss_only = self.create_task({"title": "The boss's own"})
        self.api("PUT", "/api/v1/settings/configuration/visibility", {"shared_customer_cards": False})
        try:
            def narrowed():
                status, found = self.api("GET", "/api/v1/tasks?limit=200", token=token)
                ids = [t["id"] for t in found["items"]]
                return ids if boss_only["id"] not in ids else None
            ids = self.wait("the user's list to narrow", narrowed)
            self.assertIn(about_hers["id"], ids)
            self.assertEqual(self.api("GET", "/api/v1/tasks/%d" % boss_only["id"], token=token)[0], 404)
            self.assertEqual(self.api("GET", "/api/v1/tasks/%d" % about_hers["id"], token=token)[0], 200)
        finally:
            self.api("PUT", "/api/v1/settings/configuration/visibility", {"shared_customer_cards": True})

        # Anonymising a contact scrubs them from attendees and texts.
        person = self.contact("Gunhild", "Glemt", owner=self.admin, emails=[{"address": "gunhild@glemt.test", "kind": "work"}])
        status, appointment = self.create_appointment({
            "subject": "Lunch with Gunhild Glemt", "start": "2026-12-11T11:00:00Z", "end": "2026-12-11T12:00:00Z",
            "contact_ids": [person], "attendees": [{"kind": "contact", "id": person}]})
        self.assertEqual(status, 201, appointment)
        self.assertEqual(appointment["attendees"][0]["email"], "gunhild@glemt.test")
        status, about = self.create_task({"title": "Send Gunhild Glemt the menu", "contact_ids": [person]})
        self.assertEqual(self.api("POST", "/api/v1/contacts/%d/anonymize" % person)[0], 200)

        def scrubbed():
            current = self.api("GET", "/api/v1/appointments/%d" % appointment["id"])[1]
            return current if current["attendees"][0].get("email") is None else None
        current = self.wait("the attendee to be scrubbed", scrubbed)
        self.assertEqual(current["attendees"][0]["name"], "(anonymised)")
        self.assertEqual(current["subject"], "Lunch with (anonymised)")
        self.assertNotIn(person, current["contact_ids"])
        task_now = self.api("GET", "/api/v1/tasks/%d" % about["id"])[1]
        self.assertEqual(task_now["title"], "Send (anonymised) the menu")

    def test_a_deals_next_follow_up_is_a_task_in_the_owners_calendar(self):
        status, company = self.api("POST", "/api/v1/companies", {"name": "Oppfølging AS", "owner_id": self.admin})
        self.assertEqual(status, 201, company)
        status, deal = self.system.deal({"customer_kind": "company", "customer_id": company["id"], "subject": "New nets",
                                         "value": 100_00, "next_follow_up": "2026-12-20", "owner_id": self.kari})
        self.assertEqual(status, 201, deal)

        def follow_up(due):
            def check():
                status, page = self.api("GET", "/api/v1/deals/%d/tasks?statuses=open,cancelled" % deal["id"])
                found = [t for t in page["items"] if t["origin"] == "follow_up"]
                return found if found and found[0]["due_date"] == due else None
            return check
        task = self.wait("the deal's follow-up task", follow_up("2026-12-20"))[0]
        self.assertEqual((task["owner_id"], task["add_to_calendar"], task["company_ids"]), (self.kari, True, [company["id"]]))
        self.assertEqual(task["title"], "Follow up: New nets (Oppfølging AS)")
        # Moved on the deal, the task follows; the deal won, the open follow-up is cancelled.
        status, changed = self.api("PATCH", "/api/v1/deals/%d" % deal["id"], {"version": deal["version"], "next_follow_up": "2026-12-22"})
        self.assertEqual(status, 200, changed)
        moved = self.wait("the follow-up to move", follow_up("2026-12-22"))
        self.assertEqual([t["id"] for t in moved], [task["id"]])
        status, won = self.api("POST", "/api/v1/deals/%d/won" % deal["id"], {"version": changed["version"]})
        self.assertEqual(status, 200, won)
        self.wait("the follow-up to be cancelled",
                  lambda: self.api("GET", "/api/v1/tasks/%d" % task["id"])[1]["status"] == "cancelled")

    # MARK: - Appointments and calendars

    def test_a_weekly_series_across_the_autumn_clock_change_expands_alike_here_and_in_python(self):
        start = datetime.datetime(2026, 10, 13, 10, 0, tzinfo=OSLO)
        moved_from = datetime.datetime(2026, 10, 20, 10, 0, tzinfo=OSLO)
        excluded = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=OSLO)
        status, appointment = self.create_appointment({
            "subject": "Weekly sales meeting", "start": iso(start), "end": iso(start + datetime.timedelta(hours=1)),
            "zone": "Europe/Oslo", "place": "Bryggen 3",
            "recurrence": {"frequency": "weekly", "by_day": ["TU"], "count": 8, "excluded": [iso(excluded)]},
            "exceptions": [{"original_start": iso(moved_from), "start": iso(moved_from + datetime.timedelta(days=1, hours=3)),
                            "end": iso(moved_from + datetime.timedelta(days=1, hours=4)), "subject": "Sales meeting (moved)"}],
            "alarms": [15]})
        self.assertEqual(status, 201, appointment)
        window = (datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc), datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc))
        status, occurrences = self.api("GET", "/api/v1/calendar?from=%s&to=%s" % (iso(window[0]), iso(window[1])))
        self.assertEqual(status, 200, occurrences)
        ours = sorted(utc(o["start"]) for o in occurrences if o["appointment_id"] == appointment["id"])
        # 8 Tuesdays, one moved to Wednesday 13:00, one left out; 10:00 Oslo time before and after the change.
        self.assertEqual(len(ours), 7, ours)
        self.assertIn(utc("2026-10-13T08:00:00Z"), ours)  # CEST
        self.assertIn(utc("2026-10-27T09:00:00Z"), ours)  # CET
        self.assertIn(utc("2026-10-21T11:00:00Z"), ours)  # the moved one
        self.assertNotIn(utc("2026-11-03T09:00:00Z"), ours)

        status, text = self.ics("/api/v1/appointments/%d/ics" % appointment["id"])
        self.assertEqual(status, 200)
        calendar = self.check_calendar_text(text, single="series-%d" % appointment["id"])
        theirs = sorted(event["DTSTART"].dt.astimezone(datetime.timezone.utc)
                        for event in recurring_ical_events.of(calendar).between(window[0], window[1]))
        self.assertEqual(theirs, ours)
        event = next(e for e in calendar.walk("VEVENT") if "RRULE" in e)
        self.assertEqual(event["DTSTART"].params.get("TZID"), "Europe/Oslo")
        self.assertTrue(any(c.name == "VTIMEZONE" for c in calendar.walk()))

    def test_all_day_and_monthly_on_the_last_friday(self):
        status, appointment = self.create_appointment({
            "subject": "Stand at the fair", "all_day": True, "start_date": "2027-03-26", "end_date": "2027-03-27",
            "recurrence": {"frequency": "monthly", "by_day": ["-1FR"], "count": 4}})
        self.assertEqual(status, 201, appointment)
        status, text = self.ics("/api/v1/appointments/%d/ics" % appointment["id"])
        calendar = self.check_calendar_text(text, single="fair-%d" % appointment["id"])
        event = calendar.walk("VEVENT")[0]
        self.assertEqual(event["DTSTART"].dt, datetime.date(2027, 3, 26))
        self.assertEqual(event["DTEND"].dt, datetime.date(2027, 3, 28))  # exclusive
        days = [e["DTSTART"].dt for e in recurring_ical_events.of(calendar).between(datetime.date(2027, 1, 1), datetime.date(2028, 1, 1))]
        self.assertEqual(days, [datetime.date(2027, 3, 26), datetime.date(2027, 4, 30), datetime.date(2027, 5, 28),
                                datetime.date(2027, 6, 25)])
        status, occurrences = self.api("GET", "/api/v1/calendar?from=2027-01-01T00:00:00Z&to=2028-01-01T00:00:00Z")
        ours = [o["start"][:10] for o in occurrences if o["appointment_id"] == appointment["id"]]
        self.assertEqual(ours, ["2027-03-26", "2027-04-30", "2027-05-28", "2027-06-25"])
        # A start that is not one of the rule's days is refused (a rule across values: 409, ADR 008).
        status, body = self.api("POST", "/api/v1/appointments", {
            "subject": "Wrong", "all_day": True, "start_date": "2027-03-25", "recurrence": {"frequency": "monthly", "by_day": ["-1FR"]}})
        self.assertEqual(status, 409, body)
        self.assertIn("-1FR", body["error"]["message"])

    def test_lines_fold_at_75_octets_without_splitting_letters_or_emoji(self):
        subject = "Årsmøte på Ærøy: blåbærsyltetøy, rømmegrøt og smørbrød 🎉🇳🇴 " * 3
        status, appointment = self.create_appointment({
            "subject": subject.strip()[:300], "start": "2026-12-10T11:00:00Z", "end": "2026-12-10T12:00:00Z", "zone": "Europe/Oslo",
            "description": "Første linje; andre, med komma\nog \\ skråstrek 🧑‍🤝‍🧑"})
        self.assertEqual(status, 201, appointment)
        status, text = self.ics("/api/v1/appointments/%d/ics" % appointment["id"])
        calendar = self.check_calendar_text(text, single="fold-%d" % appointment["id"])
        event = calendar.walk("VEVENT")[0]
        self.assertEqual(str(event["SUMMARY"]), subject.strip()[:300])
        self.assertEqual(str(event["DESCRIPTION"]), "Første linje; andre, med komma\nog \\ skråstrek 🧑‍🤝‍🧑")
        self.assertEqual(vobject.readOne(text).vevent.summary.value, subject.strip()[:300])

    # MARK: - Invitations

    def mails(self, count, since):
        self.wait("%d mails" % count, lambda: len(self.inbox.mails) >= since + count, 30)
        time.sleep(0.3)
        return self.inbox.mails[since:]

    def invitation(self, mail):
        """(message, method, calendar) of a captured invitation, checking its MIME structure."""
        message = email.message_from_bytes(mail["data"], policy=email.policy.default)
        self.assertEqual(message.get_content_type(), "multipart/mixed")
        parts = list(message.iter_parts())
        self.assertEqual(parts[0].get_content_type(), "multipart/alternative")
        alternatives = list(parts[0].iter_parts())
        self.assertEqual([p.get_content_type() for p in alternatives], ["text/plain", "text/html", "text/calendar"])
        attachments = parts[1:]
        self.assertEqual([a.get_content_type() for a in attachments], ["application/ics"])
        body = alternatives[2].get_content()
        method = alternatives[2].get_param("method")
        # Stored by its UID, as a client keeps one resource per UID (an update overwrites it).
        uid = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["UID"]
        calendar = self.check_calendar_text(body, single="invitation-" + str(uid).replace("@", "-"))
        self.assertEqual(str(calendar["METHOD"]), method)
        self.assertEqual(attachments[0].get_content().decode() if isinstance(attachments[0].get_content(), bytes) else attachments[0].get_content(), body)
        sender = email.utils.parseaddr(message["From"])[1]
        event = calendar.walk("VEVENT")[0]
        self.assertEqual(str(event["ORGANIZER"]).lower(), "mailto:" + sender)
        return message, alternatives[0].get_content(), method, event

    def test_invitations_updates_answers_and_cancelling(self):
        guest = self.contact("Åse", "Ødegård", owner=self.admin, emails=[{"address": "ase@kunde.test", "kind": "work"}])
        since = len(self.inbox.mails)
        status, appointment = self.create_appointment({
            "subject": "Contract review", "start": "2026-12-08T09:00:00Z", "end": "2026-12-08T10:00:00Z", "zone": "Europe/Oslo",
            "place": "Meeting room Fløyen", "contact_ids": [guest],
            "attendees": [{"kind": "contact", "id": guest}, {"kind": "user", "id": self.kari},
                          {"kind": "email", "email": "lawyer@firm.test", "name": "Lars Advokat"}],
            "send_invitations": True})
        self.assertEqual(status, 201, appointment)
        mails = self.mails(3, since)
        self.assertEqual(sorted(m["to"][0] for m in mails), ["ase@kunde.test", "kari@crm.test", "lawyer@firm.test"])
        links = {}
        for mail in mails:
            message, text, method, event = self.invitation(mail)
            self.assertEqual(method, "REQUEST")
            self.assertEqual(str(event["UID"]), appointment["uid"])
            attendees = [str(a).lower() for a in (event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]])]
            self.assertEqual(len(attendees), 3)
            self.assertTrue(all(a.params["RSVP"] == "TRUE" for a in event["ATTENDEE"]))
            links[mail["to"][0]] = [line.split(": ", 1)[1] for line in text.splitlines() if line.strip().startswith("Accept:")][0]
        sequence = int(self.invitation(mails[0])[3]["SEQUENCE"])

        # Åse accepts through her link, without logging in (the page answers on POST only).
        link = links["ase@kunde.test"]
        token = link.split("/rsvp/")[1].split("?")[0]
        page = urllib.request.urlopen(link).read().decode()
        self.assertIn("Contract review", page)
        status, view = crmsystem.call(self.system.base, "POST", "/api/v1/rsvp/%s" % token, {"answer": "accepted"})
        self.assertEqual((status, view["status"]), (200, "accepted"), view)
        tampered = token[:-1] + ("1" if token[-1] == "0" else "0")
        status, bad = crmsystem.call(self.system.base, "POST", "/api/v1/rsvp/%s" % tampered, {"answer": "accepted"})
        self.assertEqual(status, 404, bad)
        current = self.api("GET", "/api/v1/appointments/%d" % appointment["id"])[1]
        self.assertEqual({a.get("email"): a["status"] for a in current["attendees"]}["ase@kunde.test"], "accepted")

        # Moving it re-sends to everyone: the same UID, a higher SEQUENCE; answers start over.
        since = len(self.inbox.mails)
        status, moved = self.api("PATCH", "/api/v1/appointments/%d" % appointment["id"], {
            "version": current["version"], "start": "2026-12-08T12:00:00Z", "end": "2026-12-08T13:00:00Z"})
        self.assertEqual(status, 200, moved)
        for mail in self.mails(3, since):
            _, _, method, event = self.invitation(mail)
            self.assertEqual((method, str(event["UID"])), ("REQUEST", appointment["uid"]))
            self.assertGreater(int(event["SEQUENCE"]), sequence)
            self.assertTrue(mail["data"].decode(errors="replace").startswith("") and "Updated invitation" in str(
                email.message_from_bytes(mail["data"], policy=email.policy.default)["Subject"]))
        self.assertTrue(all(a["status"] == "needs_action" for a in moved["attendees"]))

        # Cancelling sends METHOD:CANCEL with STATUS:CANCELLED.
        since = len(self.inbox.mails)
        status, cancelled = self.api("POST", "/api/v1/appointments/%d/cancel" % appointment["id"], {"version": moved["version"]})
        self.assertEqual((status, cancelled["status"]), (200, "cancelled"), cancelled)
        for mail in self.mails(3, since):
            _, _, method, event = self.invitation(mail)
            self.assertEqual((method, str(event["STATUS"])), ("CANCEL", "CANCELLED"))
            self.assertGreater(int(event["SEQUENCE"]), int(moved["sequence"]) - 1)
        # The contact's history has the appointment, Åse's answer and the cancellation.
        def history():
            status, entries = self.api("GET", "/api/v1/contacts/%d/history?kind=appointment" % guest)
            texts = [e["summary"] for e in (entries.get("items", entries) if isinstance(entries, dict) else entries)]
            return texts if any("cancelled" in t for t in texts) else None
        texts = self.wait("the appointment's history", history)
        self.assertTrue(any(t.startswith('Appointment: "Contract review"') for t in texts), texts)
        self.assertTrue(any("accepted" in t for t in texts), texts)
        # Every mail went once: notifications has exactly the nine.
        time.sleep(1)
        self.assertEqual(len([m for m in self.inbox.mails if b"Contract review" in m["data"]]), 9)

    # MARK: - Feeds

    def ics(self, path, token=None, headers=None):
        request = urllib.request.Request(self.system.base + path)
        if token is not False:
            request.add_header("Authorization", "Bearer " + (token or self.system.token))
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.assertTrue(response.headers["Content-Type"].startswith("text/calendar"))
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def test_a_feed_by_secret_token_with_etag_rotate_and_revoke(self):
        status, follow = self.create_task({"title": "Follow up Havbris", "due_date": "2026-12-14", "origin": "follow_up"})
        self.assertEqual((status, follow["add_to_calendar"]), (201, True), follow)
        status, appointment = self.create_appointment({
            "subject": "Feed check", "start": "2026-12-15T08:00:00Z", "end": "2026-12-15T09:00:00Z", "zone": "Europe/Oslo"})
        self.assertEqual(status, 201, appointment)
        status, feed = self.api("POST", "/api/v1/calendar/feeds", {})
        self.assertEqual(status, 201, feed)
        self.assertTrue(feed["webcal_url"].startswith("webcal://"))
        path = feed["url"].split(self.system.base, 1)[1] if feed["url"].startswith(self.system.base) else "/api/v1/feeds/" + feed["token"]
        status, text = self.ics(path, token=False)
        self.assertEqual(status, 200, text)
        calendar = self.check_calendar_text(text)
        self.assertNotIn("METHOD", calendar)
        self.assertEqual(str(calendar["X-PUBLISHED-TTL"]), "PT1H")
        uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
        self.assertIn(appointment["uid"], uids)
        self.assertIn("task-%d@crm" % follow["id"], uids)
        self.assertFalse(any("ORGANIZER" in e or "ATTENDEE" in e for e in calendar.walk("VEVENT")))
        self.assertIn(self.radicale.put_calendar("feed", text), (201, 204))
        # ETag: the same feed is a 304.
        request = urllib.request.Request(self.system.base + path)
        with urllib.request.urlopen(request) as response:
            etag = response.headers["ETag"]
        request.add_header("If-None-Match", etag)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request)
        self.assertEqual(caught.exception.code, 304)
        # Rotate: the old link is gone, the new one works; revoke: gone.
        status, rotated = self.api("POST", "/api/v1/calendar/feeds/%d/rotate" % feed["id"])
        self.assertEqual(status, 200, rotated)
        self.assertEqual(self.ics(path, token=False)[0], 404)
        new_path = "/api/v1/feeds/" + rotated["token"]
        self.assertEqual(self.ics(new_path, token=False)[0], 200)
        self.assertEqual(self.api("DELETE", "/api/v1/calendar/feeds/%d" % feed["id"])[0], 200)
        self.assertEqual(self.ics(new_path, token=False)[0], 404)

        # A group's feed: its members' appointments (Kari's, through the group), once tasks knows the members.
        status, kari_meeting = self.create_appointment({
            "subject": "Kari's workshop", "start": "2026-12-16T08:00:00Z", "end": "2026-12-16T09:00:00Z", "organizer_id": self.kari})
        self.assertEqual(status, 201, kari_meeting)
        status, group = self.api("POST", "/api/v1/settings/groups", {"name": "Kalender-gruppa"})
        self.assertEqual(status, 201, group)
        for member in (self.admin, self.kari):
            self.assertEqual(self.api("PUT", "/api/v1/settings/groups/%d/members/%d" % (group["id"], member), {})[0], 200)

        def group_feed():
            status, made = self.api("POST", "/api/v1/calendar/feeds", {"group_id": group["id"]})
            return made if status == 201 else None
        made = self.wait("tasks to know the group's members", group_feed)
        status, text = self.ics("/api/v1/feeds/" + made["token"], token=False)
        uids = [str(e["UID"]) for e in self.check_calendar_text(text).walk("VEVENT")]
        self.assertIn(kari_meeting["uid"], uids)
        self.assertIn(appointment["uid"], uids)
        self.assertIn(self.radicale.put_calendar("group-feed", text), (201, 204))


if __name__ == "__main__":
    unittest.main()


class InvitationsOnceTest(unittest.TestCase):
    """Meeting confirmations to 60 attendees while the tasks service is killed (SIGKILL) three
    times as it hands them to notifications: each attendee gets exactly one mail."""

    PASSWORD = "tasks-kill-password"

    def test_each_invitation_goes_out_once_across_kill_9(self):
        inbox = Inbox()
        smtp_port = free_port()
        smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        system = System("crm-tasks-kill-", self.PASSWORD, CRM_SMTP_URL="smtp+plain://127.0.0.1:%d" % smtp_port,
                        CRM_MAIL_FROM="kalender@crm.test")
        try:
            addresses = ["guest%02d@kunde.test" % n for n in range(60)]
            status, appointment = system.api("POST", "/api/v1/appointments", {
                "subject": "Kick-off", "start": "2026-12-14T09:00:00Z", "end": "2026-12-14T10:00:00Z", "zone": "Europe/Oslo",
                "attendees": [{"kind": "email", "email": a} for a in addresses], "send_invitations": True})
            self.assertEqual(status, 201, appointment)
            import sqlite3
            handed = []
            for pause in (0.05, 0.2, 0.4):
                time.sleep(pause)
                system.processes["tasks"].kill()
                try:
                    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(system.folder, "tasks", "tasks.sqlite"), uri=True)
                    handed.append(db.execute("SELECT COUNT(*) FROM invitation WHERE state = 'sent'").fetchone()[0])
                    db.close()
                except sqlite3.Error:
                    handed.append(None)
                system.processes["tasks"].wait()
                system.start("tasks")
            system.wait("60 invitations", lambda: len({m["to"][0] for m in inbox.mails}) == 60, 60)
            time.sleep(2)  # anything sent twice would have arrived by now
            received = sorted(m["to"][0] for m in inbox.mails)
            self.assertEqual(received, addresses)
            print("invitations handed over at each kill:", handed)
            folder = system.folder
            db = sqlite3.connect(os.path.join(folder, "tasks", "tasks.sqlite"))
            states = dict(db.execute("SELECT state, COUNT(*) FROM invitation GROUP BY state").fetchall())
            db.close()
            self.assertEqual(states, {"sent": 60})
        finally:
            system.stop()
            smtp.stop()
