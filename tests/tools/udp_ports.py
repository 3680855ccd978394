#!/usr/bin/env python3
"""Sends one datagram of PAYLOAD bytes to each of FLOWS destination ports, from one
socket: FLOWS distinct flows at the cost of FLOWS packets (no socket per flow).

usage: udp_ports.py DST_ADDR DPORT_BASE FLOWS PAYLOAD SPORT
Prints "flows=N packets=N l3_bytes=N" (bytes counted from the IP header on).
"""
import socket
import sys

dst, base, flows, payload, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
l3_header = 40 if family == socket.AF_INET6 else 20
data = b"x" * payload
with socket.socket(family, socket.SOCK_DGRAM) as s:
    s.bind(("", sport))
    for port in range(base, base + flows):
        s.sendto(data, (dst, port))
print(f"flows={flows} packets={flows} l3_bytes={flows * (l3_header + 8 + payload)}")
