#!/usr/bin/env python3
"""Tasks through HTTP at 1,000,000 tasks over 50 owners, and a calendar feed of 5,000
occurrences with recurrences (issue 18's benchmark). Not a test: it prints numbers.

`scripts/tasks-bench.py [COUNT] [REQUESTS] [BIN]` (COUNT default 1000000; REQUESTS per measure,
default 200; BIN the release build). The whole system runs on free ports. The tasks (each linked
to one of COUNT/10 companies, spread over the four statuses, due over two years) are written into
the tasks service's database while it is stopped, as a restore would leave them; so are one
user's 600 appointments (400 weekly series of 12 and 200 single ones: 5,000 occurrences), and two users' 100 daily series without an end, begun in
1970 for one and in November 2026 for the other (a week of either calendar is 700 occurrences;
the second is the first's baseline: how old a series is must not cost). Then
everything is asked through the gateway on one keep-alive connection. The baseline, measured in
the same run and alternating with each measure: the same rows read by a plain indexed query with
Python's sqlite3 on the same file.
"""

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Python"))
import crmkeys  # noqa: E402
import crmsystem  # noqa: E402
from benchhttp import Client, percentiles  # noqa: E402

PASSWORD = "tasks-bench-password"
OWNERS = 50
STATUSES = ["open", "in_progress", "done", "cancelled"]


