#!/usr/bin/env python3
"""Largest Contentful Paint of the web UI's main pages, and how soon search-as-you-type paints
its results after a keystroke, in Debian's headless chromium on loopback (for crm-bench
customers --only ui). Usage: ui-lcp.py BASE USERNAME PASSWORD CONTACT_ID TERM..."""

import statistics
import sys

from playwright.sync_api import sync_playwright

LCP = """() => new Promise(resolve => {
  new PerformanceObserver(list => { const all = list.getEntries(); resolve(all[all.length - 1].startTime); })
    .observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(-1), 3000);
})"""

# Marks the moment the results list changes after a keystroke, in the page's own clock.
WATCH = """() => { window.__painted = null; new MutationObserver(() => { window.__painted = performance.now(); })
  .observe(document.getElementById('results'), {childList: true, subtree: true}); }"""


def main():
    base, username, password, contact = sys.argv[1:5]
    terms = sys.argv[5:] or ["sen"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(base + "/signin")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/contacts")
        print("Largest Contentful Paint in chromium %s (loopback, 5 loads each):" % browser.version)
        for name, path in [("contact list", "/contacts"), ("search", "/contacts?q=" + terms[0]),
                           ("contact card", "/contacts/" + contact), ("company list", "/companies")]:
            times = []
            for _ in range(5):
                page.goto(base + path, wait_until="load")
                times.append(page.evaluate(LCP))
            print("  %-14s LCP median %6.1f ms, worst %6.1f ms" % (name, statistics.median(times), max(times)))
        delays = []
        for term in terms * 3:
            page.goto(base + "/contacts")
            page.evaluate(WATCH)
            page.focus("#q")
            page.keyboard.type(term, delay=0)
            typed = page.evaluate("performance.now()")
            # Polled (the page's CSP forbids the eval behind wait_for_function), then a settle of 50 ms
            # for the last of several swaps.
            for _ in range(400):
                if page.evaluate("() => window.__painted !== null"):
                    break
                page.wait_for_timeout(5)
            page.wait_for_timeout(50)
            painted = page.evaluate("window.__painted")
            delays.append(painted - typed)
        delays.sort()
        print("  search as you type: results painted %.1f ms (median), %.1f ms (worst) after the last keystroke (60 ms of it the script's pause for more typing)"
              % (statistics.median(delays), delays[-1]))
        browser.close()


if __name__ == "__main__":
    main()
