#!/usr/bin/env python3
"""Sends packets that carry what per-flow templates report beyond the 5-tuple, N of each:
  UDP/IPv4 with IP options (record route, then end of list) from port 24000,
  UDP/IPv6 with a hop-by-hop options header from port 24000,
  ESP over IPv4 and IPv6 with SPI 0x12345678 (protocol 50, no ports).
usage: attribute_packets.py DST4 DST6 N"""
import socket
import sys

dst4, dst6, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
IP_OPTIONS = 4
IPV6_HOPOPTS = 54

u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# RR: type 7, length 7, pointer 4, one 4-byte slot; then EOOL to a 4-byte boundary.
u4.setsockopt(socket.IPPROTO_IP, IP_OPTIONS, bytes([7, 7, 4, 0, 0, 0, 0, 0]))
u4.bind(("0.0.0.0", 24000))
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# Hop-by-hop header: next header (set by the kernel), length 0 (8 bytes), PadN of 4.
u6.setsockopt(socket.IPPROTO_IPV6, IPV6_HOPOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
u6.bind(("::", 24000))
e4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
e6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50)
esp = bytes.fromhex("12345678") + (1).to_bytes(4, "big") + bytes(32)
for _ in range(n):
    u4.sendto(b"x" * 100, (dst4, 9000))
    u6.sendto(b"x" * 100, (dst6, 9000))
    e4.sendto(esp, (dst4, 0))
    e6.sendto(esp, (dst6, 0))
