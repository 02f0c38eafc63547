#!/usr/bin/env bash
# Installs what building and testing need on a Debian machine that already has Swift:
# libzmq3-dev and libsqlite3-dev (with pkg-config), Debian's chromium (the web UI's browser
# tests drive it through Playwright's executable_path; never `playwright install`), Debian's
# radicale (a CalDAV server the tasks service's calendar objects are checked against), iproute2
# (`ip netns`, for the test that puts each process on a "machine" of its own), and the
# Python packages the test clients use.
# Safe to run again: it only installs what is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in libzmq3-dev libsqlite3-dev pkg-config chromium radicale iproute2; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f requirements-test.txt ] && command -v python3 >/dev/null; then
    if ! python3 -c "import zmq, pytest, openapi_spec_validator, vobject, schemathesis, playwright, axe_playwright_python, aiosmtpd, icalendar, recurring_ical_events, prometheus_client" >/dev/null 2>&1; then
        python3 -m pip install -q -r requirements-test.txt
    fi
fi
