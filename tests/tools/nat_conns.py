#!/usr/bin/env python3
"""Connections for the NAT event tests, each a new conntrack entry.

usage: nat_conns.py server PORT              TCP on [::]:PORT (IPv4 too): accept, close; forever
       nat_conns.py tcp ADDR PORT N          N TCP connections, each opened and closed
       nat_conns.py udp ADDR PORT N [SPORT]  one datagram from each of N source ports (from SPORT)
Prints "connections N" (N made).
"""
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def server(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(4096)
    while True:
        c, _ = s.accept()
        c.close()


def tcp(addr, port, n):
    made = 0
    for _ in range(n):
        c = socket.socket(family(addr), socket.SOCK_STREAM)
        c.settimeout(10)
        c.connect((addr, port))
        # Wait for the server's close, so the connection has run its course.
        c.recv(1)
        c.close()
        made += 1
    return made


def udp(addr, port, n, sport):
    made = 0
    for i in range(n):
        u = socket.socket(family(addr), socket.SOCK_DGRAM)
        u.bind(("::" if ":" in addr else "0.0.0.0", sport + i))
        u.sendto(b"x", (addr, port))
        u.close()
        made += 1
    return made


def main():
    a = sys.argv[1:]
    if a[0] == "server":
        server(int(a[1]))
    elif a[0] == "tcp":
        print("connections", tcp(a[1], int(a[2]), int(a[3])))
    elif a[0] == "udp":
        print("connections", udp(a[1], int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else 20000))
    else:
        sys.exit(__doc__)


main()
