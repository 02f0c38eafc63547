"""Backup and restore (issue 20, point 4): `crm backup DIR` while the system runs and takes writes,
`crm restore DIR` into a fresh folder, and a system started from it has every write acknowledged
before the backup began; its services catch up with each other (a contact made after the restore
is matched by telephony, whose copy knew nothing of it)."""

import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from test_sales import BIN, System


class BackupTest(unittest.TestCase):
    PASSWORD = "backup-admin-password"

    def test_backup_under_write_load_and_restore_into_a_fresh_folder(self):
        system = System("crm-backup-", self.PASSWORD)
        backup = os.path.join(tempfile.mkdtemp(prefix="crm-backup-copy-"), "copy")
        fresh = tempfile.mkdtemp(prefix="crm-backup-restored-")
        acknowledged = []  # (kind, id, name, acknowledged at)
        stop = threading.Event()

        def write():
            n = 0
            while not stop.is_set():
                n += 1
                status, contact = system.api("POST", "/api/v1/contacts", {
                    "first_name": "Backup", "last_name": "Person%05d" % n,
                    "phones": [{"number": "+47 9%07d" % n, "kind": "mobile"}]})
                if status == 201:
                    acknowledged.append(("contacts", contact["id"], contact["last_name"], time.time()))
                status, task = system.api("POST", "/api/v1/tasks", {"title": "Backup task %05d" % n})
                if status == 201:
                    acknowledged.append(("tasks", task["id"], task["title"], time.time()))

        writer = threading.Thread(target=write)
        try:
            writer.start()
            time.sleep(1.5)
            began = time.time()
            out = subprocess.run([os.path.join(BIN, "crm"), "backup", backup, "--data-dir", system.folder],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
            time.sleep(0.5)
        finally:
            stop.set()
            writer.join()
            system.stop()
        self.assertIn("contacts:", out.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o700)
        before = [a for a in acknowledged if a[3] < began]
        after = [a for a in acknowledged if a[3] >= began]
        self.assertGreater(len(before), 10)
        self.assertGreater(len(after), 0, "no write during the backup: the test would prove nothing")

        out = subprocess.run([os.path.join(BIN, "crm"), "restore", backup, "--data-dir", fresh],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        again = subprocess.run([os.path.join(BIN, "crm"), "restore", backup, "--data-dir", fresh],
                               capture_output=True, text=True, timeout=60)
        self.assertNotEqual(again.returncode, 0, "a restore over a data folder with databases must be refused")

        restored = System("crm-backup-run-", self.PASSWORD, CRM_DATA_DIR=fresh)
        try:
            for kind, ident, name, _ in before:
                status, body = restored.api("GET", "/api/v1/%s/%d" % (kind, ident))
                self.assertEqual(status, 200, (kind, ident, body))
                self.assertEqual(body["last_name" if kind == "contacts" else "title"], name)
            # Services catch up: a contact made now reaches telephony, which matches a call to it.
            status, contact = restored.api("POST", "/api/v1/contacts", {
                "first_name": "After", "last_name": "Restore", "phones": [{"number": "+47 411 99 000", "kind": "mobile"}]})
            self.assertEqual(status, 201, contact)

            def matched():
                restored.api("POST", "/api/v1/telephony/events", {
                    "event_id": "after-restore-%d" % int(time.time() * 10), "call_id": "after-restore-%d" % int(time.time() * 10),
                    "type": "completed", "direction": "inbound", "from": "+47 411 99 000", "to": "+47 22 00 00 00",
                    "at": "2026-11-28T08:00:00Z", "duration": 30, "billsec": 20})
                status, calls = restored.api("GET", "/api/v1/contacts/%d/calls" % contact["id"])
                return status == 200 and calls.get("items")
            restored.wait("a call matched to the contact made after the restore", matched, seconds=30)
        finally:
            restored.stop()
            shutil.rmtree(os.path.dirname(backup), ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
