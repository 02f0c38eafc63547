"""The web UI in a real browser: Debian's chromium driven by Playwright for Python through
`executable_path` (never `playwright install`), with JavaScript on and off, and axe-core for
accessibility (axe-playwright-python). The whole system runs as real processes on free ports."""

import json
import os
import re
import tempfile
import time
import unittest
import urllib.request

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

import crmkeys
import crmsystem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "web-admin-password"
# The Chromium this suite is run against (Debian bookworm's), asserted so a drift is seen.
CHROMIUM_MAJOR = "156"
# `CRM_SCREENSHOTS=docs/screenshots` keeps the main pages as images (desktop and phone width).
SCREENSHOTS = os.environ.get("CRM_SCREENSHOTS")


class WebUITest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="crm-web-")
        env, ports = crmsystem.environment(cls.folder, PASSWORD)
        cls.base = "http://127.0.0.1:%d" % ports[3]
        crmkeys.init(cls.folder)
        cls.processes = crmsystem.start(cls.folder, env, BIN, cls.base)
        status, body = cls.api("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        assert status == 200, (status, body)
        cls.token = body["token"]
        status, body = cls.api("POST", "/api/v1/users", {"username": "kari", "password": "kari-password-1"}, cls.token)
        assert status == 201, (status, body)
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        for process in reversed(list(cls.processes.values())):
            crmsystem.stop(process)

    @classmethod
    def api(cls, method, path, body=None, token=None):
        request = urllib.request.Request(cls.base + path, data=json.dumps(body).encode() if body is not None else None, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def page(self, javascript=True, width=1280):
        context = self.browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
        self.addCleanup(context.close)
        page = context.new_page()
        violations = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        self.addCleanup(lambda: self.assertEqual(violations, [], "the page broke its own Content-Security-Policy"))
        return page

    @staticmethod
    def nav(page, name):
        """A link of the main navigation (the card has tabs of the same names)."""
        return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)

    def sign_in(self, page, username="admin", password=PASSWORD):
        page.goto(self.base + "/")
        expect(page).to_have_url(re.compile(r"/signin"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/contacts$"))

    def new_contact(self, page, first, last, phone=""):
        if not page.url.endswith("/contacts"):
            self.nav(page, "Contacts").click()
        page.get_by_role("link", name="New contact").click()
        page.get_by_label("First name").fill(first)
        page.get_by_label("Last name").fill(last)
        if phone:
            page.get_by_label("Phone").fill(phone)
        page.get_by_role("button", name="Save").click()
        expect(page).to_have_url(re.compile(r"/contacts/\d+$"))
        return page.url

    def test_browser_is_debians_chromium(self):
        self.assertTrue(self.browser.version.startswith(CHROMIUM_MAJOR + "."), self.browser.version)

    def test_search_as_you_type_card_and_private_note(self):
        page = self.page()
        self.sign_in(page)
        card = self.new_contact(page, "Ragnhild", "Ødegård", "+47 911 22 333")
        page.goto(self.base + "/contacts")
        # "/" jumps to the search field; typing part of the name finds it without submitting.
        page.locator("body").press("/")
        expect(page.get_by_label("Search contacts")).to_be_focused()
        page.keyboard.type("degå")
        expect(page.locator("#results")).to_contain_text("Ragnhild Ødegård")
        expect(page.locator("#result-summary")).to_have_attribute("aria-live", "polite")
        expect(page.locator("#result-summary")).to_contain_text("matches")
        self.assertIn("q=deg", page.url)
        # Typed without the Norwegian letters, as on a foreign keyboard: found all the same.
        page.get_by_label("Search contacts").fill("ragnhild odegard")
        expect(page.locator("#results")).to_contain_text("Ragnhild Ødegård")
        page.get_by_role("link", name="Ragnhild Ødegård").click()
        expect(page).to_have_url(card)
        page.get_by_label("New note").fill("Only for admin's eyes")
        page.get_by_label("Private (only you see it)").check()
        # With the script the note is added in place: the page is not loaded again.
        page.evaluate("window.stillTheSamePage = true")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#notes")).to_contain_text("Only for admin's eyes")
        self.assertTrue(page.evaluate("window.stillTheSamePage === true"))
        expect(page.locator("#announce")).to_have_text("Saved")
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SCREENSHOTS, "contact-card.png"), full_page=True)
            page.goto(self.base + "/contacts")
            page.screenshot(path=os.path.join(SCREENSHOTS, "contacts.png"), full_page=True)
        # Another user does not see the private note.
        other = self.page()
        self.sign_in(other, "kari", "kari-password-1")
        other.goto(card)
        expect(other.get_by_role("heading", name="Ragnhild Ødegård")).to_be_visible()
        expect(other.locator("#notes")).not_to_contain_text("Only for admin's eyes")
        expect(other.locator("main")).not_to_contain_text("Only for admin's eyes")

    def test_plain_forms_without_javascript(self):
        page = self.page(javascript=False)
        self.sign_in(page)
        # Errors next to the field they are about.
        page.get_by_role("link", name="New contact").click()
        page.get_by_role("button", name="Save").click()
        expect(page.locator("[aria-invalid=true]").first).to_be_visible()
        page.get_by_label("First name").fill("<script>alert(1)</script>")
        page.get_by_label("Last name").fill("Sørensen")
        page.get_by_role("button", name="Save").click()
        expect(page).to_have_url(re.compile(r"/contacts/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("<script>alert(1)</script> Sørensen")
        page.goto(self.base + "/contacts")
        page.get_by_label("Search contacts").fill("rensen")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("<script>alert(1)</script> Sørensen")
        page.get_by_role("link", name="<script>alert(1)</script> Sørensen").click()
        card = page.url
        # The rest of the card's work, as plain forms: an address, a note, a company with a role,
        # a file uploaded as form data and downloaded, bank details.
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("City").fill("Tromsø")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#info")).to_contain_text("Tromsø")
        page.get_by_label("New note").fill("Called about the offer")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#notes")).to_contain_text("Called about the offer")
        status, _ = self.api("POST", "/api/v1/companies", {"name": "Ishavskraft AS"}, self.token)
        self.assertEqual(status, 201)
        page.get_by_label("Company", exact=True).fill("Ishavskraft")
        page.get_by_label("Role").select_option(label="Consultant")
        page.get_by_role("button", name="Link", exact=True).click()
        expect(page.locator("#links")).to_contain_text("Ishavskraft AS")
        expect(page.locator("#links")).to_contain_text("Consultant")
        page.get_by_text("Change bank details").click()
        page.get_by_label("IBAN").fill("NO9386011117947")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#bank")).to_contain_text("NO9386011117947")
        page.get_by_role("link", name="Files").click()
        path = os.path.join(self.folder, "plain-upload.txt")
        with open(path, "wb") as out:
            out.write(b"line one\r\n--not a boundary\r\n" * 5000)
        page.get_by_label("File", exact=True).set_input_files(path)
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("link", name="plain-upload.txt")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="plain-upload.txt").click()
        with open(download.value.path(), "rb") as got:
            self.assertEqual(got.read(), b"line one\r\n--not a boundary\r\n" * 5000)
        # The city filter (a drop-down, as the default search configuration has it).
        page.goto(self.base + "/contacts")
        page.get_by_label("City").select_option("Tromsø")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("Sørensen")
        expect(page.locator("#result-summary")).to_contain_text("1 contact")
        # An import pasted as text, its dry run and the real thing.
        self.nav(page, "Import").click()
        page.get_by_label("The file's text").fill("first_name;last_name\nUten;Skript\n;\n")
        page.get_by_role("button", name="Dry run").click()
        expect(page.locator(".report")).to_contain_text("1 would be created")
        page.get_by_role("button", name="Import for real").click()
        expect(page.locator(".report h2")).to_have_text("Imported")
        # A boss's settings: a category with a colour.
        page.goto(self.base + "/settings/categories")
        page.get_by_label("Name", exact=True).fill("Uten skript")
        page.get_by_role("button", name="Add").click()
        expect(page.locator(".reference")).to_contain_text("Uten skript")
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/signin$"))

    def test_company_unmatched_number_and_settings(self):
        page = self.page()
        self.sign_in(page)
        # A company, found by part of its name as you type.
        self.nav(page, "Companies").click()
        page.get_by_role("link", name="New company").click()
        page.get_by_label("Name").fill("Fjordkraft Bølgen AS")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Fjordkraft Bølgen AS")
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Phone").fill("+47 22 33 44 55")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#info")).to_contain_text("+47 22 33 44 55")
        self.nav(page, "Companies").click()
        page.get_by_label("Search companies").fill("bølg")
        expect(page.locator("#results")).to_contain_text("Fjordkraft Bølgen AS")
        # A call from a number nobody has; linked to a contact from the unmatched list.
        contact = self.new_contact(page, "Ingrid", "Berg")
        status, body = self.api("POST", "/api/v1/telephony/events", {
            "event_id": "web-1", "call_id": "web-call-1", "type": "completed", "direction": "inbound",
            "from": "+47 55 51 23 45", "to": "+47 22 00 00 00", "at": "2026-11-27T09:00:00Z", "duration": 40,
            "billsec": 30, "disposition": "ANSWERED"}, self.token)
        self.assertEqual(status, 200, body)
        self.nav(page, "Calls").click()
        expect(page.get_by_role("heading", name="Call log")).to_be_visible()
        page.get_by_role("link", name="Unmatched numbers").click()
        row = page.locator("tr", has_text="4755512345")
        row.get_by_role("link", name="Link to a contact").click()
        page.get_by_label("Find the contact").fill("Ingrid")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("button", name="Link to Ingrid Berg").click()
        expect(page).to_have_url(contact)
        expect(page.locator("#info")).to_contain_text("+4755512345")
        if SCREENSHOTS:
            page.goto(self.base + "/calls")
            page.screenshot(path=os.path.join(SCREENSHOTS, "calls.png"), full_page=True)
        # A boss adds a category with a colour.
        self.nav(page, "Settings").click()
        page.get_by_role("link", name="Categories", exact=True).click()
        page.get_by_label("Name").fill("Strategic partner")
        page.get_by_label("Colour").fill("#c0392b")
        page.get_by_role("button", name="Add").click()
        item = page.locator(".reference li", has_text="Strategic partner")
        expect(item).to_be_visible()
        self.assertEqual(item.locator("rect").get_attribute("fill").lower(), "#c0392b")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "settings-categories.png"), full_page=True)
        # A user who is not a boss has no settings.
        user = self.page()
        self.sign_in(user, "kari", "kari-password-1")
        expect(self.nav(user, "Settings")).to_have_count(0)
        response = user.goto(self.base + "/settings/categories")
        self.assertEqual(response.status, 403)

    def test_edit_link_company_and_my_tokens(self):
        page = self.page()
        self.sign_in(page)
        self.nav(page, "Companies").click()
        page.get_by_role("link", name="New company").click()
        page.get_by_label("Name").fill("Havbris Consulting")
        page.get_by_role("button", name="Save").click()
        card = self.new_contact(page, "Tor", "Havbris")
        # Edit: a title, and an error next to its field when both names are emptied.
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Title").fill("CFO")
        page.get_by_role("button", name="Save").click()
        expect(page).to_have_url(card)
        expect(page.locator("#info")).to_contain_text("CFO")
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("First name").fill("")
        page.get_by_label("Last name").fill("")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#first_name")).to_have_attribute("aria-invalid", "true")
        # Link the company, then unlink it.
        page.goto(card)
        page.get_by_label("Company", exact=True).fill("Havbris Consulting")
        page.get_by_label("Title there").fill("Partner")
        page.get_by_role("button", name="Link", exact=True).click()
        expect(page.locator("#links")).to_contain_text("Havbris Consulting")
        expect(page.locator("#links")).to_contain_text("Partner")
        page.get_by_role("button", name="Unlink Havbris Consulting").click()
        expect(page.locator("#links")).to_contain_text("Not linked to a company.")
        # My account: an API token shown once, then revoked.
        page.get_by_role("link", name="admin").click()
        page.get_by_label("Name", exact=True).fill("phone system")
        page.get_by_label("telephony:ingest").check()
        page.get_by_role("button", name="Make token").click()
        secret = page.locator(".notice code").inner_text()
        status, _ = self.api("POST", "/api/v1/telephony/events", {
            "event_id": "tok-1", "call_id": "tok-call-1", "type": "ringing", "direction": "inbound",
            "from": "+47 400 00 001", "at": "2026-11-27T10:00:00Z"}, secret)
        self.assertEqual(status, 200)
        page.get_by_role("button", name="Revoke phone system").click()
        expect(page.locator("#tokens")).not_to_contain_text("phone system")
        # The revocation reaches the gateway's token cache by event: poll until it answers 401.
        deadline = time.time() + 15
        while time.time() < deadline and self.api("GET", "/api/v1/auth/me", None, secret)[0] != 401:
            time.sleep(0.1)
        self.assertEqual(self.api("GET", "/api/v1/auth/me", None, secret)[0], 401)

    def test_csv_import_with_a_rejected_row(self):
        page = self.page()
        self.sign_in(page)
        self.nav(page, "Import").click()
        csv = "first_name;last_name;email\nSolveig;Haugen;solveig@example.no\n;;\nBirk;Nes;not-an-address\n"
        path = os.path.join(self.folder, "people.csv")
        with open(path, "w") as out:
            out.write(csv)
        page.get_by_label("Choose a file").set_input_files(path)
        expect(page.get_by_label("The file's text")).to_have_value(csv)
        page.get_by_role("button", name="Dry run").click()
        expect(page.locator(".report")).to_contain_text("Dry run: nothing was changed")
        expect(page.locator(".report")).to_contain_text("Rejected rows")
        expect(page.locator(".report")).to_contain_text("Line 3")
        # An address that is not one: the row is imported without it, and the report says so.
        expect(page.locator(".report")).to_contain_text("Imported without a value (1)")
        expect(page.locator(".report")).to_contain_text("Line 4: 'not-an-address' is not an e-mail address")
        self.assertEqual(self.api("GET", "/api/v1/contacts?q=Solveig", None, self.token)[1]["items"], [])
        page.get_by_role("button", name="Import for real").click()
        expect(page.locator(".report h2")).to_have_text("Imported")
        self.assertEqual(len(self.api("GET", "/api/v1/contacts?q=Haugen", None, self.token)[1]["items"]), 1)
        self.assertEqual(self.api("GET", "/api/v1/contacts?q=Birk", None, self.token)[1]["items"][0]["emails"], [])

    def test_choose_categories_and_filter_by_them(self):
        status, category = self.api("POST", "/api/v1/settings/categories", {"name": "Reseller", "colour": "#2e7d32"}, self.token)
        self.assertEqual(status, 201, category)
        page = self.page()
        self.sign_in(page)
        card = self.new_contact(page, "Kristin", "Vik")
        page.get_by_text("Choose categories").click()
        page.get_by_label("Reseller").check()
        page.get_by_role("button", name="Save categories").click()
        expect(page.locator("#categories .reference")).to_contain_text("Reseller")
        self.nav(page, "Contacts").click()
        page.get_by_label("Category").select_option(label="Reseller")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("Kristin Vik")
        expect(page.locator("#result-summary")).to_contain_text("1 contact")

    def test_file_area_upload_download_rename_delete(self):
        page = self.page()
        self.sign_in(page)
        card = self.new_contact(page, "Frida", "Filer")
        page.get_by_role("link", name="Files").click()
        page.get_by_label("Name", exact=True).fill("Contracts")
        page.get_by_role("button", name="Make folder").click()
        expect(page.get_by_role("link", name="Contracts/")).to_be_visible()
        path = os.path.join(self.folder, "offer.txt")
        with open(path, "w") as out:
            out.write("Offer: 12 licences\n" * 20000)
        page.get_by_label("File", exact=True).set_input_files(path)
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("link", name="offer.txt")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="offer.txt").click()
        with open(download.value.path()) as got:
            self.assertEqual(got.read(), "Offer: 12 licences\n" * 20000)
        page.get_by_text("Rename, move or delete offer.txt").click()
        page.get_by_label("New name").fill("offer-2026.txt")
        page.get_by_role("button", name="Rename").click()
        expect(page.get_by_role("link", name="offer-2026.txt")).to_be_visible()
        page.get_by_text("Rename, move or delete offer-2026.txt").click()
        page.get_by_label("Move to").select_option(label="Contracts")
        page.get_by_role("button", name="Move").click()
        expect(page.get_by_role("link", name="offer-2026.txt")).to_have_count(0)
        page.get_by_role("link", name="Contracts/").click()
        page.get_by_text("Rename, move or delete offer-2026.txt").click()
        page.get_by_role("button", name="Delete offer-2026.txt").click()
        expect(page.get_by_role("link", name="offer-2026.txt")).to_have_count(0)
        # The folder renamed, then deleted.
        page.get_by_text("Rename or delete the folder Contracts").click()
        page.get_by_label("New name of the folder").fill("Agreements")
        page.get_by_role("button", name="Rename folder").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Agreements")
        page.get_by_text("Rename or delete the folder Agreements").click()
        page.get_by_label("with every file in it").check()
        page.get_by_role("button", name="Delete the folder Agreements").click()
        expect(page.get_by_role("link", name="Agreements/")).to_have_count(0)
        # An image becomes the contact's picture.
        path = os.path.join(self.folder, "frida.png")
        with open(path, "wb") as out:
            out.write(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a1d5b0a50000000049454e44ae426082"))
        page.get_by_label("File", exact=True).set_input_files(path)
        page.get_by_role("button", name="Upload").click()
        page.get_by_text("Rename, move or delete frida.png").click()
        page.get_by_role("button", name="Use frida.png as the picture").click()
        expect(page).to_have_url(card)
        picture = page.locator("h1 img.picture")
        expect(picture).to_be_visible()
        self.assertTrue(page.evaluate("document.querySelector('h1 img.picture').naturalWidth") == 1)

    def test_boss_moves_customers_between_industries(self):
        _, fishing = self.api("POST", "/api/v1/settings/industries", {"name": "Fishing"}, self.token)
        _, shipping = self.api("POST", "/api/v1/settings/industries", {"name": "Shipping"}, self.token)
        ids = []
        for name in ["Nordhav AS", "Sjøbris AS"]:
            status, company = self.api("POST", "/api/v1/companies", {"name": name, "industry_id": fishing["id"]}, self.token)
            self.assertEqual(status, 201, company)
            ids.append(company["id"])
        page = self.page()
        self.sign_in(page)
        self.nav(page, "Settings").click()
        page.get_by_role("link", name="Industries", exact=True).click()
        page.get_by_role("link", name="Fishing", exact=True).click()
        expect(page.locator("main")).to_contain_text("Used by 2 record(s)")
        page.get_by_label("Move every customer with this industry to").select_option(label="Shipping")
        page.get_by_role("button", name="Count them first").click()
        expect(page.locator(".notice")).to_contain_text("2 customer(s) would move")
        for company in ids:  # nothing moved before the confirmation
            self.assertEqual(self.api("GET", "/api/v1/companies/%d" % company, None, self.token)[1]["industry_id"], fishing["id"])
        page.get_by_role("button", name="Move them").click()
        expect(page.locator(".notice")).to_contain_text("2 customer(s) moved")
        for company in ids:
            self.assertEqual(self.api("GET", "/api/v1/companies/%d" % company, None, self.token)[1]["industry_id"], shipping["id"])
        # Renamed, then deleted with its records cleared.
        page.get_by_label("Name", exact=True).fill("Fishery")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".reference")).to_contain_text("Fishery")

    def test_additional_information(self):
        for field in [{"applies_to": "contact", "label": "Licences", "type": "number"},
                      {"applies_to": "contact", "label": "Preferred channel", "type": "choice", "options": ["Phone", "E-mail"]},
                      {"applies_to": "contact", "label": "Wants the newsletter", "type": "yes_no"}]:
            status, body = self.api("POST", "/api/v1/settings/fields", field, self.token)
            self.assertEqual(status, 201, body)
        page = self.page()
        self.sign_in(page)
        self.new_contact(page, "Petter", "Felt")
        page.get_by_text("Change additional information").click()
        page.get_by_label("Licences").fill("12")
        page.get_by_label("Preferred channel").select_option("E-mail")
        page.get_by_label("Wants the newsletter").check()
        page.get_by_role("button", name="Save additional information").click()
        section = page.locator("#additional dl")
        expect(section).to_contain_text("12")
        expect(section).to_contain_text("E-mail")
        expect(section).to_contain_text("yes")

    def test_employee_groups_tree(self):
        page = self.page()
        self.sign_in(page)
        page.goto(self.base + "/settings/groups")
        page.get_by_label("New group").fill("Sales Norway")
        page.get_by_role("button", name="Add group").click()
        page.get_by_label("New group").fill("Sales Bergen")
        page.get_by_label("Under", exact=True).select_option(label="Sales Norway")
        page.get_by_role("button", name="Add group").click()
        nested = page.locator(".tree li", has_text="Sales Norway").locator(".tree li", has_text="Sales Bergen")
        expect(nested).to_be_visible()
        page.goto(self.base + "/settings/processes")
        expect(page.locator("main")).to_contain_text("%")
        page.goto(self.base + "/settings/configuration")
        expect(page.locator("main")).to_contain_text("GDPR")
        # Esc closes an open panel.
        page.goto(self.base + "/contacts")
        self.new_contact(page, "Esc", "Tester")
        page.get_by_text("Choose categories").click()
        expect(page.locator("#categories details")).to_have_attribute("open", "")
        page.keyboard.press("Escape")
        expect(page.locator("#categories details")).not_to_have_attribute("open", "")

    def test_company_card_tabs(self):
        status, body = self.api("POST", "/api/v1/settings/fields", {
            "applies_to": "company", "label": "Fleet size", "type": "number", "own_tab": True}, self.token)
        self.assertEqual(status, 201, body)
        status, company = self.api("POST", "/api/v1/companies", {"name": "Kystlinje Rederi AS"}, self.token)
        self.assertEqual(status, 201, company)
        status, _ = self.api("POST", "/api/v1/contacts", {"first_name": "Oline", "last_name": "Kyst"}, self.token)
        self.assertEqual(status, 201)
        page = self.page()
        self.sign_in(page)
        page.goto(self.base + "/companies/%d" % company["id"])
        # A contact linked from the company's side, with a role.
        page.get_by_label("Contact", exact=True).fill("Oline Kyst")
        page.get_by_label("Title there").fill("Skipper")
        page.get_by_label("Role").select_option(label="General Manager")
        page.get_by_role("button", name="Link", exact=True).click()
        expect(page.locator("#links")).to_contain_text("Oline Kyst")
        expect(page.locator("#links")).to_contain_text("General Manager")
        # A note on the company, in place.
        page.get_by_label("New note").fill("Fleet renewal in 2027")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#notes")).to_contain_text("Fleet renewal in 2027")
        # The custom field that asks for its own tab.
        expect(page.get_by_role("navigation", name="Company").get_by_role("link", name="Fleet size")).to_be_visible()
        page.get_by_text("Change Fleet size").click()
        page.get_by_role("textbox", name="Fleet size").fill("14")
        page.get_by_role("button", name="Save Fleet size").click()
        expect(page.locator("#field-tab-fleet_size")).to_contain_text("14")
        # Bank details and customer settings.
        page.get_by_text("Change bank details and customer settings").click()
        page.get_by_label("Account number").fill("1503.12.34567")
        page.get_by_label("Currency (ISO 4217, like NOK)").fill("nok")
        page.get_by_label("Payment terms (days)").fill("30")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#bank")).to_contain_text("1503.12.34567")
        expect(page.locator("#bank")).to_contain_text("30 days")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "company-card.png"), full_page=True)
        stored = self.api("GET", "/api/v1/companies/%d" % company["id"], None, self.token)[1]
        self.assertEqual(stored["customer_settings"]["currency"], "NOK")
        self.assertEqual(stored["custom_fields"]["fleet_size"], 14)
        # The history, narrowed to links and to a period.
        page.goto(self.base + "/companies/%d" % company["id"])
        page.get_by_label("Show", exact=True).select_option(label="Linked")
        page.get_by_role("button", name="Show history").click()
        expect(page.locator("#history ol")).to_contain_text("Oline Kyst")
        expect(page.locator("#history ol")).not_to_contain_text("created")
        page.get_by_label("From", exact=True).last.fill("2001-01-01")
        page.get_by_label("To", exact=True).last.fill("2001-12-31")
        page.get_by_role("button", name="Show history").click()
        expect(page.locator("#history")).to_contain_text("Nothing in the history for these filters.")
        # The company's own file area.
        page.goto(self.base + "/companies/%d" % company["id"])
        page.get_by_role("link", name="Files").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kystlinje Rederi AS")
        # A note deleted in place; the company deleted, then restored.
        page.goto(self.base + "/companies/%d" % company["id"])
        page.locator("#notes li", has_text="Fleet renewal in 2027").get_by_role("button", name="Delete this note").click()
        expect(page.locator("#notes")).not_to_contain_text("Fleet renewal in 2027")
        page.get_by_role("link", name="Edit").click()
        page.get_by_role("button", name="Delete this company").click()
        page.get_by_role("button", name="Restore Kystlinje Rederi AS").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kystlinje Rederi AS")

    def test_boss_edits_users_groups_processes_and_configuration(self):
        page = self.page()
        self.sign_in(page)
        # A user, with a generated password shown once, and a token made for them.
        page.goto(self.base + "/settings/users")
        page.get_by_label("Username").fill("voip")
        page.locator("#new-user-name").fill("Phone system")
        page.get_by_role("button", name="Add user").click()
        expect(page.locator(".notice")).to_contain_text("voip is ready")
        page.get_by_label("For").select_option(label="Phone system")
        page.get_by_label("Name", exact=True).last.fill("pbx")
        page.get_by_label("telephony:ingest").check()
        page.get_by_role("button", name="Make token").click()
        expect(page.locator("#tokens table")).to_contain_text("Phone system")
        page.get_by_role("button", name="Revoke pbx of Phone system").click()
        expect(page.locator("#tokens")).not_to_contain_text("pbx")
        # A group with a member, and a budget.
        page.goto(self.base + "/settings/groups")
        page.get_by_label("New group").fill("Sales Tromsø")
        page.get_by_label("Kind of group").select_option("sales")
        page.get_by_role("button", name="Add group").click()
        group = page.locator(".tree > li", has_text="Sales Tromsø").first
        group.get_by_text("Change Sales Tromsø").click()
        group.get_by_label("Add member").select_option(label="kari")
        group.get_by_label("Role in the group").fill("leader")
        group.get_by_role("button", name="Add to Sales Tromsø").click()
        expect(page.locator(".tree > li", has_text="Sales Tromsø").first.locator(".members")).to_contain_text("kari")
        page.get_by_label("Sales person").select_option(label="kari")
        page.get_by_label("Period").fill("2027-Q1")
        page.get_by_label("Amount").fill("250000")
        page.get_by_label("Currency").fill("NOK")
        page.get_by_role("button", name="Set budget").click()
        expect(page.locator("table.list")).to_contain_text("2027-Q1")
        page.get_by_label("Period").fill("next spring")
        page.get_by_label("Amount").fill("1")
        page.get_by_role("button", name="Set budget").click()
        expect(page.locator("#budget-error")).to_contain_text("quarter")
        if SCREENSHOTS:
            page.goto(self.base + "/settings/groups")
            page.screenshot(path=os.path.join(SCREENSHOTS, "settings-groups.png"), full_page=True)
        # A process, with a line that cannot be read refused by line.
        page.goto(self.base + "/settings/processes")
        page.get_by_label("Name", exact=True).last.fill("Renewals")
        page.get_by_label("Statuses, one per line: Name; probability; won or lost when final").last.fill(
            "Contacted; 20\nRenewed; 100; won\nChurned; 0; lost")
        page.get_by_role("button", name="Add process").click()
        expect(page.locator("main")).to_contain_text("Renewals")
        processes = self.api("GET", "/api/v1/settings/processes", None, self.token)[1]
        renewals = [p for p in (processes["items"] if isinstance(processes, dict) else processes) if p["name"] == "Renewals"][0]
        self.assertEqual([s["probability"] for s in renewals["statuses"]], [20, 100, 0])
        page.get_by_text("Change Renewals").click()
        page.get_by_label("Statuses, one per line: Name; probability; won or lost when final").first.fill("Contacted twenty")
        page.get_by_role("button", name="Save Renewals").click()
        expect(page.locator(".error").first).to_contain_text("line 1")
        # A custom field made here, with its options, then changed.
        page.goto(self.base + "/settings/fields")
        page.get_by_label("Label", exact=True).fill("Support level")
        page.get_by_label("On", exact=True).select_option("company")
        page.get_by_label("Type").select_option("choice")
        page.get_by_label("Options, one per line (for a list)").fill("Gold\nSilver")
        page.get_by_role("button", name="Add field").click()
        expect(page.locator("main")).to_contain_text("Support level")
        page.get_by_text("Change Support level").click()
        page.get_by_label("Options of Support level, one per line").fill("Gold\nSilver\nBronze")
        page.get_by_role("button", name="Save Support level").click()
        expect(page.locator("main")).to_contain_text("Gold, Silver, Bronze")
        # Configuration: the company list offers industry as free text; cards stop being shared.
        page.goto(self.base + "/settings/configuration")
        page.get_by_label("Offer Industry").check()
        page.get_by_label("Industry as").select_option("text")
        page.get_by_label("Order of Industry").fill("1")
        page.get_by_label("Offer Support level").check()
        page.get_by_label("Support level as").select_option("dropdown")
        page.get_by_role("button", name="Save search filters").click()
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "settings-configuration.png"), full_page=True)
        page.goto(self.base + "/companies")
        expect(page.get_by_role("textbox", name="Industry")).to_be_visible()
        # The custom field as a drop-down filter of the company list.
        status, gold = self.api("POST", "/api/v1/companies", {"name": "Gullkunde AS", "custom_fields": {"support_level": "Gold"}}, self.token)
        self.assertEqual(status, 201, gold)
        page.get_by_label("Support level").select_option("Gold")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("Gullkunde AS")
        expect(page.locator("#results")).not_to_contain_text("Kystlinje")
        self.assertEqual([c["name"] for c in self.api(
            "GET", "/api/v1/companies?custom_field=support_level:gold", None, self.token)[1]["items"]], ["Gullkunde AS"])
        page.goto(self.base + "/settings/configuration")
        page.get_by_label("Every user sees every customer card").uncheck()
        page.get_by_role("button", name="Save visibility").click()
        visibility = self.api("GET", "/api/v1/settings/configuration/visibility", None, self.token)[1]
        self.assertFalse(visibility["shared_customer_cards"], visibility)
        page.get_by_label("Every user sees every customer card").check()
        page.get_by_role("button", name="Save visibility").click()

    def test_csv_import_with_a_mapping(self):
        page = self.page()
        self.sign_in(page)
        self.nav(page, "Import").click()
        page.get_by_label("The file's text").fill("Fornavn;Etternavn;Epost\nAstrid;Mappe;astrid@example.no\n")
        page.get_by_role("button", name="Dry run").click()
        # The dry run shows where each column went; the unknown ones are chosen by hand.
        page.get_by_label("Fornavn").select_option("first_name")
        page.get_by_label("Etternavn").select_option("last_name")
        page.get_by_label("Epost").select_option("email")
        page.get_by_role("button", name="Dry run").click()
        expect(page.locator(".report")).to_contain_text("1 would be created")
        page.get_by_role("button", name="Import for real").click()
        expect(page.locator(".report h2")).to_have_text("Imported")
        found = self.api("GET", "/api/v1/contacts?q=Mappe", None, self.token)[1]["items"]
        self.assertEqual([c["emails"][0]["address"] for c in found], ["astrid@example.no"])

    def test_send_an_email_from_the_card(self):
        page = self.page()
        self.sign_in(page)
        status, contact = self.api("POST", "/api/v1/contacts", {
            "first_name": "Eli", "last_name": "Post", "emails": [{"address": "eli.post@example.no"}]}, self.token)
        self.assertEqual(status, 201, contact)
        page.goto(self.base + "/contacts/%d" % contact["id"])
        page.get_by_text("Send an e-mail").click()
        expect(page.get_by_label("Send to")).to_have_value("eli.post@example.no")
        page.get_by_label("Subject").fill("Velkommen som kunde")
        page.get_by_label("Message").fill("Hei Eli!")
        page.get_by_role("button", name="Send e-mail").click()
        # No mail server in this system: the mail waits in the queue, and the card says so.
        expect(page.locator("#messages")).to_contain_text("Velkommen som kunde")
        expect(page.locator("#messages")).to_contain_text("queued")
        # The Messages page lists it by state, with its Message-ID.
        self.nav(page, "Messages").click()
        page.get_by_label("State").select_option("queued")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("table.list")).to_contain_text("Velkommen som kunde")
        expect(page.locator("table.list code").first).to_contain_text("@")

    def test_sms_consent_and_a_batch_from_a_search(self):
        page = self.page()
        self.sign_in(page)
        status, contact = self.api("POST", "/api/v1/contacts", {
            "first_name": "Solveig", "last_name": "Smsbatch", "phones": [{"number": "+4791239876", "kind": "mobile"}]}, self.token)
        self.assertEqual(status, 201, contact)
        # Notifications learns of the contact from contacts' events.
        probe = {"name": "probe", "text": "x", "contact_ids": [contact["id"]], "purpose": "service"}
        deadline = time.time() + 30
        while self.api("POST", "/api/v1/sms/batches/dry-run", probe, self.token)[1].get("recipients") != 1 and time.time() < deadline:
            time.sleep(0.1)
        page.goto(self.base + "/contacts/%d" % contact["id"])
        page.get_by_text("Send an SMS").click()
        expect(page.get_by_label("Mobile number")).to_have_value("+4791239876")
        page.get_by_label("SMS text").fill("Hei {{first_name}}, pakken er klar.")
        page.get_by_role("button", name="Send SMS").click()
        # No provider in this system: the SMS waits in the queue, and the card says so.
        expect(page.locator("#messages")).to_contain_text("Hei Solveig, pakken er klar.")
        expect(page.locator("#messages")).to_contain_text("queued")
        # Consent with its evidence, on the Campaigns tab.
        campaigns = page.locator("#campaigns")
        campaigns.locator("summary").click()
        campaigns.get_by_label("Channel").select_option("sms")
        campaigns.get_by_label("Purpose").select_option("marketing")
        campaigns.get_by_label("Answer").select_option("true")
        campaigns.get_by_label("How it was given").fill("paper")
        campaigns.get_by_label("Evidence").fill("signed at the fair, box 3")
        campaigns.get_by_role("button", name="Record consent").click()
        expect(page.locator("#campaigns")).to_contain_text("SMS marketing: yes")
        expect(page.locator("#campaigns")).to_contain_text("signed at the fair, box 3")
        # A batch for a search: the dry run first, then a draft, then started.
        self.nav(page, "Contacts").click()
        page.get_by_label("Search contacts").fill("Smsbatch")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="SMS to these").click()
        page.get_by_label("Name").fill("Høstkampanje")
        page.get_by_label("Message").fill("Hei {{first_name}}! 20% denne uka.")
        page.get_by_role("button", name="Check who gets it").click()
        expect(page.locator("#plan")).to_contain_text("Recipients")
        expect(page.locator("#plan dd").first).to_have_text("1")
        page.get_by_role("button", name="Create the batch").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Høstkampanje")
        expect(page.locator("#progress h2")).to_have_text("State: draft")
        page.get_by_role("button", name="Start sending").click()
        expect(page.locator("#progress h2")).to_have_text("State: running")
        expect(page.locator("#progress")).to_have_attribute("data-live", "2")
        page.goto(self.base + "/contacts/%d" % contact["id"])
        expect(page.locator("#campaigns")).to_contain_text("Høstkampanje")
        self.nav(page, "SMS batches").click()
        expect(page.locator("table.list")).to_contain_text("Høstkampanje")

    def test_sales_board_drag_move_and_deal(self):
        page = self.page()
        self.sign_in(page)
        status, company = self.api("POST", "/api/v1/companies", {"name": "Tavla Fisk AS"}, self.token)
        self.assertEqual(status, 201, company)
        # A deal from the company's card (once sales has heard of the company).
        deadline = time.time() + 30
        while self.api("GET", "/api/v1/companies/%d/deals" % company["id"], None, self.token)[0] != 200 and time.time() < deadline:
            time.sleep(0.1)
        page.goto(self.base + "/companies/%d" % company["id"])
        deals = page.locator("#deals")
        deals.locator("summary").click()
        deals.get_by_label("Deal subject").fill("Nye garn")
        deals.get_by_label("Deal value").fill("12 500,50")
        deals.get_by_label("Deal currency").fill("NOK")
        deals.get_by_role("button", name="Create deal").click()
        expect(page.locator("#deals")).to_contain_text("Nye garn")
        expect(page.locator("#deals")).to_contain_text("12\u202f500.50 NOK")
        status, second = self.api("POST", "/api/v1/deals", {"customer_kind": "company", "customer_id": company["id"],
                                                             "subject": "Tau", "value": 100000, "currency": "EUR"}, self.token)
        self.assertEqual(status, 201, second)
        self.nav(page, "Sales").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sales board")
        prospect = page.locator(".column").nth(0)
        offer = page.locator(".column").nth(1)
        card = prospect.locator(".card", has_text="Nye garn")
        expect(card).to_be_visible()
        # Dragged to the next column: the columns' totals follow.
        card.drag_to(offer.locator("h2"), source_position={"x": 3, "y": 3})
        expect(offer.locator(".card", has_text="Nye garn")).to_be_visible()
        expect(offer.locator("[data-projected]")).to_contain_text("12\u202f500.50 NOK")
        expect(page.locator(".column").nth(0).locator("[data-projected]")).not_to_contain_text("NOK")
        # "Move to" without dragging.
        tau = page.locator(".card", has_text="Tau")
        tau.get_by_label("Move to").select_option(label="Offer")
        tau.get_by_role("button", name="Move").click()
        expect(page.locator(".column").nth(1).locator("[data-count]")).to_have_text("2")
        # The deal's page: win it; the stage history shows the way it went.
        page.locator(".card", has_text="Nye garn").get_by_role("link", name="Nye garn").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nye garn")
        page.get_by_role("button", name="Won").click()
        expect(page.locator("main")).to_contain_text("(won)")
        expect(page.locator("#stages")).to_contain_text("Prospect")
        expect(page.locator("#stages")).to_contain_text("Offer")
        page.goto(self.base + "/sales/forecast")
        expect(page.locator("table.list")).to_contain_text("12\u202f500.50 NOK")

    def test_tasks_board_appointment_calendar_and_feed(self):
        page = self.page()
        self.sign_in(page)
        status, company = self.api("POST", "/api/v1/companies", {"name": "Oppgave Fisk AS"}, self.token)
        self.assertEqual(status, 201, company)
        # A task through the API once tasks has heard of the company (events travel in milliseconds).
        deadline = time.time() + 30
        while time.time() < deadline:
            status, seeded = self.api("POST", "/api/v1/tasks", {"title": "Sjekk kreditt", "company_ids": [company["id"]]}, self.token)
            if status == 201:
                break
            time.sleep(0.1)
        self.assertEqual(status, 201, seeded)
        # A task from the card's Tasks tab.
        page.goto(self.base + "/companies/%d" % company["id"])
        tasks = page.locator("#tasks")
        tasks.locator("summary").click()
        tasks.get_by_label("Task title").fill("Ring tilbake om garn")
        tasks.get_by_label("Task due on").fill("2026-12-03")
        tasks.get_by_role("button", name="Create task").click()
        expect(page.locator("#tasks")).to_contain_text("Ring tilbake om garn")
        expect(page.locator("#tasks")).to_contain_text("due 2026-12-03")
        # The board: dragged to In progress, the other moved to Done with its select.
        self.nav(page, "Tasks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
        open_column = page.locator(".column[data-status=open]")
        progress = page.locator(".column[data-status=in_progress]")
        card = open_column.locator(".card", has_text="Ring tilbake om garn")
        expect(card).to_be_visible()
        card.drag_to(progress.locator("h2"), source_position={"x": 3, "y": 3})
        expect(page.locator(".column[data-status=in_progress] .card", has_text="Ring tilbake om garn")).to_be_visible()
        other = page.locator(".card", has_text="Sjekk kreditt")
        other.get_by_label("Move to").select_option(label="Done")
        other.get_by_role("button", name="Move").click()
        expect(page.locator(".column[data-status=done] .card", has_text="Sjekk kreditt")).to_be_visible()
        # An appointment from the card, with a meeting confirmation.
        page.goto(self.base + "/companies/%d" % company["id"])
        page.locator("#appointments").get_by_role("link", name="New appointment").click()
        page.get_by_label("Appointment subject").fill("Garnmøte på Ærøy")
        page.get_by_label("Date").fill("2026-12-09")
        page.get_by_label("Starts at").fill("10:00")
        page.get_by_label("Ends at").fill("11:30")
        page.get_by_label("Place").fill("Bryggen 3")
        page.get_by_label("Other guests' e-mail addresses").fill("kunde@example.no")
        page.get_by_label("Send meeting confirmation on e-mail").check()
        page.get_by_role("button", name="Save appointment").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Garnmøte på Ærøy")
        expect(page.locator("#attendees")).to_contain_text("kunde@example.no")
        expect(page.locator("#attendees")).to_contain_text("needs action")
        expect(page.locator("main")).to_contain_text("Wednesday 9 December 2026 10:00–11:30 (Europe/Oslo)")
        expect(page.locator("main")).not_to_contain_text("Not sent")
        # The calendar's week and month show it.
        page.goto(self.base + "/calendar?date=2026-12-09")
        expect(page.locator("td[data-date='2026-12-09']")).to_contain_text("10:00–11:30 Garnmøte på Ærøy")
        page.get_by_role("link", name="Month").click()
        expect(page.locator("td[data-date='2026-12-09']")).to_contain_text("Garnmøte på Ærøy")
        # My calendar feed: its link serves the appointment without a login.
        page.goto(self.base + "/calendar/feeds")
        page.get_by_role("button", name="Create my calendar feed").click()
        url = page.get_by_label("Calendar address (https)").input_value()
        expect(page.get_by_role("link", name="Subscribe (webcal://)")).to_have_attribute("href", re.compile(r"^webcal://"))
        with urllib.request.urlopen(url) as response:
            self.assertTrue(response.headers["Content-Type"].startswith("text/calendar"))
            self.assertIn("Garnm", response.read().decode())
        if SCREENSHOTS:
            page.goto(self.base + "/tasks/board")
            page.screenshot(path=os.path.join(SCREENSHOTS, "tasks.png"), full_page=True)
            page.goto(self.base + "/calendar?date=2026-12-09")
            page.screenshot(path=os.path.join(SCREENSHOTS, "calendar.png"), full_page=True)

    def test_duplicates_restore_and_export(self):
        for first in ["Gunnar", "Gunnar"]:
            status, body = self.api("POST", "/api/v1/contacts", {
                "first_name": first, "last_name": "Dobbel", "emails": [{"address": "gunnar.dobbel@example.no"}]}, self.token)
            self.assertEqual(status, 201, body)
        status, gone = self.api("POST", "/api/v1/contacts", {"first_name": "Borte", "last_name": "Vekk"}, self.token)
        self.assertEqual(self.api("DELETE", "/api/v1/contacts/%d" % gone["id"], None, self.token)[0], 200)
        page = self.page()
        self.sign_in(page)
        page.get_by_role("link", name="Duplicates").click()
        group = page.locator(".group", has_text="gunnar.dobbel@example.no")
        expect(group).to_be_visible()
        group.get_by_role("button").first.click()
        expect(page).to_have_url(re.compile(r"/contacts/\d+$"))
        self.assertEqual(len(self.api("GET", "/api/v1/contacts?q=Dobbel", None, self.token)[1]["items"]), 1)
        self.nav(page, "Contacts").click()
        page.get_by_role("link", name="Restore deleted").click()
        page.get_by_role("button", name="Restore Borte Vekk").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Borte Vekk")
        # The export link downloads the search as CSV with the session cookie.
        self.nav(page, "Contacts").click()
        page.get_by_label("Search contacts").fill("Borte")
        page.get_by_role("button", name="Search").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Export CSV").click()
        with open(download.value.path(), encoding="utf-8") as exported:
            self.assertIn("Borte", exported.read())

    def test_phone_width_and_accessibility(self):
        axe = Axe()
        for width in [1280, 390]:
            page = self.page(width=width)
            self.sign_in(page)
            card = self.new_contact(page, "Åse", "Lie", "+47 922 33 444")
            status, company = self.api("POST", "/api/v1/companies", {"name": "Breidde AS %d" % width}, self.token)
            self.assertEqual(status, 201, company)
            for path in ["/contacts", "/contacts/new", card.replace(self.base, ""), "/companies", "/companies/new", "/calls",
                         "/calls/unmatched", "/settings", "/settings/categories", "/account",
                         card.replace(self.base, "") + "/edit", "/import", "/contacts/duplicates", "/contacts/deleted",
                         "/gdpr", "/settings/audit", "/settings/fields", card.replace(self.base, "") + "/files",
                         "/settings/categories/1", "/settings/groups", "/settings/processes", "/settings/configuration",
                         "/settings/users", "/companies/%d" % company["id"], "/companies/%d/files" % company["id"],
                         "/companies/deleted", "/companies/duplicates", "/companies/%d/edit" % company["id"], "/messages",
                         "/sms/batches", "/sms/batches/new", "/sales/board", "/sales/forecast", "/tasks/board", "/calendar",
                         "/calendar?view=month", "/appointments/new", "/calendar/feeds"]:
                page.goto(self.base + path)
                results = axe.run(page)
                serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
                self.assertEqual(serious, [], "%s at %d px: %s" % (path, width, json.dumps(serious)[:2000]))
                # Nothing wider than the screen.
                self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), width + 1, path)
            if SCREENSHOTS and width == 390:
                page.goto(self.base + "/contacts")
                page.screenshot(path=os.path.join(SCREENSHOTS, "contacts-phone.png"), full_page=True)
        signin = self.page()
        signin.goto(self.base + "/signin")
        results = axe.run(signin)
        serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        self.assertEqual(serious, [], json.dumps(serious)[:2000])
        if SCREENSHOTS:
            signin.screenshot(path=os.path.join(SCREENSHOTS, "signin.png"))


if __name__ == "__main__":
    unittest.main()
