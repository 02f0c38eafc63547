#!/usr/bin/env python3
"""The sales board, a move and the forecast through HTTP at 100,000 and 1,000,000 deals (issue
17's benchmark). Not a test: it prints numbers.

`scripts/sales-bench.py [COUNTS] [REQUESTS] [BIN]` (COUNTS comma-separated, default
100000,1000000; REQUESTS per measure, default 200; BIN the release build). The whole system runs
on free ports; 20 sales people own the customers and the deals, in 3 currencies. The deals are
written into sales' database while sales is stopped (as a restore would leave them: deals, their
first stage, the board's and the forecast's kept sums), then sales starts again and everything
is asked through the gateway with one keep-alive connection. The baseline, measured in the same
run and alternating with each measure: a plain GROUP BY of the same rows with Python's sqlite3
on the same file (the board's column sums; the forecast's months).
"""

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

PASSWORD = "sales-bench-password"
OWNERS = 20
CURRENCIES = ["NOK", "EUR", "SEK"]


def seed(path, count, owners, process):
    """Writes `count` deals (and their customers, stages and kept sums) into sales' database."""
    opens = [s for s in process["statuses"] if s.get("final") is None]
    won = next(s for s in process["statuses"] if s.get("final") == "won")
    lost = next(s for s in process["statuses"] if s.get("final") == "lost")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    rng = random.Random(17)
    customers = max(1, count // 4)
    start = time.perf_counter()
    with db:
        db.executemany("INSERT OR IGNORE INTO customer (kind, id, name, owner_id, deleted) VALUES ('company', ?, ?, ?, 0)",
                       ((c, "Customer %d" % c, owners[c % OWNERS]) for c in range(1, customers + 1)))
        now = "2026-11-27 10:00:00.000"

        def rows():
            for n in range(count):
                customer = rng.randint(1, customers)
                roll = rng.random()
                status = won if roll < 0.15 else lost if roll < 0.30 else opens[n % len(opens)]
                outcome = "won" if status is won else "lost" if status is lost else "open"
                value = rng.randint(1_000, 10_000_000)
                probability = 100 if outcome == "won" else 0 if outcome == "lost" else status["probability"]
                month = rng.randint(0, 23)
                day = "%04d-%02d-%02d" % (2026 + month // 12, month % 12 + 1, rng.randint(1, 28))
                yield (customer, "Customer %d" % customer, owners[customer % OWNERS], process["id"], owners[n % OWNERS],
                       "Deal %d" % n, status["id"], status["name"], outcome, value, CURRENCIES[n % 3], probability,
                       "won" if outcome == "won" else "lost" if outcome == "lost" else "status", value * probability // 100,
                       day if outcome == "open" else None, day if outcome != "open" else None,
                       value if outcome == "won" else None, float(n + 1) * 1024, now, now)
        db.executemany(
            """INSERT INTO deal (customer_kind, customer_id, customer_name, customer_owner_id, project_id, process_id, owner_id,
                   subject, status_id, status_name, outcome, value, currency, probability, probability_source, weighted,
                   expected_close, closed_on, actual_value, position, version, created_at, updated_at)
               VALUES ('company', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""", rows())
        db.execute("""INSERT INTO deal_stage (deal_id, status_id, status_name, process_id, project_id, entered_at)
                      SELECT id, status_id, status_name, process_id, project_id, created_at FROM deal""")
        db.execute("DELETE FROM deal_total")
        db.execute("""INSERT INTO deal_total (project_id, outcome, status_id, owner_key, currency, count, projected, weighted, actual)
                      SELECT project_id, outcome, status_id, COALESCE(customer_owner_id, 0), currency, COUNT(*), SUM(value),
                          SUM(weighted), SUM(COALESCE(actual_value, 0))
                      FROM deal WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5""")
        db.execute("DELETE FROM forecast_total")
        db.execute("""INSERT INTO forecast_total (project_id, month, owner_key, currency, open_count, projected, weighted,
                          won_count, won)
                      SELECT project_id, substr(CASE outcome WHEN 'open' THEN expected_close ELSE closed_on END, 1, 7),
                          COALESCE(owner_id, 0), currency, SUM(outcome = 'open'), SUM(CASE outcome WHEN 'open' THEN value ELSE 0 END),
                          SUM(CASE outcome WHEN 'open' THEN weighted ELSE 0 END), SUM(outcome = 'won'),
                          SUM(CASE outcome WHEN 'won' THEN COALESCE(actual_value, value) ELSE 0 END)
                      FROM deal WHERE deleted_at IS NULL AND (outcome = 'open' AND expected_close IS NOT NULL
                          OR outcome = 'won' AND closed_on IS NOT NULL) GROUP BY 1, 2, 3, 4""")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - start


def group_by_board(path):
    """The baseline: the board's column sums as one plain GROUP BY over the deals."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    start = time.perf_counter()
    db.execute("""SELECT status_id, currency, COUNT(*), SUM(value), SUM(weighted) FROM deal
                  WHERE project_id = 1 AND outcome = 'open' AND deleted_at IS NULL GROUP BY status_id, currency""").fetchall()
    took = time.perf_counter() - start
    db.close()
    return took


def group_by_forecast(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    start = time.perf_counter()
    db.execute("""SELECT substr(expected_close, 1, 7), owner_id, currency, SUM(value), SUM(weighted) FROM deal
                  WHERE project_id = 1 AND outcome = 'open' AND deleted_at IS NULL GROUP BY 1, 2, 3""").fetchall()
    took = time.perf_counter() - start
    db.close()
    return took


def measure(count, requests, bin_dir):
    folder = tempfile.mkdtemp(prefix="crm-salesbench-")
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
            status, user = client.call("POST", "/api/v1/users", {"username": "seller%02d" % n, "password": "seller-password-%02d" % n})
            owners.append(user["user"]["id"])
        process = next(p for p in client.call("GET", "/api/v1/settings/processes")[1] if p["is_default"])
        # Sales has heard of the users and the process before it is stopped.
        deadline = time.time() + 30
        while client.call("GET", "/api/v1/sales/board")[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        crmsystem.stop(processes["sales"])
        path = os.path.join(folder, "sales", "sales.sqlite")
        seeded = seed(path, count, owners, process)
        log = open(os.path.join(folder, "sales.log"), "a")
        processes["sales"] = subprocess.Popen([os.path.join(bin_dir, "sales")], env=env, stdout=log, stderr=log)
        client = Client(base, client.token)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if client.call("GET", "/api/v1/sales/board?limit=1")[0] == 200:
                    break
            except OSError:
                client = Client(base, client.token)
            time.sleep(0.2)
        print("%d deals written in %.1f s" % (count, seeded), flush=True)
        opens = [s["id"] for s in process["statuses"] if s.get("final") is None]
        rng = random.Random(3)
        versions = {}
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        movable = [row[0] for row in db.execute(
            "SELECT id FROM deal WHERE outcome = 'open' ORDER BY random() LIMIT ?", (requests * 2,))]
        db.close()
        results = {}
        measures = [
            ("board", lambda: client.call("GET", "/api/v1/sales/board?project_id=1")),
            ("board, one owner's customers", lambda: client.call("GET", "/api/v1/sales/board?project_id=1&owner_ids=%d" % owners[3])),
            ("board, a month's deals (counted)", lambda: client.call(
                "GET", "/api/v1/sales/board?project_id=1&period_from=2026-12-01&period_to=2026-12-31")),
            ("move", None),
            ("forecast by month", lambda: client.call("GET", "/api/v1/sales/forecast?project_id=1")),
            ("forecast by quarter", lambda: client.call("GET", "/api/v1/sales/forecast?project_id=1&by=quarter")),
        ]
        for round_ in range(2):
            for name, ask in measures:
                samples = []
                for n in range(requests // 2):
                    if name == "move":
                        deal = movable[(round_ * requests // 2 + n) % len(movable)]
                        version = versions.get(deal, 1)
                        body = {"version": version, "status_id": opens[(version + rng.randint(0, 1)) % len(opens)]}
                        start = time.perf_counter()
                        status, answer = client.call("POST", "/api/v1/deals/%d/move" % deal, body)
                        samples.append(time.perf_counter() - start)
                        assert status == 200, (status, answer)
                        versions[deal] = answer["deal"]["version"]
                    else:
                        start = time.perf_counter()
                        status, answer = ask()
                        samples.append(time.perf_counter() - start)
                        assert status == 200, (name, status, answer)
                results.setdefault(name, []).extend(samples)
                baseline = "forecast" if name.startswith("forecast") else "board"
                results.setdefault("GROUP BY for the " + baseline, []).extend(
                    (group_by_forecast if baseline == "forecast" else group_by_board)(path) for _ in range(5))
        print("%d deals:" % count)
        for name, samples in results.items():
            p50, p99 = percentiles(samples)
            print("  %-40s p50 %8.2f ms   p99 %8.2f ms   (%d)" % (name, p50, p99, len(samples)), flush=True)
        board = statistics.median(results["board"])
        print("  board p50 / GROUP BY p50: %.2f; forecast p50 / GROUP BY p50: %.2f" % (
            board / statistics.median(results["GROUP BY for the board"]),
            statistics.median(results["forecast by month"]) / statistics.median(results["GROUP BY for the forecast"])), flush=True)
    finally:
        for process in reversed(list(processes.values())):
            crmsystem.stop(process)


def main():
    counts = [int(c) for c in (sys.argv[1] if len(sys.argv) > 1 else "100000,1000000").split(",")]
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    bin_dir = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, ".build", "release"))
    for count in counts:
        measure(count, requests, bin_dir)


if __name__ == "__main__":
    main()
