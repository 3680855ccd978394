#!/usr/bin/env python3
"""Sends hostile packets from a namespace towards (or through) a router.

usage: hostile.py SRC4 DST4 SRC6 DST6 IFACE ROUTER_MAC [--local]
IPv4 goes out through a raw socket (IPPROTO_RAW, IP_HDRINCL: the kernel fills in total
length and checksum); IPv6 and L3 garbage through an AF_PACKET socket on IFACE, framed
for ROUTER_MAC. With --local the destinations are the router itself (its INPUT chain):
IPv4 fragments are then left out, as the router reassembles them before INPUT.

Prints "sent=N trunc=N frag=N": packets sent that a NETFLOW rule on the path sees, and
how many of them the target must count as truncated and as non-first fragments.
"""
import socket
import struct
import sys
import time

src4, dst4, src6, dst6, iface, mac = sys.argv[1:7]
local = "--local" in sys.argv
counts = {"sent": 0, "trunc": 0, "frag": 0}

TCP, UDP, ICMP, AH, ESP, GRE, SCTP = 6, 17, 1, 51, 50, 47, 132
HOP, ROUTING, FRAG, DSTOPTS, NONE, ICMPV6 = 0, 43, 44, 60, 59, 58

raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw4.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
pkt.bind((iface, 0))
my_mac = pkt.getsockname()[4]
router_mac = bytes.fromhex(mac.replace(":", ""))


def pace():
    # Stay below the veth backlog even in bursts.
    if counts["sent"] % 50 == 0:
        time.sleep(0.02)


def ip4(proto, payload, options=b"", frag=0, mf=False, tos=0):
    ihl = 5 + len(options) // 4
    flags_frag = (0x2000 if mf else 0) | (frag // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, 0, 0x1234, flags_frag, 64, proto, 0,
                      socket.inet_aton(src4), socket.inet_aton(dst4))
    return hdr + options + payload


def send4(packet, trunc=False, frag=False):
    raw4.sendto(packet, (dst4, 0))
    counts["sent"] += 1
    counts["trunc"] += trunc
    counts["frag"] += frag
    pace()


def ip6(next_hdr, payload, tc=0):
    first = (6 << 28) | (tc << 20)
    hdr = struct.pack("!IHBB16s16s", first, len(payload), next_hdr, 64,
                      socket.inet_pton(socket.AF_INET6, src6), socket.inet_pton(socket.AF_INET6, dst6))
    return hdr + payload


def frame(ethertype, l3):
    return router_mac + my_mac + struct.pack("!H", ethertype) + l3


def send6(packet, trunc=False, frag=False, counted=True):
    pkt.send(frame(0x86DD, packet))
    if counted:
        counts["sent"] += 1
        counts["trunc"] += trunc
        counts["frag"] += frag
    pace()


