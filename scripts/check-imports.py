#!/usr/bin/env python3
"""Every target declares what it imports (issue 14: an honest package manifest).

Reads the manifest with `swift package dump-package`, then each target's Swift files, and
prints the modules a target imports without declaring them (directly or as a product).
Exits 1 when there are any. Run by `make lint`.
"""
import json
import pathlib
import re
import subprocess
import sys

# Modules of the toolchain and the system, which no manifest declares.
SYSTEM = {"Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Dispatch", "Synchronization",
          "Testing", "XCTest", "_Concurrency", "os"}
# Modules a product brings besides the one of its own name.
ALSO = {"GRDB": {"GRDBSQLite"}}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+|public\s+|internal\s+)*import\s+(?:(?:struct|class|enum|func|protocol)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)

root = pathlib.Path(__file__).resolve().parent.parent
manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)
problems = []
for target in manifest["targets"]:
    if target["type"] == "system":
        continue
    declared = set()
    for dependency in target["dependencies"]:
        kind, value = next(iter(dependency.items()))
        declared.add(value[0])
        declared |= ALSO.get(value[0], set())
    path = root / (target.get("path") or f"Sources/{target['name']}")
    for source in sorted(path.rglob("*.swift")):
        for module in IMPORT.findall(source.read_text(encoding="utf-8")):
            if module not in declared and module not in SYSTEM and module != target["name"]:
                problems.append(f"{source.relative_to(root)}: imports {module}, which target {target['name']} does not declare")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
