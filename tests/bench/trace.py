#!/usr/bin/env python3
"""Instruction traces of one packet through a target function (make bench, BENCH_TRACE).

Two uses:
  gdb -batch -x tests/bench/trace.py   (env TRACE_DIR, TRACE_N, TRACE_PORT): attaches to
      QEMU's gdbstub, sets a hardware breakpoint on the target function the guest named in
      TRACE_DIR/trace-ready-N, lets the guest send one packet, single-steps the call from its
      entry until it returns to its caller and writes every address executed to
      TRACE_DIR/trace-N.txt (QEMU masks interrupts while stepping: the trace is the
      packet's own path).
  python3 tests/bench/trace.py DIR: names those addresses from the guest's kallsyms and
      prints, per trace, the instructions per function and in all (TRACE_DIR/trace.md).
"""
import bisect
import os
import sys


def step_one():
    import gdb  # only inside gdb

    d, n = os.environ["TRACE_DIR"], os.environ["TRACE_N"]
    cfg, flows, sym, addr = open(f"{d}/trace-ready-{n}").read().split()
    for c in ("set pagination off", "set confirm off", "set architecture i386:x86-64"):
        gdb.execute(c)
    gdb.execute(f"target remote :{os.environ.get('TRACE_PORT', '1234')}")
    gdb.execute("set scheduler-locking step")
    gdb.execute(f"hbreak *0x{addr}")
    # The guest is stopped while gdb holds it: it sees this only once we continue.
    open(f"{d}/trace-go-{n}", "w").close()
    gdb.execute("continue")

    def reg(r):
        return int(gdb.parse_and_eval(f"(unsigned long){r}"))

    sp0 = reg("$sp")
    ret = reg("*(unsigned long *)$sp")
    gdb.execute("delete")
    pcs = []
    while len(pcs) < 200000:
        pc = reg("$pc")
        if pc == ret and reg("$sp") > sp0:
            break
        pcs.append(pc)
        gdb.execute("stepi", to_string=True)
    with open(f"{d}/trace-{n}.txt", "w") as f:
        f.write(f"# {cfg} {flows} flows, {sym} at {addr}: {len(pcs)} instructions\n")
        f.writelines(f"{pc:x}\n" for pc in pcs)
    open(f"{d}/trace-done-{n}", "w").close()
    gdb.execute("detach")


def symbols(path):
    out = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3 and parts[1].lower() in "tw":
            out.append((int(parts[0], 16), parts[2]))
    return out


def summarize(d):
    core = symbols(f"{d}/kallsyms")
    lines = []
    n = 1
    while os.path.exists(f"{d}/trace-{n}.txt"):
        syms = sorted(core + symbols(f"{d}/kallsyms-{n}"))
        starts = [a for a, _ in syms]
        head, *body = open(f"{d}/trace-{n}.txt").read().split("\n")
        pcs = [int(x, 16) for x in body if x]
        counts = {}
        for pc in pcs:
            i = bisect.bisect_right(starts, pc) - 1
            name = syms[i][1] if i >= 0 else "?"
            counts[name] = counts.get(name, 0) + 1
        lines.append(head.lstrip("# "))
        lines.append("")
        lines.append("| function | instructions |")
        lines.append("|---|---:|")
        for name, c in sorted(counts.items(), key=lambda x: -x[1]):
            short = name if len(name) < 90 else name[:87] + "..."
            lines.append(f"| `{short}` | {c} |")
        lines.append(f"| all | {len(pcs)} |")
        lines.append("")
        n += 1
    text = "\n".join(lines)
    open(f"{d}/trace.md", "w").write(text + "\n")
    print(text)


if __name__ == "__main__" and len(sys.argv) > 1:
    summarize(sys.argv[1])
else:
    step_one()
