#!/usr/bin/env python3
"""Sends known UDP flows: FLOWS source ports x PACKETS datagrams of PAYLOAD bytes.

usage: udp_flows.py DST_ADDR DST_PORT FLOWS PACKETS PAYLOAD [SPORT_BASE]
Prints "flows=N packets=N l3_bytes=N" (bytes counted from the IP header on; a payload
above the MTU leaves as IP fragments, whose extra headers are not in l3_bytes).
With REUSEPORT=1 in the environment, several senders may use the same source ports at
once (to hit the same flows from several CPUs).
"""
import os
import socket
import sys

dst, dport, flows, packets, payload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
base = int(sys.argv[6]) if len(sys.argv) > 6 else 20000
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
l3_header = 40 if family == socket.AF_INET6 else 20
data = b"x" * payload
sent = 0
for i in range(flows):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if os.environ.get("REUSEPORT") == "1":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("", base + i))
    for _ in range(packets):
        s.sendto(data, (dst, dport))
        sent += 1
    s.close()
print(f"flows={flows} packets={sent} l3_bytes={sent * (l3_header + 8 + payload)}")
