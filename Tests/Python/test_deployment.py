"""Deployment files that stay true (issue 20, point 5): compose/docker-compose.yml and
deploy/kubernetes/crm.yaml name only executables, options, environment variables, ports, volumes
and keys that the executables take, as their `--help` says; every variable the source reads is in
some executable's `--help`; each service has a volume of its own and its own identity."""

import glob
import os
import re
import subprocess
import unittest

import yaml

from test_sales import BIN

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXECUTABLES = ["bus", "settings", "contacts", "telephony", "notifications", "sales", "tasks", "gateway"]
DATABASES = ["settings", "contacts", "telephony", "notifications", "sales", "tasks"]
FOLDERS = {"bus": "Bus", "settings": "Settings", "contacts": "Contacts", "telephony": "Telephony",
           "notifications": "Notifications", "sales": "Sales", "tasks": "Tasks", "gateway": "Gateway"}


def help_of(executable):
    out = subprocess.run([os.path.join(BIN, executable), "--help"], capture_output=True, text=True, timeout=30)
    text = out.stdout + out.stderr
    return {"variables": set(re.findall(r"CRM_[A-Z0-9_]+", text)), "flags": set(re.findall(r"--[a-z][a-z-]*", text)), "text": text}


class DeploymentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.helps = {name: help_of(name) for name in EXECUTABLES + ["crm"]}
        keys = subprocess.run([os.path.join(BIN, "crm"), "keys", "init", "--help"], capture_output=True, text=True, timeout=30)
        cls.helps["crm keys"] = {"variables": set(re.findall(r"CRM_[A-Z0-9_]+", keys.stdout)) | {"CRM_KEYS_DIR"},
                                 "flags": set(re.findall(r"--[a-z][a-z-]*", keys.stdout)), "text": keys.stdout}

    def takes(self, executable, variables=(), flags=(), where=""):
        known = self.helps[executable]
        for variable in variables:
            self.assertIn(variable, known["variables"], "%s: %s does not read %s" % (where, executable, variable))
        for flag in flags:
            self.assertIn(flag, known["flags"], "%s: %s has no option %s" % (where, executable, flag))

    def test_every_variable_the_source_reads_is_in_a_help(self):
        every = set().union(*(h["variables"] for h in self.helps.values()))
        for path in glob.glob(os.path.join(ROOT, "Services", "**", "*.swift"), recursive=True) + \
                glob.glob(os.path.join(ROOT, "Shared", "**", "*.swift"), recursive=True):
            if "/Bench/" in path or "/CRM/" in path:
                continue
            with open(path, encoding="utf-8") as file:
                source = file.read()
            for variable in set(re.findall(r'"(CRM_[A-Z0-9_]+)"', source)):
                self.assertIn(variable, every, "%s reads %s, which no --help names" % (os.path.relpath(path, ROOT), variable))
                owner = next((name for name, folder in FOLDERS.items() if "/Services/%s/" % folder in path), None)
                if owner:
                    self.assertIn(variable, self.helps[owner]["variables"],
                                  "%s reads %s, which `%s --help` does not name" % (os.path.relpath(path, ROOT), variable, owner))

    def test_the_compose_file(self):
        with open(os.path.join(ROOT, "compose", "docker-compose.yml")) as file:
            compose = yaml.safe_load(file)
        services, volumes = compose["services"], set(compose.get("volumes") or {})
        self.assertTrue(set(EXECUTABLES) <= set(services), set(services))
        for name, service in services.items():
            command = service["command"]
            executable = "crm keys" if command[:2] == ["crm", "keys"] else command[0]
            self.assertIn(executable, self.helps, name)
            self.takes(executable, variables=(service.get("environment") or {}).keys(),
                       flags=[a for a in command if a.startswith("--")], where="compose " + name)
            mounts = [v.split(":") for v in service.get("volumes", [])]
            for mount in mounts:
                self.assertIn(mount[0], volumes, "compose %s mounts an undeclared volume %s" % (name, mount[0]))
            if name in DATABASES:
                self.assertIn([name + "-data", "/data"], [m[:2] for m in mounts], name)
            if executable != "crm keys":
                env = service.get("environment") or {}
                self.assertEqual(env.get("CRM_BUS_ENDPOINT"), "tcp://bus:5555", name)
                self.assertIn(["keys", "/keys", "ro"], mounts, "%s has no bus identity" % name)
        http = services["gateway"]["command"]
        port = http[http.index("--http") + 1].split(":")[1]
        self.assertIn("127.0.0.1:%s:%s" % (port, port), services["gateway"]["ports"])
        data = [s for s in volumes if s.endswith("-data")]
        self.assertEqual(sorted(data), sorted(n + "-data" for n in DATABASES))

    def test_the_kubernetes_manifests(self):
        with open(os.path.join(ROOT, "deploy", "kubernetes", "crm.yaml")) as file:
            documents = [d for d in yaml.safe_load_all(file) if d]
        kinds = {}
        for document in documents:
            kinds.setdefault(document["kind"], {})[document["metadata"]["name"]] = document
        config = kinds["ConfigMap"]["crm-config"]["data"]
        self.assertEqual(config["CRM_BUS_ENDPOINT"], "tcp://bus:5555")
        bus_ports = {p["port"] for p in kinds["Service"]["bus"]["spec"]["ports"]}
        for key in ("CRM_BUS_ENDPOINT", "CRM_EVENTS_PUBLISH_ENDPOINT", "CRM_EVENTS_SUBSCRIBE_ENDPOINT"):
            host, port = config[key].split("//")[1].split(":")
            self.assertEqual(host, "bus")
            self.assertIn(int(port), bus_ports, key)
        claims = set(kinds["PersistentVolumeClaim"])
        self.assertEqual(set(kinds["Deployment"]), set(EXECUTABLES))
        used_claims = []
        for name, deployment in kinds["Deployment"].items():
            spec = deployment["spec"]["template"]["spec"]
            (container,) = spec["containers"]
            executable = container["command"][0]
            self.assertEqual(executable, name)
            self.assertEqual(deployment["spec"]["selector"]["matchLabels"], deployment["spec"]["template"]["metadata"]["labels"])
            env = [e["name"] for e in container.get("env", [])]
            from_config = [k for src in container.get("envFrom", []) if "configMapRef" in src for k in config]
            self.takes(executable, variables=env + from_config, flags=[a for a in container.get("args", []) if a.startswith("--")],
                       where="kubernetes " + name)
            volumes = {v["name"]: v for v in spec["volumes"]}
            for mount in container["volumeMounts"] + [m for c in spec.get("initContainers", []) for m in c["volumeMounts"]]:
                self.assertIn(mount["name"], volumes, "%s mounts an undeclared volume" % name)
            for volume in volumes.values():
                if "persistentVolumeClaim" in volume:
                    self.assertIn(volume["persistentVolumeClaim"]["claimName"], claims)
                    used_claims.append(volume["persistentVolumeClaim"]["claimName"])
            # Keys as secrets: a service gets the bus's public key and its own pair only.
            secret = volumes["keys-secret"]["secret"]
            self.assertEqual(secret["secretName"], "crm-keys")
            if name != "bus":
                self.assertEqual([i["key"] for i in secret["items"]], ["bus.pub", name + ".key"], name)
            mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            self.assertEqual(mounted.get("/keys"), "keys", name)
            # Every pod's /metrics where the ConfigMap puts it, and where its annotations say.
            metrics = int(config["CRM_METRICS_ADDRESS"].rsplit(":", 1)[1])
            self.assertIn({"name": "metrics", "containerPort": metrics}, container["ports"], name)
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            self.assertEqual(annotations["prometheus.io/port"], str(metrics), name)
            self.assertEqual(annotations["prometheus.io/path"], "/metrics", name)
            if name in DATABASES:
                self.assertEqual(mounted.get("/data"), "data", name)
                self.assertEqual(volumes["data"]["persistentVolumeClaim"]["claimName"], name + "-data")
                self.assertEqual(deployment["spec"]["strategy"]["type"], "Recreate", name)
        self.assertEqual(sorted(used_claims), sorted(n + "-data" for n in DATABASES))
        gateway = kinds["Deployment"]["gateway"]["spec"]["template"]["spec"]["containers"][0]
        port = int(gateway["args"][gateway["args"].index("--http") + 1].split(":")[1])
        self.assertEqual(kinds["Service"]["gateway"]["spec"]["ports"][0]["targetPort"], port)
        self.assertEqual(gateway["readinessProbe"]["httpGet"]["port"], port)


if __name__ == "__main__":
    unittest.main()
