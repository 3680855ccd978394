#!/usr/bin/env python3
"""Flows as an independent decoder saw them, summed per 5-tuple, one line each, sorted:
    PROTO SRC DST SPORT DPORT PACKETS BYTES
(PROTO a number; addresses in canonical form; ICMP type << 8 | code in DPORT).

usage: flowsum.py tshark PCAP [RAW]  decode PCAP (export to udp port 2055) with
                                    tshark -V -z expert, keeping its output in RAW
       flowsum.py nfdump DIR    read nfcapd's files in DIR with nfdump -o csv
       flowsum.py records ...   as above, but one line per record (not summed)
"""
import ipaddress
import subprocess
import sys

NAMES = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58, "IPV6-ICMP": 58}


def addr(s):
    return str(ipaddress.ip_address(s.strip()))


def tshark_records(pcap, raw=None):
    # One pass (tshark is slow to start in the test VM): packet details, then the expert
    # summary, which RAW keeps for the caller to check.
    out = subprocess.run(["tshark", "-r", pcap, "-d", "udp.port==2055,cflow", "-V", "-z", "expert"],
                         check=True, capture_output=True, text=True).stdout
    if raw:
        with open(raw, "w") as f:
            f.write(out)
    recs, in_cflow = [], False
    for line in out.splitlines():
        if not line.startswith(" "):
            in_cflow = line.startswith("Cisco NetFlow/IPFIX")
            continue
        t = line.strip()
        # v5 records are "pdu N/M", v9/IPFIX data records "Flow N"
        if in_cflow and (t.startswith("pdu ") or (t.startswith("Flow ") and t[5:].isdigit())):
            recs.append({})
        elif in_cflow and recs and ": " in t:
            k, v = t.split(": ", 1)
            recs[-1].setdefault(k, v)
    for r in recs:
        # "Protocol: UDP (17)"
        proto = int(r["Protocol"].rsplit("(", 1)[1].rstrip(")"))
        yield (proto, addr(r["SrcAddr"]), addr(r["DstAddr"]), int(r["SrcPort"]),
               int(r["DstPort"]), int(r["Packets"]), int(r["Octets"]))


def nfdump_records(flowdir):
    out = subprocess.run(["nfdump", "-R", flowdir, "-o", "csv"],
                         check=True, capture_output=True, text=True).stdout
    header = None
    for line in out.splitlines():
        if line == "Summary":
            break
        cols = line.split(",")
        if header is None:
            header = cols
            continue
        if len(cols) != len(header):
            continue
        c = dict(zip(header, cols))
        dp = c["dp"]
        if "." in dp:  # ICMP "type.code"
            t, code = dp.split(".", 1)
            dp = int(t) << 8 | int(code)
        pr = c["pr"].strip()
        proto = NAMES[pr.upper()] if pr.upper() in NAMES else int(pr)
        yield (proto, addr(c["sa"]), addr(c["da"]), int(c["sp"]), int(dp),
               int(c["ipkt"]), int(c["ibyt"]))


def main():
    args = sys.argv[1:]
    summed = True
    if args and args[0] == "records":
        summed, args = False, args[1:]
    tool, path = args[0], args[1]
    recs = tshark_records(path, *args[2:]) if tool == "tshark" else nfdump_records(path)
    if not summed:
        lines = [" ".join(map(str, r)) for r in recs]
    else:
        sums = {}
        for r in recs:
            p, b = sums.get(r[:5], (0, 0))
            sums[r[:5]] = (p + r[5], b + r[6])
        lines = [" ".join(map(str, k + v)) for k, v in sums.items()]
    for line in sorted(lines):
        print(line)


main()
