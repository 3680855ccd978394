#!/usr/bin/env python3
"""Turns the benchmark's results.json into results.md (a table) and throughput.png.

usage: report.py RESULTS_JSON OUTDIR MACHINE_DESCRIPTION
"""
import json
import statistics
import sys

results_path, outdir, machine = sys.argv[1], sys.argv[2], sys.argv[3]
rows = json.load(open(results_path))
points = {(r["flows"], r["config"]): r["pps"] for r in rows if "pps" in r}
memory = next((r["memory"] for r in rows if "memory" in r), None)
export = next((r["export"] for r in rows if "export" in r), None)
flows = sorted({f for f, _ in points})


def med(v):
    return statistics.median(v)


def spread(v):
    m = med(v)
    return 100.0 * (max(v) - min(v)) / m if m else 0.0


lines = [
    f"Benchmark on {machine}; 64-byte UDP from pktgen through a veth into a namespace's FORWARD chain;",
    "packets/s are medians of the repeats (spread = (max-min)/median); each repeat runs the three",
    "configurations back to back, and NETFLOW / no-op is the median of the repeats' ratios. Under",
    "TCG absolute numbers are far below hardware; the ratios are what to read.",
    "",
    "| flows | no rule (pps) | no-op rule (pps) | -j NETFLOW (pps) | NETFLOW / no-op | ns/packet added | spread no-op / NETFLOW |",
    "|---:|---:|---:|---:|---:|---:|---:|",
]
summary = {}
for f in flows:
    none, noop, nf = (points.get((f, c), [0]) for c in ("none", "noop", "netflow"))
    # The configurations ran back to back in each repeat: the ratio is the median of the
    # repeats' ratios, so a slow spell of the host cancels out.
    ratio = med([a / b for a, b in zip(nf, noop) if b]) if any(noop) else 0
    added = (1e9 / med(nf) - 1e9 / med(noop)) if med(nf) and med(noop) else 0
    summary[f] = (ratio, med(nf))
    lines.append(
        f"| {f:,} | {med(none):,.0f} | {med(noop):,.0f} | {med(nf):,.0f} | {ratio:.2f} | {added:,.0f} | "
        f"{spread(noop):.0f}% / {spread(nf):.0f}% |"
    )
lines.append("")
targets = []


def near(n):
    """The measured flow count closest to n (pktgen ranges give 100,002, not 100,000)."""
    return min(summary, key=lambda f: abs(f - n)) if summary else None


for f in (1, 100000):
    f = near(f)
    if f is not None:
        r = summary[f][0]
        targets.append(f"- NETFLOW costs at most 10% of the no-op rule's throughput at {f:,} flow(s): "
                       f"ratio {r:.2f} — {'met' if r >= 0.9 else 'not met'}")
if len(summary) >= 2:
    big, small = near(1000000), near(1000)
    r = summary[big][1] / summary[small][1] if summary[small][1] else 0
    noop_r = med(points[(big, "noop")]) / med(points[(small, "noop")]) if (small, "noop") in points else 0
    targets.append(f"- Throughput at 1M flows within 10% of 1k flows: {r:.2f} — {'met' if r >= 0.9 else 'not met'}"
                   f" (the no-op rule alone: {noop_r:.2f})")
if memory:
    per_flow = memory["slab_object_bytes"]
    slab = memory["slab_bytes"] / max(memory["flows"], 1)
    total = (memory["slab_bytes"] + memory["hash_bytes"]) / max(memory["flows"], 1)
    lines.append(
        f"Memory at {memory['flows']:,} flows (/proc/slabinfo): slab object {per_flow} B; "
        f"slab pages {slab:.1f} B per flow; with the hash table ({memory['hash_buckets']:,} buckets of 8 B) "
        f"{total:.1f} B per flow."
    )
    targets.append(f"- At most 128 bytes of slab per flow: {slab:.1f} B (object {per_flow} B) — "
                   f"{'met' if slab <= 128 else 'not met'}")
if export:
    before, busy = med(export["pps_before"]), med(export["pps_while_exporting"])
    lines.append(
        f"Export: {export['flows']:,} idle flows exported to a local collector socket at "
        f"{export['flows_per_sec']:,} flows/s ({export['lost_flows']:,} lost) while 1k live flows kept "
        f"receiving traffic; their packet rate was {busy:,.0f} pps during the export against "
        f"{before:,.0f} pps before it ({busy / before:.2f}); with CPU 1 only spinning in user space, "
        f"{med(export['pps_cpu1_busy']):,.0f} pps ({med(export['pps_cpu1_busy']) / before:.2f})."
        if before else f"Export: {export['flows_per_sec']:,} flows/s."
    )
lines += ["", "Targets:"] + targets
open(f"{outdir}/results.md", "w").write("\n".join(lines) + "\n")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for cfg, label in (("none", "no rule"), ("noop", "no-op rule"), ("netflow", "-j NETFLOW")):
        ys = [med(points[(f, cfg)]) for f in flows if (f, cfg) in points]
        ax.plot(flows[: len(ys)], ys, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("distinct flows")
    ax.set_ylabel("packets/s (median)")
    ax.set_title("FORWARD throughput vs number of flows")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.text(0.01, 0.01, machine, fontsize=7)
    fig.savefig(f"{outdir}/throughput.png", dpi=110, bbox_inches="tight")
except ImportError:
    print("report.py: matplotlib missing, no plot")
