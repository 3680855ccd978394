#!/usr/bin/env python3
"""Module lifecycle cycles in one process (spawning is slow in the test VM):
insmod, add -j NETFLOW rules, send traffic, check the counters, delete the rules, rmmod.

usage: lifecycle.py KO CYCLES
Backends alternate (nft, legacy); every 5th cycle also adds and checks an ip6tables rule.
Prints one line per 10 cycles and exits non-zero at the first failure.
"""
import ctypes
import errno
import os
import socket
import subprocess
import sys
import time

SYS_FINIT_MODULE = 313
SYS_DELETE_MODULE = 176
libc = ctypes.CDLL(None, use_errno=True)


def insmod(ko):
    fd = os.open(ko, os.O_RDONLY)
    try:
        if libc.syscall(SYS_FINIT_MODULE, fd, b"", 0) != 0:
            raise OSError(ctypes.get_errno(), "finit_module")
    finally:
        os.close(fd)


def rmmod():
    # nf_tables puts its module reference from a work item after the commit: retry briefly.
    for _ in range(100):
        if libc.syscall(SYS_DELETE_MODULE, b"ipt_NETFLOW", os.O_NONBLOCK) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EBUSY, errno.EAGAIN):
            raise OSError(err, "delete_module")
        time.sleep(0.05)
    raise OSError(errno.EBUSY, "delete_module: still in use")


def restore(tool, rules, noflush):
    text = "*filter\n" + "".join(f"-A {r} -j NETFLOW\n" for r in rules) + "COMMIT\n"
    args = [tool, "-w"] + (["--noflush"] if noflush else [])
    subprocess.run(args, input=text.encode(), check=True)


def send(family, addr, n):
    s = socket.socket(family, socket.SOCK_DGRAM)
    for _ in range(n):
        s.sendto(b"lifecycle", (addr, 9))
    s.close()


def target_packets():
    with open("/proc/net/stat/ipt_netflow") as f:
        for line in f:
            if line.startswith("Total "):
                return int(line.split("traffic: ")[1].split(",")[0])
    raise RuntimeError("no Total line")


def main():
    ko, cycles = sys.argv[1], int(sys.argv[2])
    start = time.time()
    for i in range(1, cycles + 1):
        backend = "nft" if i % 2 else "legacy"
        v6 = i % 5 == 0
        insmod(ko)
        restore(f"iptables-{backend}-restore", ["INPUT", "OUTPUT"], True)
        if v6:
            restore(f"ip6tables-{backend}-restore", ["OUTPUT"], True)
        send(socket.AF_INET, "127.0.0.1", 3)
        if v6:
            send(socket.AF_INET6, "::1", 3)
        # 3 packets seen in OUTPUT and 3 in INPUT, plus 3 in OUTPUT for IPv6.
        want = 6 + (3 if v6 else 0)
        got = target_packets()
        if got < want:
            print(f"cycle {i} ({backend}): the target saw {got} packets, want >= {want}")
            return 1
        restore(f"iptables-{backend}-restore", [], False)
        if v6:
            restore(f"ip6tables-{backend}-restore", [], False)
        rmmod()
        if i % 10 == 0:
            print(f"cycle {i}: ok, {time.time() - start:.0f} s")
    print(f"cycles={cycles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
