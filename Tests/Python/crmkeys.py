"""Bus identities for the Python test clients: the key folder `crm keys init` makes, read as
docs/bus-protocol.md ("Identities") describes, and applied to pyzmq sockets."""

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))


def init(data_dir, roles=()):
    """Runs `crm keys init` for a data folder (as `crm up` does), with extra roles; answers the key folder."""
    args = [os.path.join(BIN, "crm"), "keys", "init", "--data-dir", data_dir]
    for role in roles:
        args += ["--role", role]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, cwd=data_dir)
    return os.path.join(data_dir, "keys")


def producer(data_dir, name):
    """Runs `crm keys producer NAME`; answers its printed public, secret and server keys."""
    out = subprocess.run([os.path.join(BIN, "crm"), "keys", "producer", name, "--data-dir", data_dir],
                         check=True, capture_output=True, text=True, cwd=data_dir).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return values["public"], values["secret"], values["server"]


def read(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                values[name] = value
    return values


def pair(keys_dir, role):
    """(public, secret) of a role, from <role>.key."""
    values = read(os.path.join(keys_dir, role + ".key"))
    return values["public"], values["secret"]


def curve(socket, public, secret, server):
    """Makes a pyzmq socket a CURVE client; call before connect."""
    socket.curve_publickey = public.encode()
    socket.curve_secretkey = secret.encode()
    socket.curve_serverkey = server.encode()
    return socket


def as_role(socket, keys_dir, role, server_role="bus"):
    """Makes a socket speak as `role` to the bus (or to telephony's ingest with server_role)."""
    public, secret = pair(keys_dir, role)
    server = read(os.path.join(keys_dir, server_role + ".pub"))["public"]
    return curve(socket, public, secret, server)
