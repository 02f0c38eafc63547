"""A network link between two network namespaces that loses packets on purpose: two TUN devices
and this process copying IP packets between them, dropping each with the probability written in
a control file ("up", "down", or "loss 0.3"). For kernels without tc netem."""
import fcntl
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    left_name, right_name, control = sys.argv[1:4]
    left, right = tun(left_name), tun(right_name)
    print("ready", flush=True)
    loss, checked = 0.0, 0.0
    peer = {left: right, right: left}
    while True:
        now = time.monotonic()
        if now - checked > 0.05:
            checked = now
            try:
                with open(control) as file:
                    words = file.read().split()
            except OSError:
                words = ["up"]
            loss = 1.0 if words[:1] == ["down"] else float(words[1]) if words[:1] == ["loss"] and len(words) > 1 else 0.0
        readable, _, _ = select.select([left, right], [], [], 0.05)
        for fd in readable:
            packet = os.read(fd, 65536)
            if loss and random.random() < loss:
                continue
            try:
                os.write(peer[fd], packet)
            except OSError:
                pass


if __name__ == "__main__":
    main()
