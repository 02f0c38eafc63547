#!/usr/bin/env python3
"""SMS batches and receipts (issue 16's benchmark, SMS part). Not a test: it prints numbers.

On the real processes (release build) with the provider simulator (scripts/sms-simulator.py):
  1. the snapshot: a batch of N recipients created through the API (dry run, then create), against
     the same number of rows inserted by Python's sqlite3 in one transaction (the floor of
     writing that many rows on this machine, measured in the same run);
  2. pacing: the batch sent to a simulator limited to R messages/s with CRM_SMS_RATE=R, for R =
     100 and 1,000: the rate the simulator took, as a share of R, and the notifications process's
     CPU time per message (from /proc);
  3. delivery receipts per second through the gateway (sent by `crm-bench http-load`, 16
     connections; SMSBENCH_CLIENT=python for the earlier 16 Python processes) (Twilio status callbacks, each one a
     committed state change), against GET /healthz with the same client (the HTTP floor) and
     GET /api/v1/messages/{id} (the floor of a request that crosses the bus to notifications).

    python3 scripts/sms-bench.py [N] [SECONDS] [BIN]     (defaults: 100000 20 .build/release)
"""
import http.client
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Python"))
import crmkeys  # noqa: E402
import crmsystem  # noqa: E402

SIMULATOR = os.path.join(ROOT, "scripts", "sms-simulator.py")
PASSWORD = "sms-bench-password"