def ext(next_hdr, body_len=6):
    """A hop-by-hop / destination options header of body_len + 2 bytes: Pad1 options."""
    assert (body_len + 2) % 8 == 0
    return struct.pack("!BB", next_hdr, (body_len + 2) // 8 - 1) + bytes(body_len)


def routing(next_hdr):
    # Type 0 is deprecated; type 2-like with segments left 0 is passed on untouched.
    return struct.pack("!BBBB", next_hdr, 0, 253, 0) + bytes(4)


def fraghdr(next_hdr, offset, more):
    return struct.pack("!BBHI", next_hdr, 0, (offset // 8) << 3 | (1 if more else 0), 0xDEAD)


def ah(next_hdr):
    # 12 bytes fixed + 4 bytes ICV: payload length (in 4-byte units, minus 2) = 2.
    return struct.pack("!BBHII", next_hdr, 2, 0, 0x100, 1) + bytes(4)


tcp_full = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, 0x02, 8192, 0, 0)
udp_full = struct.pack("!HHHH", 40001, 9000, 8, 0)

# --- IPv4 ---
for cut in range(0, 20):  # TCP header cut at every length
    send4(ip4(TCP, tcp_full[:cut]), trunc=True)
for cut in range(0, 8):  # UDP header cut short
    send4(ip4(UDP, udp_full[:cut]), trunc=True)
for cut in range(0, 8):  # ICMP header cut short
    send4(ip4(ICMP, b"\x08\x00\x00\x00\x00\x00\x00\x00"[:cut]), trunc=True)
send4(ip4(TCP, tcp_full))                       # complete, no payload
send4(ip4(UDP, udp_full))                       # zero-length payload
send4(ip4(UDP, udp_full + bytes(1400)))         # large payload, under the MTU
send4(ip4(TCP, tcp_full + bytes(1400)))
nops = b"\x01\x01\x01\x00"                      # IPv4 options: NOP NOP NOP EOL
send4(ip4(TCP, tcp_full, options=nops))
send4(ip4(UDP, udp_full, options=nops * 10))    # 40 bytes of options (IHL 15)
send4(ip4(TCP, tcp_full[:10], options=nops * 10), trunc=True)
for proto in (AH, ESP, GRE, 253, 254, 255, 0, 41, 59):  # no ports / unknown / odd
    send4(ip4(proto, bytes(24)))
for proto in (SCTP, 33, 136):                   # ports, but cut short
    send4(ip4(proto, bytes(3)), trunc=True)
if not local:
    # Fragments: first (offset 0, MF) with ports, non-first, and a lone last one.
    send4(ip4(UDP, udp_full + bytes(16), mf=True))
    send4(ip4(UDP, bytes(24), frag=24, mf=True), frag=True)
    send4(ip4(UDP, bytes(8), frag=48), frag=True)
    send4(ip4(TCP, bytes(3), frag=8), frag=True)  # non-first: short is fine
    send4(ip4(TCP, tcp_full[:4], mf=True), trunc=True)  # first fragment, header cut

# --- IPv6 ---
for cut in range(0, 20):
    send6(ip6(TCP, tcp_full[:cut]), trunc=True)
for cut in range(0, 8):
    send6(ip6(UDP, udp_full[:cut]), trunc=True)
send6(ip6(ICMPV6, b"\x80"), trunc=True)
send6(ip6(UDP, udp_full))
send6(ip6(TCP, tcp_full + bytes(1400)))
send6(ip6(NONE, b""))
send6(ip6(NONE, bytes(64)))
send6(ip6(ESP, bytes(32)))
send6(ip6(253, bytes(8)))
if not local:
    # Hop-by-hop first (the only place it is allowed), then a long mixed chain. The
    # router itself parses hop-by-hop, so only forwarded paths carry these.
    send6(ip6(HOP, ext(UDP) + udp_full))
    send6(ip6(HOP, ext(ROUTING) + routing(DSTOPTS) + ext(AH) + ah(TCP) + tcp_full))
send6(ip6(DSTOPTS, ext(ROUTING) + routing(DSTOPTS) + ext(UDP) + udp_full))
send6(ip6(AH, ah(UDP) + udp_full))
send6(ip6(AH, ah(TCP) + tcp_full[:7]), trunc=True)
send6(ip6(FRAG, fraghdr(UDP, 0, True) + udp_full + bytes(8)))            # first fragment
send6(ip6(FRAG, fraghdr(UDP, 16, True) + bytes(16)), frag=True)          # non-first
send6(ip6(FRAG, fraghdr(TCP, 32, False) + bytes(3)), frag=True)          # non-first, last
send6(ip6(FRAG, fraghdr(TCP, 0, True) + tcp_full[:12]), trunc=True)      # first, header cut
send6(ip6(DSTOPTS, ext(FRAG) + fraghdr(UDP, 8, True) + bytes(8)), frag=True)
# Chains cut inside an extension header.
send6(ip6(DSTOPTS, b"\x11"), trunc=True)
send6(ip6(ROUTING, b""), trunc=True)
send6(ip6(FRAG, fraghdr(UDP, 0, True)[:5]), trunc=True)
send6(ip6(AH, ah(UDP)[:1]), trunc=True)
send6(ip6(DSTOPTS, ext(DSTOPTS)), trunc=True)   # says another header follows; none does
# Chains longer than the parser's limit (16): 17, 20 and 40 destination-options headers.
for n in (17, 20, 40):
    chain = b"".join(ext(DSTOPTS) for _ in range(n - 1)) + ext(UDP)
    send6(ip6(DSTOPTS, chain + udp_full))
# A chain of exactly 16 headers still ends in a complete UDP header.
send6(ip6(DSTOPTS, b"".join(ext(DSTOPTS) for _ in range(15)) + ext(UDP) + udp_full))
# A large destination-options header (1 KiB), then UDP.
send6(ip6(DSTOPTS, ext(UDP, 1022) + udp_full))

# --- Garbage the router's IP layer drops before any hook (not counted) ---
for g in (b"", b"\x45", bytes(19), b"\x4f" + bytes(30), b"\x60" + bytes(10), b"\x46" + bytes(19),
          bytes(range(256)), b"\xff" * 60):
    pkt.send(frame(0x0800, g))
    pkt.send(frame(0x86DD, g))
# IPv6 whose payload length exceeds the frame: dropped by ipv6_rcv.
pkt.send(frame(0x86DD, ip6(UDP, udp_full)[:40] + b"\x00"))
print(f"sent={counts['sent']} trunc={counts['trunc']} frag={counts['frag']}")
