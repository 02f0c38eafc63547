#!/usr/bin/env python3
"""An SMS provider simulator for tests and benchmarks: Twilio's Messages API and Vonage's SMS and
Reports APIs, with the ways real providers misbehave, switched on by options:

  --latency-ms 20..200   each answer waits this long (a range draws uniformly)
  --throttle 0.05        share of sends answered 429 (Twilio code 20429, Vonage status "1"), Retry-After 1
  --fail 0.05            share of sends answered 500 (nothing stored)
  --lose 0.02            share of sends stored and then the connection closed without an answer
  --limit 100            at most this many messages a second (a bucket holding a tenth of a second's
                         worth); above it, 429 with Retry-After 1 (a provider's rate limit)
  --receipts URL         send status callbacks / delivery receipts to this base URL (the gateway),
                         signed as the provider would; --chaos also repeats and reorders them
  --opted-out +47...     numbers that answer Twilio 21610 (the recipient opted out)

It keeps every accepted message; GET /_stats answers counts (accepted, per recipient, requests by
outcome) so a test can compare what the CRM says with what the "provider" got. Standard library
only; one asyncio loop; HTTP/1.1 keep-alive. Usage: sms-simulator.py --port 0 --port-file F.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import random
import sys
import time
import urllib.parse
import uuid
from collections import Counter


class Provider:
    def __init__(self, args):
        self.args = args
        self.messages = []  # dicts: sid, to, from, body, status, created, client_ref, callback
        self.by_to = Counter()
        self.outcomes = Counter()
        self.receipt_tasks = set()

    def latency(self):
        low, _, high = self.args.latency_ms.partition("..")
        low = float(low)
        high = float(high) if high else low
        return random.uniform(low, high) / 1000.0

    def over_limit(self):
        """The provider's rate limit as a token bucket: refilled at --limit a second, holding a
        tenth of a second's worth (as providers' limits do: a short burst passes, a sustained
        excess is refused)."""
        if not self.args.limit:
            return False
        now = time.monotonic()
        capacity = max(1.0, self.args.limit / 10)
        if not hasattr(self, "tokens"):
            self.tokens, self.filled = capacity, now
        self.tokens = min(capacity, self.tokens + (now - self.filled) * self.args.limit)
        self.filled = now
        if self.tokens < 1:
            return True
        self.tokens -= 1
        return False

    def fate(self):
        """What happens to one send: ok, throttle, fail or lose."""
        if self.over_limit():
            return "throttle"
        draw = random.random()
        for name in ("throttle", "fail", "lose"):
            share = getattr(self.args, name)
            if draw < share:
                return name
            draw -= share
        return "ok"

    def store(self, to, sender, body, client_ref=None, callback=None):
        sid = "SM" + uuid.uuid4().hex
        message = {
            "sid": sid, "to": to, "from": sender, "body": body, "status": "queued",
            "created": time.time(), "client_ref": client_ref, "callback": callback,
        }
        self.messages.append(message)
        self.by_to[to] += 1
        return message


def twilio_signature(url, fields, token):
    data = url + "".join(name + value for name, value in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def vonage_sig(fields, secret):
    signed = "".join(
        "&" + key + "=" + str(value).replace("&", "_").replace("=", "_")
        for key, value in sorted(fields.items()) if key != "sig")
    return hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()


async def post(url, body, headers):
    """A small HTTP/1.1 POST (one connection per request); answers the status code."""
    parts = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    path = parts.path + ("?" + parts.query if parts.query else "")
    head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    line = await reader.readline()
    writer.close()
    try:
        return int(line.split()[1])
    except (IndexError, ValueError):
        return 0


async def send_receipts(provider, message, kind):
    """The provider's callbacks for one message: sent, then delivered (repeated and out of order
    with --chaos)."""
    args = provider.args
    await asyncio.sleep(random.uniform(0.05, 0.3))
    states = ["sent", "delivered"]
    if args.chaos:
        states = states + [random.choice(states)]
        random.shuffle(states)
    for state in states:
        if kind == "twilio":
            url = message["callback"]
            if not url:
                return
            fields = [("MessageSid", message["sid"]), ("MessageStatus", state), ("To", message["to"]),
                      ("From", message["from"]), ("AccountSid", args.account)]
            body = urllib.parse.urlencode(fields).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Twilio-Signature": twilio_signature(url, fields, args.token)}
        else:
            url = args.receipts.rstrip("/") + "/api/v1/notifications/vonage/receipt"
            fields = {"messageId": message["sid"], "msisdn": message["to"].lstrip("+"), "to": message["from"],
                      "status": "accepted" if state == "sent" else "delivered", "err-code": "0",
                      "client-ref": message["client_ref"] or "", "timestamp": str(int(time.time()))}
            fields["sig"] = vonage_sig(fields, args.signature_secret)
            body = json.dumps(fields).encode()
            headers = {"Content-Type": "application/json"}
        for _ in range(3):
            try:
                status = await post(url, body, headers)
                if status and status < 500:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.5)


def json_reply(status, obj, extra=None):
    return status, {"Content-Type": "application/json", **(extra or {})}, json.dumps(obj).encode()


async def handle(provider, method, target, headers, body):
    args = provider.args
    parts = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(parts.query)
    path = parts.path
    if path == "/_stats":
        duplicates = {to: n for to, n in provider.by_to.items() if n > 1}
        return json_reply(200, {"accepted": len(provider.messages), "recipients": len(provider.by_to),
                                "duplicates": duplicates, "outcomes": provider.outcomes})
    if path == "/_messages":
        return json_reply(200, {"messages": provider.messages})
    twilio_path = f"/2010-04-01/Accounts/{args.account}/Messages.json"
    if path == twilio_path:
        expected = "Basic " + base64.b64encode(f"{args.account}:{args.token}".encode()).decode()
        if headers.get("authorization") != expected:
            return json_reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if method == "GET":
            to, sender = query.get("To", [None])[0], query.get("From", [None])[0]
            found = [m for m in provider.messages if (not to or m["to"] == to) and (not sender or m["from"] == sender)]
            return json_reply(200, {"messages": [{"sid": m["sid"], "to": m["to"], "from": m["from"], "body": m["body"],
                                                  "status": m["status"]} for m in found]})
        fields = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        return await send(provider, "twilio", fields.get("To", ""), fields.get("From", ""), fields.get("Body", ""),
                          None, fields.get("StatusCallback"))
    if path == "/sms/json" and method == "POST":
        fields = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        if fields.get("api_key") != args.account or fields.get("api_secret") != args.token:
            return json_reply(200, {"message-count": "1", "messages": [{"status": "4", "error-text": "Bad Credentials"}]})
        return await send(provider, "vonage", "+" + fields.get("to", "").lstrip("+"), fields.get("from", ""),
                          fields.get("text", ""), fields.get("client-ref"), None)
    if path == "/v2/reports/records" and method == "GET":
        to = "+" + query.get("to", [""])[0].lstrip("+")
        found = [m for m in provider.messages if m["to"] == to]
        return json_reply(200, {"records": [{"message_id": m["sid"], "client_ref": m["client_ref"], "to": m["to"].lstrip("+"),
                                             "status": "delivered"} for m in found]})
    return json_reply(404, {"message": "no such resource"})


async def send(provider, kind, to, sender, body, client_ref, callback):
    args = provider.args
    await asyncio.sleep(provider.latency())
    fate = provider.fate()
    provider.outcomes[fate] += 1
    if fate == "throttle":
        if kind == "twilio":
            return json_reply(429, {"code": 20429, "message": "Too Many Requests", "status": 429}, {"Retry-After": "1"})
        return json_reply(200, {"message-count": "1", "messages": [{"status": "1", "error-text": "Throughput Rate Exceeded"}]})
    if fate == "fail":
        return json_reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
    if kind == "twilio" and to in args.opted_out:
        provider.outcomes["opted_out"] += 1
        return json_reply(400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
    message = provider.store(to, sender, body, client_ref, callback)
    if args.receipts or callback:
        if (kind == "twilio" and callback and args.receipts) or (kind == "vonage" and args.receipts):
            task = asyncio.create_task(send_receipts(provider, message, kind))
            provider.receipt_tasks.add(task)
            task.add_done_callback(provider.receipt_tasks.discard)
    if fate == "lose":
        return None  # taken, and the answer never comes
    if kind == "twilio":
        return json_reply(201, {"sid": message["sid"], "status": "queued", "to": to, "from": sender, "body": body})
    return json_reply(200, {"message-count": "1", "messages": [{"status": "0", "message-id": message["sid"], "to": to.lstrip("+")}]})


async def serve_connection(provider, reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            reply = await handle(provider, method, target, headers, body)
            if reply is None:
                break  # lose the answer: close without a word
            status, head, payload = reply
            text = {200: "OK", 201: "Created", 401: "Unauthorized", 404: "Not Found", 400: "Bad Request",
                    429: "Too Many Requests", 500: "Internal Server Error"}.get(status, "Status")
            out = f"HTTP/1.1 {status} {text}\r\nContent-Length: {len(payload)}\r\n"
            out += "".join(f"{k}: {v}\r\n" for k, v in head.items())
            writer.write(out.encode() + b"\r\n" + payload)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--account", default="ACsimulator")
    parser.add_argument("--token", default="simulator-token")
    parser.add_argument("--signature-secret", default="simulator-signature")
    parser.add_argument("--latency-ms", default="5")
    parser.add_argument("--throttle", type=float, default=0.0)
    parser.add_argument("--fail", type=float, default=0.0)
    parser.add_argument("--lose", type=float, default=0.0)
    parser.add_argument("--limit", type=float, default=0.0)
    parser.add_argument("--receipts")
    parser.add_argument("--chaos", action="store_true")
    parser.add_argument("--opted-out", nargs="*", default=[])
    args = parser.parse_args()
    provider = Provider(args)
    server = await asyncio.start_server(lambda r, w: serve_connection(provider, r, w), "127.0.0.1", args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"sms simulator on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
