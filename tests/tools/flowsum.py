#!/usr/bin/env python3
"""Flows as an independent decoder saw them, summed per 5-tuple, one line each, sorted:
    PROTO SRC DST SPORT DPORT PACKETS BYTES
(PROTO a number; addresses in canonical form; ICMP type << 8 | code in DPORT).

usage: flowsum.py tshark PCAP [RAW]  decode PCAP (export to udp port 2055) with
                                    tshark -V -z expert, keeping its output in RAW
       flowsum.py nfdump DIR    read nfcapd's files in DIR with nfdump -o csv
       flowsum.py records ...   as above, but one line per record (not summed)
       flowsum.py fields PCAP   one line per tshark record: its 5-tuple, then the fields
                                beyond it as key=value (NextHop, IPVersion, OptionMap,
                                TCPOptionMap, ExtHeaders, FlowLabel, IGMPType, SPI)
"""
import ipaddress
import subprocess
import sys

NAMES = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58, "IPV6-ICMP": 58, "IGMP": 2, "ESP": 50}


def addr(s):
    return str(ipaddress.ip_address(s.strip()))


def tshark_records(pcap, raw=None, fields=False):
    # One pass (tshark is slow to start in the test VM): packet details, then the expert
    # summary, which RAW keeps for the caller to check.
    out = subprocess.run(["tshark", "-r", pcap, "-d", "udp.port==2055,cflow", "-V", "-z", "expert"],
                         check=True, capture_output=True, text=True).stdout
    if raw:
        with open(raw, "w") as f:
            f.write(out)
    recs, in_cflow, in_rec = [], False, False
    for line in out.splitlines():
        if not line.startswith(" "):
            in_cflow, in_rec = line.startswith("Cisco NetFlow/IPFIX"), False
            continue
        t = line.strip()
        # v5 records are "pdu N/M", v9/IPFIX data records "Flow N"; a set header (a
        # template set between data sets) ends a record
        if t.startswith("FlowSet ") or t.startswith("Set "):
            in_rec = False
        if in_cflow and (t.startswith("pdu ") or (t.startswith("Flow ") and t[5:].isdigit())):
            recs.append({})
            in_rec = True
        elif in_cflow and in_rec and ": " in t:
            k, v = t.split(": ", 1)
            recs[-1].setdefault(k, v)
    for r in recs:
        # options records (statistics, interface names) are not flows
        if "Protocol" in r and "SrcAddr" in r:
            yield (r if fields else tshark_tuple(r))


def tshark_tuple(r):
    """(proto, src, dst, sport, dport, packets, bytes) of one tshark record; ICMP records
    carry no ports (type << 8 | code becomes DPORT), other portless ones 0 and 0."""
    # "Protocol: UDP (17)"
    proto = int(r["Protocol"].rsplit("(", 1)[1].rstrip(")"))
    if "ICMP Type" in r:
        icmp = int(r["ICMP Type"], 16)
    elif "IPv6 ICMP Type" in r:
        icmp = int(r["IPv6 ICMP Type"]) << 8 | int(r["IPv6 ICMP Code"])
    else:
        icmp = None
    sport = int(r.get("SrcPort", 0))
    dport = int(r["DstPort"]) if "DstPort" in r else (icmp or 0)
    return (proto, addr(r["SrcAddr"]), addr(r["DstAddr"]), sport, dport,
            int(r["Packets"]), int(r["Octets"]))


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


EXTRA = {"NextHop": "NextHop", "IPVersion": "IPVersion", "OptionMap": "OptionMap",
         "TCP OptionMap": "TCPOptionMap", "IPv6 Extension Headers": "ExtHeaders",
         "ipv6FlowLabel": "FlowLabel", "IGMP Type": "IGMPType", "IPSec SPI": "SPI"}


def main():
    args = sys.argv[1:]
    if args and args[0] == "fields":
        for r in tshark_records(args[1], fields=True):
            extra = " ".join(f"{EXTRA[k]}={v}" for k, v in sorted(r.items()) if k in EXTRA)
            print(" ".join(map(str, tshark_tuple(r)[:5])), extra)
        return
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