def api(base, token, method, path, body=None, timeout=600):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def simulator(folder, limit):
    port_file = os.path.join(folder, "sim-%d.port" % limit)
    process = subprocess.Popen([sys.executable, SIMULATOR, "--port-file", port_file, "--limit", str(limit), "--latency-ms", "5..20"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(port_file):
        time.sleep(0.05)
    with open(port_file) as f:
        return process, "http://127.0.0.1:%s" % f.read().strip()


def stats(provider):
    with urllib.request.urlopen(provider + "/_stats", timeout=30) as response:
        return json.loads(response.read())


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sqlite_floor(n):
    """N message-like rows inserted in one transaction by Python's sqlite3 (WAL, synchronous=NORMAL)."""
    folder = tempfile.mkdtemp(prefix="sms-floor-")
    db = sqlite3.connect(os.path.join(folder, "floor.sqlite"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, batch INTEGER, number TEXT, text TEXT, contact INTEGER, ref TEXT, at TEXT)")
    db.execute("CREATE UNIQUE INDEX m_batch_number ON m(batch, number)")
    start = time.perf_counter()
    with db:
        db.executemany("INSERT INTO m (batch, number, text, contact, ref, at) VALUES (1, ?, ?, ?, ?, ?)",
                       (("+4795%06d" % i, "Hei Person, velkommen!", i, "%032x" % i, "2026-11-27 10:00:00.000") for i in range(n)))
    return time.perf_counter() - start


def post_receipts(args):
    """One client process: its share of receipts (or GETs) on one keep-alive connection."""
    host, port, token, jobs, kind = args
    connection = http.client.HTTPConnection(host, port, timeout=60)
    ok = 0
    for message_id, provider_id in jobs:
        if kind == "health":
            connection.request("GET", "/healthz")
        elif kind == "read":
            connection.request("GET", "/api/v1/messages/%d" % message_id, headers={"Authorization": "Bearer " + token})
        else:
            body = urllib.parse.urlencode({"MessageSid": provider_id, "MessageStatus": "delivered"})
            connection.request("POST", "/api/v1/notifications/twilio/status?message=%d" % message_id, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer " + token})
        response = connection.getresponse()
        response.read()
        ok += response.status == 200
    return ok


def fan_out(base, token, jobs, kind, workers=16, bench=None):
    """The jobs through 16 keep-alive connections: by `crm-bench http-load` (threads of a small
    HTTP client; the default), or by 16 Python processes (SMSBENCH_CLIENT=python), whose own CPU
    took a quarter of this machine. Answers (answered 200, seconds)."""
    parts = urllib.parse.urlsplit(base)
    if bench and os.environ.get("SMSBENCH_CLIENT") != "python":
        with tempfile.NamedTemporaryFile("w", suffix=".requests", delete=False) as f:
            for message_id, provider_id in jobs:
                if kind == "health":
                    f.write("GET\t/healthz\n")
                elif kind == "read":
                    f.write("GET\t/api/v1/messages/%d\n" % message_id)
                else:
                    body = urllib.parse.urlencode({"MessageSid": provider_id, "MessageStatus": "delivered"})
                    f.write("POST\t/api/v1/notifications/twilio/status?message=%d\tapplication/x-www-form-urlencoded\t%s\n"
                            % (message_id, body))
        output = subprocess.run([bench, "http-load", "--port", str(parts.port), "--token", token, "--connections", str(workers),
                                 f.name], capture_output=True, text=True, check=True).stdout
        os.unlink(f.name)
        result = json.loads(output)
        return result["ok"], result["seconds"]
    slices = [(parts.hostname, parts.port, token, jobs[i::workers], kind) for i in range(workers)]
    start = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        ok = sum(pool.map(post_receipts, slices))
    return ok, time.perf_counter() - start


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    bin_dir = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, ".build", "release"))
    folder = tempfile.mkdtemp(prefix="crm-smsbench-")
    env, ports = crmsystem.environment(folder, PASSWORD, CRM_BCRYPT_COST="4")
    base = "http://127.0.0.1:%d" % ports[3]
    sim, provider = simulator(folder, 100)
    env.update({"CRM_SMS_PROVIDER": "twilio", "CRM_TWILIO_API_URL": provider, "CRM_TWILIO_ACCOUNT_SID": "ACsimulator",
                "CRM_TWILIO_AUTH_TOKEN": "simulator-token", "CRM_SMS_RATE": "100", "CRM_SMS_FROM": "+4740000000"})
    crmkeys.init(folder)
    processes = crmsystem.start(folder, env, bin_dir, base)
    results = []
    try:
        token = api(base, None, "POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        start = time.perf_counter()
        for first in range(0, count, 25_000):
            rows = ["first_name,last_name,mobile"] + ["Person,Nr%d,+4795%06d" % (n, n) for n in range(first, min(count, first + 25_000))]
            status, report = api(base, token, "POST", "/api/v1/contacts/import", {"csv": "\n".join(rows) + "\n"})
            assert status == 200 and report["created"] > 0, (status, report)
        print("imported %d contacts in %.1f s" % (count, time.perf_counter() - start), flush=True)
        ids, cursor = [], None
        while True:
            page = api(base, token, "GET", "/api/v1/contacts?limit=200" + ("&cursor=" + cursor if cursor else ""))[1]
            ids += [c["id"] for c in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        request = {"name": "Bench", "text": "Hei {{name}}, velkommen!", "contact_ids": ids, "purpose": "service"}
        while api(base, token, "POST", "/api/v1/sms/batches/dry-run", request)[1].get("recipients") != count:
            time.sleep(1)
        floor = sqlite_floor(count)
        for rate in [100, 1000]:
            if rate != 100:
                crmsystem.stop(processes["notifications"])
                crmsystem.stop(sim, grace=5)
                sim, provider = simulator(folder, rate)
                env.update({"CRM_TWILIO_API_URL": provider, "CRM_SMS_RATE": str(rate)})
                log = open(os.path.join(folder, "notifications.log"), "a")
                processes["notifications"] = subprocess.Popen([os.path.join(bin_dir, "notifications")], env=env, stdout=log, stderr=log)
                time.sleep(2)
            start = time.perf_counter()
            status, dry = api(base, token, "POST", "/api/v1/sms/batches/dry-run", request)
            dry_time = time.perf_counter() - start
            start = time.perf_counter()
            status, batch = api(base, token, "POST", "/api/v1/sms/batches", dict(request, name="Bench %d/s" % rate))
            create_time = time.perf_counter() - start
            assert status == 201 and batch["recipients"] == count, (status, batch)
            api(base, token, "POST", "/api/v1/sms/batches/%d/start" % batch["id"])
            time.sleep(3)  # warm-up: connections made, the first rounds taken
            pid = processes["notifications"].pid
            others = {"simulator": sim.pid, "contacts": processes["contacts"].pid, "gateway": processes["gateway"].pid}
            others_before = {name: cpu_seconds(p) for name, p in others.items()}
            before, cpu_before, t0 = stats(provider)["accepted"], cpu_seconds(pid), time.perf_counter()
            time.sleep(seconds)
            after, cpu_after, t1 = stats(provider)["accepted"], cpu_seconds(pid), time.perf_counter()
            busy = {name: (cpu_seconds(p) - others_before[name]) / (t1 - t0) for name, p in others.items()}
            busy["notifications"] = (cpu_after - cpu_before) / (t1 - t0)
            print("  cores busy meanwhile: %s" % ", ".join("%s %.2f" % item for item in busy.items()), flush=True)
            achieved = (after - before) / (t1 - t0)
            cpu_ms = (cpu_after - cpu_before) * 1000 / max(1, after - before)
            api(base, token, "POST", "/api/v1/sms/batches/%d/pause" % batch["id"])
            results.append((rate, dry_time, create_time, achieved, cpu_ms, batch["id"]))
            print("  the simulator's answers so far: %s" % dict(stats(provider)["outcomes"]), flush=True)
            print("rate %d/s: dry run %.2f s, create %.2f s (sqlite3 floor %.2f s), achieved %.1f/s = %.1f%%, CPU %.3f ms/message" % (
                rate, dry_time, create_time, floor, achieved, achieved * 100 / rate, cpu_ms), flush=True)
        # Receipts: every message the last batch sent, "delivered", through the gateway.
        sent, cursor = [], None
        while len(sent) < 20_000:
            path = "/api/v1/messages?batch_id=%d&state=sent&limit=200" % results[-1][5] + ("&cursor=" + cursor if cursor else "")
            page = api(base, token, "GET", path)[1]
            sent += [(m["id"], m["provider_id"]) for m in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        half = len(sent) // 2
        for label, jobs, kind in [("healthz", sent[:half], "health"), ("message reads", sent[:half], "read"),
                                  ("receipts", sent[:half], "receipt"), ("healthz", sent[half:], "health"),
                                  ("message reads", sent[half:], "read"), ("receipts", sent[half:], "receipt")]:
            pids = {name: process.pid for name, process in processes.items()}
            before = {name: cpu_seconds(p) for name, p in pids.items()}
            ok, took = fan_out(base, token, jobs, kind, workers=int(os.environ.get("SMSBENCH_CONNECTIONS", "16")),
                               bench=os.path.join(bin_dir, "crm-bench"))
            busy = ", ".join("%s %.2f" % (name, (cpu_seconds(p) - before[name]) / took) for name, p in pids.items())
            print("%s: %d requests, %d answered 200, %.0f/s (cores busy: %s)" % (label, len(jobs), ok, len(jobs) / took, busy),
                  flush=True)
        delivered = api(base, token, "GET", "/api/v1/sms/batches/%d" % results[-1][5])[1]["counts"]["delivered"]
        print("delivered after the receipts: %d of %d" % (delivered, len(sent)))
    finally:
        for process in reversed(list(processes.values())):
            crmsystem.stop(process)
        crmsystem.stop(sim, grace=5)


if __name__ == "__main__":
    main()
