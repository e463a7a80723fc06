#!/usr/bin/env python3
"""How much of vod-client/src/generated/*.rs is doc comments and serde attributes.

    python3 scripts/generated-code-share.py

Counts lines as `wc -l` does. A doc line starts (after indentation) with `///` or `//!`; an
attribute line belongs to an attribute `#[...]` (a multi-line one counts all its lines), and a
serde attribute is one that starts `#[serde`. Figures quoted in BENCHMARKS.md.
"""
import glob
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
total = docs = serde = attrs = 0
for path in sorted(glob.glob(os.path.join(root, "vod-client/src/generated/*.rs"))):
    depth, in_serde = 0, False
    for line in open(path, encoding="utf-8").read().splitlines():
        text = line.strip()
        total += 1
        if depth > 0:
            attrs += 1
            serde += in_serde
            depth += line.count("[") - line.count("]")
            continue
        if text.startswith(("///", "//!")):
            docs += 1
        elif text.startswith(("#[", "#![")):
            attrs += 1
            in_serde = text.startswith("#[serde")
            serde += in_serde
            depth = line.count("[") - line.count("]")


def share(n):
    return f"{n} ({100 * n / total:.1f}%)"


print(f"lines {total}; doc comments {share(docs)}; serde attributes {share(serde)}; "
      f"both {share(docs + serde)}; all attributes {share(attrs)}")
