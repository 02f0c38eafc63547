"""What the Python tests that run the whole system share: its environment on free ports in a
temporary folder, and stopping a process they started (by the process they hold, never by name)."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from test_bus_protocol import free_ports


def environment(folder, password, **extra):
    """(environment, ports) for every process of a system with data in `folder`: bus, events in and
    out, HTTP, ZeroMQ ingest on free ports; `extra` adds or overrides variables."""
    ports = free_ports(5)
    env = dict(os.environ)
    env.update({
        "CRM_BUS_ENDPOINT": "tcp://127.0.0.1:%d" % ports[0],
        "CRM_EVENTS_PUBLISH_ENDPOINT": "tcp://127.0.0.1:%d" % ports[1],
        "CRM_EVENTS_SUBSCRIBE_ENDPOINT": "tcp://127.0.0.1:%d" % ports[2],
        "CRM_HTTP_ADDRESS": "127.0.0.1:%d" % ports[3],
        "CRM_TELEPHONY_INGEST_ENDPOINT": "tcp://127.0.0.1:%d" % ports[4],
        "CRM_DATA_DIR": folder,
        "CRM_ADMIN_PASSWORD": password,
        "CRM_BCRYPT_COST": "4",
        "CRM_HEARTBEAT_MS": "250",
    })
    env.update(extra)
    return env, ports


def stop(process, grace=15):
    """SIGTERM, then SIGKILL after `grace` seconds; a process already gone is left alone."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# In start order, as `SystemProcesses.all` (Shared/ServiceKit/Config/SystemProcesses.swift) has them.
PROCESSES = ["bus", "settings", "contacts", "telephony", "notifications", "sales", "tasks", "gateway"]


def start(folder, env, bin_dir, http, timeout=60, own=None):
    """Starts every process of the system (logs in `folder`) and waits until `http`/readyz says
    ready; answers {name: process} in start order (stop them in reverse). `own` maps a process
    name to variables of its own."""
    processes = {}
    for name in PROCESSES:
        log = open(os.path.join(folder, name + ".log"), "w")
        process_env = dict(env, **(own or {}).get(name, {}))
        processes[name] = subprocess.Popen([os.path.join(bin_dir, name)], env=process_env, stdout=log, stderr=log)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(http + "/readyz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        time.sleep(0.2)
    return processes


def wait(what, check, seconds=30, interval=0.2):
    """Calls `check` until it answers something true, and answers that; fails after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("waited %d s for %s" % (seconds, what))


def call(base, method, path, body=None, token=None, key=None, raw=None, headers=None, timeout=30):
    """One request to the system's HTTP API: (status, decoded JSON), or (0, the error) when the
    gateway could not be reached. `raw` is sent as it is instead of `body` as JSON; `key` becomes
    the Idempotency-Key."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except OSError as error:
        return 0, str(error)
