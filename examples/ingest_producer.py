#!/usr/bin/env python3
"""An example producer for the telephony service's ZeroMQ ingest (docs/zeromq-ingest.md).

It streams call events over a DEALER socket, keeps a window of unacknowledged events, resends
what is not acknowledged after a timeout, and finishes when every event is acknowledged.

    crm keys producer example-pbx        # once: its identity; telephony admits it at once
    python3 examples/ingest_producer.py --endpoint tcp://127.0.0.1:5570 --keys-dir data/keys --calls 1000

The producer speaks CURVE: its own key pair (data/keys/producers/<name>.key) and telephony's
public key (data/keys/telephony.pub) as the server key. Telephony reads an event only when the
producer name in the message is the one its key was made for.
"""

import argparse
import json
import sys
import time
import uuid

import zmq

TAG = b"CRMI1"


class Producer:
    """Sends events in order with sequence numbers; resends the unacknowledged ones."""

    def __init__(self, endpoint, producer, stream=None, window=2000, batch=100, resend_after=3.0, context=None, curve=None):
        """`curve` is (public, secret, server) in Z85: the producer's keys and telephony's public key."""
        self.context = context or zmq.Context.instance()
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        if curve:
            public, secret, server = curve
            self.socket.curve_publickey = public.encode()
            self.socket.curve_secretkey = secret.encode()
            self.socket.curve_serverkey = server.encode()
        self.socket.connect(endpoint)
        self.producer = producer.encode()
        self.stream = (stream or uuid.uuid4().hex).encode()
        self.window = window
        self.batch = batch
        self.resend_after = resend_after
        self.next_seq = 1
        self.acked = 0
        self.unacked = {}  # seq -> (frame bytes, last sent time)
        self.errors = []   # (seq, reason) of refused events
        self.resent = 0

    def hello(self, timeout=10.0):
        """Asks where the stream stands (0 for a new one)."""
        self.socket.send_multipart([TAG, b"HELLO", self.producer, self.stream])
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.socket.poll(100):
                self._receive()
                return self.acked
        raise TimeoutError("no answer to HELLO")

    def send(self, events):
        """Queues events, sending as the window allows. Returns when all are queued."""
        pending = list(events)
        while pending:
            room = self.window - len(self.unacked)
            if room <= 0:
                self.pump(0.05)
                continue
            chunk, pending = pending[: min(room, self.batch)], pending[min(room, self.batch):]
            frames = [TAG, b"EVENTS", self.producer, self.stream]
            now = time.time()
            for event in chunk:
                body = event if isinstance(event, bytes) else json.dumps(event).encode()
                seq = self.next_seq
                self.next_seq += 1
                self.unacked[seq] = (body, now)
                frames += [str(seq).encode(), body]
            self.socket.send_multipart(frames)
            self.pump(0)

    def pump(self, wait):
        """Reads acknowledgements; resends events unacknowledged for too long."""
        if self.socket.poll(int(wait * 1000)):
            while self.socket.poll(0):
                self._receive()
        now = time.time()
        stale = [seq for seq, (_, sent) in self.unacked.items() if now - sent > self.resend_after]
        for start in range(0, len(stale), self.batch):
            frames = [TAG, b"EVENTS", self.producer, self.stream]
            for seq in stale[start:start + self.batch]:
                body, _ = self.unacked[seq]
                self.unacked[seq] = (body, now)
                frames += [str(seq).encode(), body]
            self.socket.send_multipart(frames)
            self.resent += len(stale[start:start + self.batch])

    def drain(self, timeout=120.0):
        """Waits until every event is acknowledged."""
        deadline = time.time() + timeout
        while self.unacked and time.time() < deadline:
            self.pump(0.1)
        if self.unacked:
            raise TimeoutError("%d events still unacknowledged" % len(self.unacked))

    def _receive(self):
        frames = self.socket.recv_multipart()
        if len(frames) < 5 or frames[0] != TAG:
            return
        kind = frames[1]
        if kind == b"ACK":
            seq = int(frames[4])
            if seq > self.acked:
                for done in [s for s in self.unacked if s <= seq]:
                    del self.unacked[done]
                self.acked = seq
        elif kind == b"ERROR":
            reason = frames[5].decode() if len(frames) > 5 else ""
            self.errors.append((frames[4].decode(), reason))

    def close(self):
        self.socket.close(linger=0)


def calls(count, prefix):
    """Three events per call (ringing, answered, hangup) with made-up numbers."""
    base = int(time.time()) - 3600
    for n in range(count):
        call = "%s-%d" % (prefix, n)
        number = "+479%07d" % (n % 10_000_000)
        yield {"event_id": call + "-r", "call_id": call, "type": "ringing", "direction": "inbound", "from": number,
               "to": "22998877", "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n))}
        yield {"event_id": call + "-a", "call_id": call, "type": "answered", "extension": "105",
               "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n + 5))}
        yield {"event_id": call + "-h", "call_id": call, "type": "hangup", "disposition": "ANSWERED",
               "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n + 65))}


def read_keys(folder, name):
    """(public, secret, server) of a producer from the key folder."""
    def values(path):
        with open(path) as f:
            return dict(line.strip().split("=", 1) for line in f if "=" in line and not line.startswith("#"))
    own = values("%s/producers/%s.key" % (folder, name))
    return own["public"], own["secret"], values("%s/telephony.pub" % folder)["public"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5570")
    parser.add_argument("--producer", default="example-pbx")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--keys-dir", default="data/keys", help="the key folder (crm keys producer NAME made the key)")
    args = parser.parse_args()
    producer = Producer(args.endpoint, args.producer, curve=read_keys(args.keys_dir, args.producer))
    start = time.time()
    print("stream %s at %d" % (producer.stream.decode(), producer.hello()))
    producer.send(calls(args.calls, producer.stream.decode()[:8]))
    producer.drain()
    elapsed = time.time() - start
    sent = producer.next_seq - 1
    print("%d events acknowledged in %.2f s (%.0f/s), %d resent, %d refused" % (
        sent, elapsed, sent / elapsed, producer.resent, len(producer.errors)))
    producer.close()
    return 0 if not producer.errors else 1


if __name__ == "__main__":
    sys.exit(main())
