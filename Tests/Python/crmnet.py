"""Machines on one host for the multi-machine test: a network namespace per machine, wired to a
router namespace (a bridge, veth pairs) and, for one machine, a link that loses packets on purpose
(lossylink.py: two TUN devices and a process dropping packets, since the kernels here have no tc
netem). Everything made is removed by `close()`; processes are stopped by the process id."""

import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*command):
    subprocess.run(command, check=True, capture_output=True, text=True)


def available():
    """None when namespaces, veth pairs and TUN devices can be made here, else why not."""
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    try:
        name = "crmprobe%d" % os.getpid()
        run("ip", "netns", "add", name)
        run("ip", "netns", "del", name)
    except (OSError, subprocess.CalledProcessError) as error:
        return "ip netns does not work here: %s" % getattr(error, "stderr", error)
    return None


class Network:
    def __init__(self, folder):
        self.folder = folder
        self.tag = "%04x" % random.randrange(0x10000)
        octet = random.randrange(150, 250)
        self.lan = "10.%d.0" % octet      # the bridge's subnet
        self.tun = "10.%d.1" % octet      # the lossy link's
        self.router = "crm%s-net" % self.tag
        self.namespaces = [self.router]
        self.relays = []
        self.links = {}                   # machine -> the router's end of its veth
        self.control = {}                 # machine -> the lossy link's control file
        self.address = {}
        run("ip", "netns", "add", self.router)
        run("ip", "-n", self.router, "link", "set", "lo", "up")
        run("ip", "-n", self.router, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.router, "addr", "add", self.lan + ".254/24", "dev", "br0")
        run("ip", "-n", self.router, "link", "set", "br0", "up")
        run("ip", "netns", "exec", self.router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
        # This test's own way in: a veth from the host's namespace to the bridge.
        host, inside = "crm%sh" % self.tag, "crm%shr" % self.tag
        run("ip", "link", "add", host, "type", "veth", "peer", "name", inside)
        run("ip", "link", "set", inside, "netns", self.router)
        run("ip", "-n", self.router, "link", "set", inside, "master", "br0", "up")
        run("ip", "addr", "add", self.lan + ".250/24", "dev", host)
        run("ip", "link", "set", host, "up")
        run("ip", "route", "add", self.tun + ".0/24", "via", self.lan + ".254")
        self.host_link = host

    def machine(self, name, number, lossy=False):
        """A namespace `crm<tag>-<name>` with one address: on the bridge, or behind a lossy link."""
        namespace = "crm%s-%s" % (self.tag, name)
        run("ip", "netns", "add", namespace)
        self.namespaces.append(namespace)
        run("ip", "-n", namespace, "link", "set", "lo", "up")
        if lossy:
            control = os.path.join(self.folder, "link-%s" % name)
            with open(control, "w") as file:
                file.write("up")
            outside, inside = "crm%st%d" % (self.tag, number), "crm%su%d" % (self.tag, number)
            relay = subprocess.Popen([sys.executable, os.path.join(HERE, "lossylink.py"), outside, inside, control],
                                     stdout=subprocess.PIPE, text=True)
            assert relay.stdout.readline().strip() == "ready"
            self.relays.append(relay)
            run("ip", "link", "set", outside, "netns", self.router)
            run("ip", "link", "set", inside, "netns", namespace)
            run("ip", "-n", self.router, "addr", "add", self.tun + ".1", "peer", self.tun + ".%d" % number, "dev", outside)
            run("ip", "-n", namespace, "addr", "add", self.tun + ".%d" % number, "peer", self.tun + ".1", "dev", inside)
            run("ip", "-n", self.router, "link", "set", outside, "up")
            run("ip", "-n", namespace, "link", "set", inside, "up")
            run("ip", "-n", namespace, "route", "add", "default", "via", self.tun + ".1")
            self.control[name] = control
            self.address[name] = self.tun + ".%d" % number
        else:
            outside, inside = "crm%sv%d" % (self.tag, number), "crm%sw%d" % (self.tag, number)
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", outside, "netns", self.router)
            run("ip", "link", "set", inside, "netns", namespace)
            run("ip", "-n", self.router, "link", "set", outside, "master", "br0", "up")
            run("ip", "-n", namespace, "addr", "add", self.lan + ".%d/24" % number, "dev", inside)
            run("ip", "-n", namespace, "link", "set", inside, "up")
            run("ip", "-n", namespace, "route", "add", "default", "via", self.lan + ".254")
            self.links[name] = outside
            self.address[name] = self.lan + ".%d" % number
        return namespace

    def cut(self, name):
        """Takes the machine's cable out (its veth's end at the router goes down)."""
        run("ip", "-n", self.router, "link", "set", self.links[name], "down")

    def mend(self, name):
        run("ip", "-n", self.router, "link", "set", self.links[name], "up")

    def loss(self, name, share):
        """Drops `share` of the packets on the machine's lossy link (0: none)."""
        with open(self.control[name], "w") as file:
            file.write("loss %.3f" % share if share else "up")

    def close(self):
        for relay in self.relays:
            relay.kill()
            relay.wait()
        for namespace in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", self.host_link], capture_output=True)
