#!/usr/bin/env python3
"""Sends UDP for a while: datagrams of PAYLOAD bytes to DST_ADDR:DST_PORT, cycling through
FLOWS source ports from SPORT_BASE, until SECONDS have passed (or SIGTERM).

usage: udp_stream.py DST_ADDR DST_PORT SECONDS [FLOWS] [PAYLOAD] [SPORT_BASE]
Prints "packets=N" at the end. Sending errors (no route for a moment, ICMP errors read
back on the socket) are counted as "errors=N" and do not stop it.
"""
import signal
import socket
import sys
import time

dst, dport, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
flows = int(sys.argv[4]) if len(sys.argv) > 4 else 50
payload = int(sys.argv[5]) if len(sys.argv) > 5 else 64
base = int(sys.argv[6]) if len(sys.argv) > 6 else 20000
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(flows):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("", base + i))
    socks.append(s)
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
data = b"x" * payload
sent = errors = 0
end = time.monotonic() + secs
while not stop and time.monotonic() < end:
    for s in socks:
        try:
            s.sendto(data, (dst, dport))
            sent += 1
        except OSError:
            errors += 1
print(f"packets={sent} errors={errors}")
