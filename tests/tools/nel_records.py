#!/usr/bin/env python3
"""The NAT event (NEL) records of a v9/IPFIX capture, decoded by tshark, one line each:

    EVENT PROTO SRC SPORT DST DPORT POSTSRC POSTSPORT POSTDST POSTDPORT TIME_MS

EVENT is 1 (create) or 2 (delete), addresses as tshark prints them.
usage: nel_records.py CAPTURE PORT
"""
import json
import subprocess
import sys
from datetime import datetime

cap, port = sys.argv[1], sys.argv[2]
out = subprocess.run(["tshark", "-r", cap, "-d", "udp.port==%s,cflow" % port, "-T", "json", "-J", "cflow"],
                     capture_output=True, text=True, check=True).stdout
V4 = ("cflow.srcaddr", "cflow.dstaddr", "cflow.post_natsource_ipv4_address",
      "cflow.post_natdestination_ipv4_address")
V6 = ("cflow.srcaddrv6", "cflow.dstaddrv6", "cflow.post_nat_source_ipv6_address",
      "cflow.post_nat_destination_ipv6_address")


def ms(text):
    """tshark's absolute time ("Dec  3, 2026 17:30:01.123000000 UTC") as Unix ms."""
    t = " ".join(text.split())
    date, frac = t.rsplit(".", 1)
    frac = frac.split()[0]
    d = datetime.strptime(date + " UTC", "%b %d, %Y %H:%M:%S %Z")
    return int((d - datetime(1970, 1, 1)).total_seconds()) * 1000 + int(frac[:3])


def walk(node):
    if isinstance(node, dict):
        if "cflow.nat_event" in node:
            yield node
            return
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


for rec in walk(json.loads(out or "[]")):
    names = V6 if V6[0] in rec else V4
    g = lambda k: rec.get(k, "-")
    src, dst, psrc, pdst = (g(k) for k in names)
    t = rec.get("cflow.observation_time_milliseconds")
    print(g("cflow.nat_event"), g("cflow.protocol"), src, g("cflow.srcport"), dst, g("cflow.dstport"),
          psrc, g("cflow.post_naptsource_transport_port"), pdst,
          g("cflow.post_naptdestination_transport_port"), ms(t) if t else "-")
