#!/usr/bin/env python3
"""E-mails per second over one reused SMTP connection (issue 16's benchmark, e-mail part):
our client (`crm mail send --copies N`, the notifications service's SMTPClient) against Python's
smtplib sending the same mail N times on one connection, both to one aiosmtpd on loopback, in
alternating runs (the machine's speed drifts). Not a test: it prints numbers.

    python3 scripts/mail-bench.py [N] [ROUNDS] [BIN]     (defaults: 1000 3 .build/release)
"""
import os
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Count:
    def __init__(self):
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        return "250 OK"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    bin_dir = sys.argv[3] if len(sys.argv) > 3 else ".build/release"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Count()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    text = "Hei Åse,\n\nher er tilbudet på 12 lisenser.\n" * 5
    ours, theirs = [], []
    try:
        for _ in range(rounds):
            before = handler.n
            start = time.perf_counter()
            subprocess.run([os.path.join(bin_dir, "crm"), "mail", "send", "--smtp", "smtp+plain://127.0.0.1:%d" % port,
                            "--from", "bench@crm.test", "--to", "ase@example.no", "--subject", "Tilbud på lisenser",
                            "--text", text, "--copies", str(count)], check=True, stdout=subprocess.DEVNULL)
            ours.append(count / (time.perf_counter() - start))
            assert handler.n - before == count
            before = handler.n
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(count):
                    mail = EmailMessage()
                    mail["From"], mail["To"], mail["Subject"] = "bench@crm.test", "ase@example.no", "Tilbud på lisenser"
                    mail["Message-ID"] = "<%d.%f@crm.test>" % (n, start)
                    mail.set_content(text)
                    smtp.send_message(mail)
            theirs.append(count / (time.perf_counter() - start))
            assert handler.n - before == count
    finally:
        server.stop()
    median = lambda values: sorted(values)[len(values) // 2]
    print("mails per second over one connection to aiosmtpd, %d mails, %d alternating rounds" % (count, rounds))
    print("  crm mail send (SMTPClient, incl. process start): %s  median %.0f" % (", ".join("%.0f" % v for v in ours), median(ours)))
    print("  Python smtplib (baseline, same server):          %s  median %.0f" % (", ".join("%.0f" % v for v in theirs), median(theirs)))
    print("  ratio (ours / baseline, medians): %.2fx" % (median(ours) / median(theirs)))


if __name__ == "__main__":
    main()
