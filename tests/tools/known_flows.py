#!/usr/bin/env python3
"""Sends the known IPv4 and IPv6 UDP and TCP flows of export_v9_ipfix.sh, from ns1.

usage: known_flows.py TCP_SPORT
UDP to port 9000 of 10.2.0.2 and fd02::2: 3 flows (source ports 21000-21002) x 4
datagrams of 100 bytes, 2 flows (22000-22001) x 1 datagram of 1000 bytes. TCP from
source port TCP_SPORT to port 8000 of each: 20000 bytes, then an orderly close.
"""
import socket
import sys

tport = int(sys.argv[1])
for fam, dst in ((socket.AF_INET, "10.2.0.2"), (socket.AF_INET6, "fd02::2")):
    for base, flows, packets, size in ((21000, 3, 4, 100), (22000, 2, 1, 1000)):
        for i in range(flows):
            with socket.socket(fam, socket.SOCK_DGRAM) as s:
                s.bind(("", base + i))
                for _ in range(packets):
                    s.sendto(b"u" * size, (dst, 9000))
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", tport))
        s.connect((dst, 8000))
        s.sendall(b"t" * 20000)
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
