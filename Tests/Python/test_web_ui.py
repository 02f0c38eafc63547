"""The web UI in a real browser: Debian's chromium driven by Playwright for Python through
`executable_path` (never `playwright install`), with JavaScript on and off, and axe-core for
accessibility (axe-playwright-python). The whole system runs as real processes on free ports."""

import json
import os
import re
import subprocess
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
        cls.processes = {}
        for name in ["bus", "settings", "contacts", "telephony", "gateway"]:
            log = open(os.path.join(cls.folder, name + ".log"), "w")
            cls.processes[name] = subprocess.Popen([os.path.join(BIN, name)], env=env, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if cls.api("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
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

    def sign_in(self, page, username="admin", password=PASSWORD):
        page.goto(self.base + "/")
        expect(page).to_have_url(re.compile(r"/signin"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/contacts$"))

    def new_contact(self, page, first, last, phone=""):
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
        page.get_by_role("link", name="Ragnhild Ødegård").click()
        expect(page).to_have_url(card)
        page.get_by_label("New note").fill("Only for admin's eyes")
        page.get_by_label("Private (only you see it)").check()
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#notes")).to_contain_text("Only for admin's eyes")
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
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/signin$"))

    def test_phone_width_and_accessibility(self):
        axe = Axe()
        for width in [1280, 390]:
            page = self.page(width=width)
            self.sign_in(page)
            card = self.new_contact(page, "Åse", "Lie", "+47 922 33 444")
            for path in ["/contacts", "/contacts/new", card.replace(self.base, "")]:
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