def seed(path, count, owners, feed_user, calendar_users):
    """`count` tasks with their links and customers, the feed user's appointments, and 100 daily
    series without an end for each of the two calendar users: begun in January 1970 for the
    first, in November 2026 for the second (the age of a series must not cost a calendar)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    rng = random.Random(18)
    companies = max(1, count // 10)
    start = time.perf_counter()
    now = "2026-11-27 10:00:00.000"
    with db:
        db.executemany("INSERT OR IGNORE INTO customer (kind, id, name, owner_id, deleted) VALUES ('company', ?, ?, ?, 0)",
                       ((c, "Company %d" % c, owners[c % OWNERS]) for c in range(1, companies + 1)))

        def tasks():
            for n in range(count):
                day = rng.randint(0, 729)
                due = 1_767_225_600 + day * 86_400  # from 2026-01-01
                status = STATUSES[0 if rng.random() < 0.5 else 1 if rng.random() < 0.4 else 2 if rng.random() < 0.8 else 3]
                yield ("Task %d" % n, status, owners[n % OWNERS], "normal", time.strftime("%Y-%m-%d", time.gmtime(due)), float(due),
                       "manual", float(n + 1) * 1024, now, now)
        db.executemany(
            """INSERT INTO task (title, status, owner_id, priority, due_date, due_sort, origin, position, version, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""", tasks())
        db.execute("INSERT INTO task_link (task_id, kind, target_id) SELECT id, 'company', (id * 7919) % ? + 1 FROM task",
                   (companies,))
        # The feed user's appointments: 400 weekly series of 12, 200 single ones, Europe/Oslo.
        rows = []
        for n in range(600):
            first = 1_796_112_000 + (n % 120) * 86_400 + (n % 9) * 3600  # from 2026-12-01
            recurring = n < 400
            weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][((first // 86_400) + 3) % 7]
            rule = json.dumps({"frequency": "weekly", "by_day": [weekday], "count": 12}) if recurring else None
            series_end = first + 11 * 7 * 86_400 + 3600 if recurring else first + 3600
            rows.append(("bench-%d@crm" % n, "Meeting %d with Åse Ødegård" % n, "Bryggen %d" % n,
                         time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(first)),
                         time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(first + 3600)), rule, feed_user, float(first),
                         float(series_end), now, now))
        daily = json.dumps({"frequency": "daily"})
        for user, begun in zip(calendar_users, (0, 1_793_491_200)):  # 1970-01-01, 2026-11-01
            for n in range(100):
                first = begun + n * 1800
                rows.append(("daily-%d-%d@crm" % (user, n), "Stand-up %d" % n, None,
                             time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(first)),
                             time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(first + 900)), daily, user, float(first), None, now,
                             now))
        db.executemany(
            """INSERT INTO appointment (uid, sequence, subject, place, status, all_day, start_at, end_at, zone, recurrence,
                   organizer_id, first_start, series_end, version, created_at, updated_at)
               VALUES (?, 0, ?, ?, 'confirmed', 0, ?, ?, 'Europe/Oslo', ?, ?, ?, ?, 1, ?, ?)""", rows)
        db.execute("INSERT INTO appointment_user (user_id, appointment_id) SELECT organizer_id, id FROM appointment")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - start


def baseline(path, sql, arguments):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    start = time.perf_counter()
    db.execute(sql, arguments).fetchall()
    took = time.perf_counter() - start
    db.close()
    return took


PLAIN = {
    "page": ("""SELECT * FROM task WHERE owner_id = ? AND status = 'open' AND deleted_at IS NULL ORDER BY due_sort, id LIMIT 50""",),
    "tab": ("""SELECT task.* FROM task_link JOIN task ON task.id = task_link.task_id WHERE task_link.kind = 'company'
               AND task_link.target_id = ? AND task.status IN ('open', 'in_progress') AND task.deleted_at IS NULL
               ORDER BY task.due_sort, task.id LIMIT 50""",),
    "board": ("""SELECT * FROM task WHERE owner_id = ? AND status = 'open' AND deleted_at IS NULL ORDER BY position, id LIMIT 30""",),
    "feed": ("""SELECT appointment.* FROM appointment_user JOIN appointment ON appointment.id = appointment_user.appointment_id
                WHERE appointment_user.user_id = ? AND appointment.status = 'confirmed'""",),
}
PLAIN["calendar"] = PLAIN["feed"]


def measure(count, requests, bin_dir):
    folder = tempfile.mkdtemp(prefix="crm-tasksbench-")
    env, ports = crmsystem.environment(folder, PASSWORD)
    base = "http://127.0.0.1:%d" % ports[3]
    crmkeys.init(folder)
    processes = crmsystem.start(folder, env, bin_dir, base)
    try:
        client = Client(base)
        status, login = client.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        client.token = login["token"]
        owners = []
        for n in range(OWNERS):
            status, user = client.call("POST", "/api/v1/users", {"username": "worker%02d" % n, "password": "worker-password-%02d" % n})
            owners.append(user["user"]["id"])
        # Tasks has heard of the users before it is stopped.
        deadline = time.time() + 30
        while time.time() < deadline:
            status, board = client.call("GET", "/api/v1/tasks/board?owner_ids=%d" % owners[-1])
            if status == 200:
                break
            time.sleep(0.2)
        time.sleep(1)
        crmsystem.stop(processes["tasks"])
        path = os.path.join(folder, "tasks", "tasks.sqlite")
        feed_user = owners[0]
        calendar_users = (owners[1], owners[2])
        seeded = seed(path, count, owners, feed_user, calendar_users)
        log = open(os.path.join(folder, "tasks.log"), "a")
        processes["tasks"] = subprocess.Popen([os.path.join(bin_dir, "tasks")], env=env, stdout=log, stderr=log)
        client = Client(base, client.token)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if client.call("GET", "/api/v1/tasks?limit=1")[0] == 200:
                    break
            except OSError:
                client = Client(base, client.token)
            time.sleep(0.2)
        print("%d tasks and 800 appointments written in %.1f s" % (count, seeded), flush=True)
        # The feed user's token (a user's own feed; the admin makes one as that user by signing in).
        worker = Client(base)
        status, signed = worker.call("POST", "/api/v1/auth/login", {"username": "worker00", "password": "worker-password-00"})
        worker.token = signed["token"]
        status, feed = worker.call("POST", "/api/v1/calendar/feeds", {})
        assert status == 201, (status, feed)
        feed_path = "/api/v1/feeds/" + feed["token"]
        status, text = client.call("GET", feed_path, raw=True)
        events = text.count(b"BEGIN:VEVENT")
        companies = max(1, count // 10)
        rng = random.Random(4)
        measures = [
            ("a task page by owner and status (50)", "page",
             lambda o: client.call("GET", "/api/v1/tasks?owner_ids=%d&statuses=open&limit=50" % o), lambda o: (o,)),
            ("the card's tab (a company's open tasks)", "tab",
             lambda c: client.call("GET", "/api/v1/companies/%d/tasks" % c), lambda c: (c,)),
            ("the board (an owner's 4 columns, counts, 30 cards each)", "board",
             lambda o: client.call("GET", "/api/v1/tasks/board?owner_ids=%d&closed=true" % o), lambda o: (o,)),
            ("the feed (600 events, 5,000 occurrences)", "feed",
             lambda _: client.call("GET", feed_path, raw=True), lambda _: (feed_user,)),
        ] + [
            # A week of 100 daily series: 700 occurrences, expanded on the server.
            ("a week's calendar of 100 daily series begun in %s" % begun, "calendar",
             lambda _, user=user: client.call("GET", "/api/v1/calendar?user_ids=%d&from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z"
                                              % user), lambda _, user=user: (user,))
            for user, begun in zip(calendar_users, ("1970", "2026"))
        ]
        results = {}
        for round_ in range(2):
            for name, plain, ask, arguments in measures:
                samples, base_samples = [], []
                for n in range(requests // 2):
                    key = rng.randint(1, companies) if plain == "tab" else owners[rng.randint(0, OWNERS - 1)]
                    start = time.perf_counter()
                    status, answer = ask(key)
                    samples.append(time.perf_counter() - start)
                    assert status == 200, (name, status, answer if plain != "feed" else answer[:200])
                    if n % 4 == 0:
                        base_samples.append(baseline(path, PLAIN[plain][0], arguments(key)))
                results.setdefault(name, []).extend(samples)
                results.setdefault("baseline: " + plain + (" " + name[-4:] if plain == "calendar" else ""), []).extend(base_samples)
        print("%d tasks over %d owners; the feed has %d events (%d bytes):" % (count, OWNERS, events, len(text)))
        for name, samples in results.items():
            p50, p99 = percentiles(samples)
            print("  %-58s p50 %8.2f ms   p99 %8.2f ms   (%d)" % (name, p50, p99, len(samples)), flush=True)
        print("  ratios (p50 through HTTP / p50 plain query): " + ", ".join(
            "%s %.1f" % (plain + (" " + name[-4:] if plain == "calendar" else ""), statistics.median(results[name])
                         / statistics.median(results["baseline: " + plain + (" " + name[-4:] if plain == "calendar" else "")]))
            for name, plain, _, _ in measures), flush=True)
        old, new = (statistics.median(results[name]) for name, plain, _, _ in measures if plain == "calendar")
        print("  the calendar of series begun in 1970 against the same begun in 2026 (p50): %.2f" % (old / new), flush=True)
    finally:
        for process in reversed(list(processes.values())):
            crmsystem.stop(process)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    bin_dir = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, ".build", "release"))
    measure(count, requests, bin_dir)


if __name__ == "__main__":
    main()
