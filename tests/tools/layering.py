#!/usr/bin/env python3
"""Checks the module's layering: no file in glue/ imports feature code, and no two files
import each other. Exits non-zero (listing what is wrong) otherwise.

usage: layering.py [REPO]
"""
import os
import re
import subprocess
import sys

repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
files = subprocess.run(["git", "-C", repo, "ls-files", "-co", "--exclude-standard", "*.rs"],
                       capture_output=True, text=True, check=True).stdout.split()
files = [f for f in files if not f.startswith("tests/") and not f.endswith("_generated.rs")]


def module(f):
    p = f[:-3]
    if p.endswith("/mod"):
        p = p[:-4]
    return "crate" if p == "ipt_NETFLOW" else "crate::" + p.replace("/", "::")


by_module = {module(f): f for f in files}


def code(text):
    """The text without comments (what imports can be in)."""
    return re.sub(r"//[^\n]*", "", text)


deps = {}
for f in files:
    text = code(open(os.path.join(repo, f)).read())
    me = module(f)
    parent = me.rsplit("::", 1)[0]
    found = set()
    for path in re.findall(r"\bcrate::([a-z_0-9:]+)", text):
        parts = path.split("::")
        for k in range(len(parts), 0, -1):
            cand = "crate::" + "::".join(parts[:k])
            if cand in by_module:
                found.add(by_module[cand])
                break
    for name in re.findall(r"\bsuper::([a-z_0-9]+)", text):
        base = me if f.endswith("mod.rs") and False else parent
        cand = base + "::" + name
        if cand in by_module:
            found.add(by_module[cand])
    found.discard(f)
    deps[f] = found

problems = []
for f, d in sorted(deps.items()):
    if f.startswith("glue/"):
        for g in sorted(d):
            if not g.startswith("glue/"):
                problems.append(f"{f} imports feature code: {g}")
    for g in sorted(d):
        if f < g and f in deps.get(g, ()):
            problems.append(f"{f} and {g} import each other")
for p in problems:
    print("layering:", p)
print(f"layering: {len(files)} files, {len(problems)} problems")
sys.exit(1 if problems else 0)
