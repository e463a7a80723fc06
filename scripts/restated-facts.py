#!/usr/bin/env python3
"""Counts the wire facts the emulator's hand-written code restates from api-spec/.

Usage: scripts/restated-facts.py [EMULATOR_SRC_DIR] [SPEC_DIR]
(defaults: vod-client/emulator/src and api-spec). Reads the spec's YAML as text (no parser
needed: every fact counted is a `name:`, `path:` or `code:` value) and scans the emulator's
Rust sources, leaving out generated code and test modules, for string literals equal to a
field name, operation name or route path of the spec, and for integer literals equal to a
documented error code. Prints one line per kind and the hand-written line count, so the figure
can be compared before and after a change (issue 18).
"""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "vod-client/emulator/src"
SPEC = sys.argv[2] if len(sys.argv) > 2 else "api-spec"


def spec_facts(spec_dir):
    fields, operations, paths, codes = set(), set(), set(), set()
    for name in sorted(os.listdir(spec_dir)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(spec_dir, name), encoding="utf-8") as f:
            text = f.read()
        # Operations are `- name: x` directly under `operations:` (4 spaces in); fields sit
        # deeper or in flow maps (`{ name: x, ... }`).
        for m in re.finditer(r"^  - name: ([A-Za-z][A-Za-z0-9]*)\s*$", text, re.M):
            operations.add(m.group(1))
        for m in re.finditer(r"(?:^\s{6,}- name:|\{ ?name:) ?([A-Za-z][A-Za-z0-9]*)", text, re.M):
            fields.add(m.group(1))
        for m in re.finditer(r"^\s+path: (/\S+)", text, re.M):
            paths.add(m.group(1))
        for m in re.finditer(r"^\s+- code: (\d+)", text, re.M):
            codes.add(int(m.group(1)))
    return fields - operations, operations, paths, codes


def hand_written(src_dir):
    """(path, text without test modules) of every hand-written source file."""
    for root, dirs, files in os.walk(src_dir):
        dirs[:] = [d for d in dirs if d != "generated"]
        for name in sorted(files):
            if not name.endswith(".rs") or "tests" in name:
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            cut = re.search(r"^#\[cfg\(test\)\]\s*\nmod tests", text, re.M)
            yield path, text[: cut.start()] if cut else text


def main():
    fields, operations, paths, codes = spec_facts(SPEC)
    counts = {"lines": 0, "field names": 0, "operation names": 0, "route paths": 0, "error codes": 0}
    for _, text in hand_written(SRC):
        counts["lines"] += text.count("\n")
        code_only = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', code_only):
            if lit in fields:
                counts["field names"] += 1
            if lit in operations:
                counts["operation names"] += 1
            if lit in paths:
                counts["route paths"] += 1
        for num in re.findall(r"(?<![\w.])(\d{4,8})(?![\w.])", code_only):
            if int(num) in codes:
                counts["error codes"] += 1
    for kind, n in counts.items():
        print(f"{kind}: {n}")


if __name__ == "__main__":
    main()
