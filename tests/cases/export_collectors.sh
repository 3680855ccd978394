# Collectors: two destinations get identical flow sets, and 10k+ flows are conserved
# (exported packets and bytes = rule counters); a new destination gets the templates;
# an absent collector (ICMP port unreachable) is counted as cberr, costs no accounting,
# and export resumes when it is back; a tiny send buffer with a burst counts
# "sndbuf reached" and lost flows, and raising it recovers. A protocol per collector: v5,
# v9 and IPFIX at once (and pmacct's nfacctd as a third decoder) each get every flow their
# protocol carries, IPv6 counted lost for v5 only; %dev binds a collector's socket to a
# VRF device, the only way to its address.
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"

flowsum() { python3 "$REPO/tests/tools/flowsum.py" "$@"; }
# Export line: total flows, errors (PDUs no collector took), lost flows.
export_flows() { proc_field '^Export: .*pkts, [0-9]+ MB, ([0-9]+) flows; .*'; }
export_errors() { proc_field '^Export: .*; Errors ([0-9]+) pkts; .*'; }
export_lost_flows() { proc_field '^Export: .*Traffic lost [0-9]+ pkts, [0-9]+ Kbytes, ([0-9]+) flows\.$'; }
# A counter of the sockN line: sock_err N NAME (sndbuf reached, connect, cberr, other)
sock_err() { proc_field "^sock$1: .* $2 ([0-9]+)([,;].*)?$"; }
traffic_pkts() { proc_field '^Total .*traffic: ([0-9]+), .*'; }
show() { grep -E '^(Flows|Total|Export|sock)' $PROC | sed 's/^/    /'; }

# Big socket buffers for the collectors: a flush of 10k flows is one burst.
sysctl -qw net.core.rmem_default=16777216 net.core.rmem_max=16777216
nfa=/tmp/nfa nfb=/tmp/nfb
start_nfcapd $nfa 2055 127.0.0.1
start_nfcapd $nfb 2056 127.0.0.2
# IPFIX sequences are checked by tshark (tests/lib.sh: seq_failures): one capture each.
start_dumpcap $nfa.pcap 2055
start_dumpcap $nfb.pcap 2056
load protocol=10 destination=127.0.0.1:2055,127.0.0.2:2056 inactive_timeout=300 active_timeout=600
make_router
iptables -A FORWARD -j NETFLOW
# ns2 drops the test traffic silently (no sink per port, no ICMP errors).
ip netns exec ns2 iptables -A INPUT -p udp -j DROP

log "two collectors, 10500 flows"
ip netns exec ns1 python3 "$REPO/tests/tools/udp_ports.py" 10.2.0.2 20000 10500 40 9999
log "sent"
pkts=$(rule_pkts iptables FORWARD) bytes=$(rule_bytes iptables FORWARD)
sysctl -qw net.netflow.flush=1
show
check_eq "module: 10500 flows exported" "$(export_flows)" 10500
check_eq "module: no export errors" "$(export_errors)" 0
check_eq "module: no flow lost" "$(export_lost_flows)" 0
check_match "sock0: no error" "$(grep '^sock0:' $PROC)" '^sock0: 127\.0\.0\.1:2055, .*; err: sndbuf reached 0, connect 0, cberr 0, other 0; protocol 10$'
check_match "sock1: no error" "$(grep '^sock1:' $PROC)" '^sock1: 127\.0\.0\.2:2056, .*; err: sndbuf reached 0, connect 0, cberr 0, other 0; protocol 10$'
sleep 2
stop_nfcapd $nfa
stop_nfcapd $nfb
stop_dumpcap $nfa.pcap; stop_dumpcap $nfb.pcap
log "rule counter: $pkts packets, $bytes bytes"
# One line per record: protocol, addresses, ports, packets, bytes.
records() { timeout 300 nfdump -q -N -R "$1" -o 'fmt:%pr %sa %da %sp %dp %pkt %byt' | awk '{ $1 = $1; print }' | sort; }
records $nfa >/tmp/a.flows
log "collector A read"
records $nfb >/tmp/b.flows
log "collector B read"
check_eq "collector A: 10500 flows" "$(wc -l </tmp/a.flows)" 10500
check_eq "collector A: packets = rule counter" "$(awk '{ s += $6 } END { print s }' /tmp/a.flows)" "$pkts"
check_eq "collector A: bytes = rule counter" "$(awk '{ s += $7 } END { print s }' /tmp/a.flows)" "$bytes"
check_eq "collector B got the identical flow set" "$(cmp -s /tmp/a.flows /tmp/b.flows && echo same)" same
check_eq "collector A: sequence failures (tshark)" "$(ipfix_seq_failures $nfa.pcap 2055)" 0
check_eq "collector B: sequence failures (tshark)" "$(ipfix_seq_failures $nfb.pcap 2056)" 0

log "a new destination gets the templates with its first PDU"
nfc=/tmp/nfc
start_nfcapd $nfc 2057
sysctl -qw net.netflow.destination=127.0.0.1:2057
send 10.2.0.2 9000 20 1 40 40000
sysctl -qw net.netflow.flush=1
sleep 1
stop_nfcapd $nfc
check_eq "new collector decoded all 20 flows" "$(flowsum nfdump $nfc | wc -l)" 20

log "collector absent: ICMP port unreachable is counted, nothing else changes"
sysctl -qw net.netflow.protocol=5
iptables -Z FORWARD
t0=$(traffic_pkts) f0=$(export_flows)
for i in 1 2 3; do
	send 10.2.0.2 9000 40 1 40 $((41000 + 100 * i))
	sysctl -qw net.netflow.flush=1
done
show
check_ge "sock0: cberr counted" "$(sock_err 0 cberr)" 1
check_eq "sock0: no other error" "$(sock_err 0 other)" 0
check_eq "accounting unaffected: traffic = rule counter" "$(($(traffic_pkts) - t0))" "$(rule_pkts iptables FORWARD)"
check_eq "flows still exported (the module cannot know)" "$(($(export_flows) - f0))" 120
log "collector back"
start_nfcapd $nfc 2057
send 10.2.0.2 9000 30 2 40 42000
sysctl -qw net.netflow.flush=1
sleep 1
stop_nfcapd $nfc
check_eq "export resumed: the 30 flows sent since arrived" \
	"$(flowsum nfdump $nfc | awk '$4 >= 42000 && $4 < 42030 && $6 == 2 { n++ } END { print n + 0 }')" 30

log "tiny sndbuf: a collector whose address does not resolve holds every PDU sent"
# 10.9.0.2 on a veth whose far end answers no ARP (yet): PDUs wait in the neighbour
# queue, charged to the socket, so a minimal buffer fills after one or two.
ip netns add ns9
ip link add r9 type veth peer name e9 netns ns9
ip addr add 10.9.0.1/24 dev r9
ip link set r9 up
ip -n ns9 link set e9 up
ip -n ns9 link set lo up
sysctl -qw net.netflow.sndbuf=1
sysctl -qw net.netflow.destination=10.9.0.2:2055
sndbuf=$(proc_field '^sock0: 10\.9\.0\.2:2055, sndbuf ([0-9]+), .*')
check_match "sndbuf=1 clamps to the kernel's minimum" "$sndbuf" '^[1-9][0-9]{3}$'
e0=$(export_errors) l0=$(export_lost_flows) f0=$(export_flows)
send 10.2.0.2 9000 300 1 40 43000
sysctl -qw net.netflow.flush=1
show
check_ge "sock0: sndbuf reached counted" "$(sock_err 0 'sndbuf reached')" 1
check_ge "export errors counted" "$(($(export_errors) - e0))" 1
lost=$(($(export_lost_flows) - l0)) sent=$(($(export_flows) - f0))
check_ge "lost flows counted" "$lost" 1
check_eq "every flow exported or counted lost" "$((lost + sent))" 300
log "raise sndbuf, the collector appears"
sysctl -qw net.netflow.sndbuf=1048576
check "sock0 sndbuf 1048576" grep -q '^sock0: 10\.9\.0\.2:2055, sndbuf 1048576,' $PROC
nfd=/tmp/nfd
mkdir -p $nfd
ip -n ns9 addr add 10.9.0.2/24 dev e9
ip netns exec ns9 nfcapd -w $nfd -b 10.9.0.2 -p 2055 >$nfd.log 2>&1 &
nfd_pid=$!
# The failed neighbour entry is retried on the next packet; give nfcapd time to start.
sleep 4
sb0=$(sock_err 0 'sndbuf reached') e0=$(export_errors)
send 10.2.0.2 9000 100 1 40 44000
sysctl -qw net.netflow.flush=1
sleep 1
show
kill -TERM $nfd_pid; wait $nfd_pid; sleep 0.5
check_eq "no sndbuf errors after raising it" "$(sock_err 0 'sndbuf reached')" "$sb0"
check_eq "no export errors after raising it" "$(export_errors)" "$e0"
check_eq "the 100 flows arrived" "$(flowsum nfdump $nfd | awk '$4 >= 44000 && $4 < 44100 { n++ } END { print n + 0 }')" 100

log "a protocol per collector: v5, v9, IPFIX and nfacctd (IPFIX) at once"
sysctl -qw net.netflow.sndbuf=1048576
n5=/tmp/n5 n9=/tmp/n9 n10=/tmp/n10 nfacct=/tmp/nfacct
start_nfcapd $n5 2061
start_nfcapd $n9 2062
start_nfcapd $n10 2063
start_dumpcap $n10.pcap 2063
mkdir -p $nfacct
cat >$nfacct.conf <<EOC
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: 2064
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto
print_output: csv
print_output_file: $nfacct/flows.csv
print_output_file_append: true
print_refresh_time: 3600
EOC
nfacctd -f $nfacct.conf >$nfacct.log 2>&1 &
nfacct_pid=$!
# Listening before it is named a collector, or its first PDU meets a closed port (cberr).
for _ in $(seq 100); do grep -q "waiting for NetFlow" $nfacct.log 2>/dev/null && break; sleep 0.1; done
ip6tables -A FORWARD -j NETFLOW
ip netns exec ns2 ip6tables -A INPUT -p udp -j DROP
sysctl -qw net.netflow.protocol=9
sysctl -qw net.netflow.destination=127.0.0.1:2061/5,127.0.0.1:2062,127.0.0.1:2063/10,127.0.0.1:2064/10
check_match "sysctl reads back each entry as written" "$(sysctl -n net.netflow.destination)" '^127\.0\.0\.1:2061/5,127\.0\.0\.1:2062,127\.0\.0\.1:2063/10,127\.0\.0\.1:2064/10$'
check_match "sock0 speaks v5" "$(grep '^sock0:' $PROC)" '^sock0: 127\.0\.0\.1:2061, .*; protocol 5$'
check_match "sock1 follows the protocol setting (9)" "$(grep '^sock1:' $PROC)" '^sock1: 127\.0\.0\.1:2062, .*; protocol 9$'
check_match "sock2 speaks IPFIX" "$(grep '^sock2:' $PROC)" '^sock2: 127\.0\.0\.1:2063, .*; protocol 10$'
sleep 2
iptables -Z FORWARD; ip6tables -Z FORWARD
l0=$(export_lost_flows)
send 10.2.0.2 9000 200 3 60 45000
send fd02::2 9000 50 2 80 46000
sysctl -qw net.netflow.flush=1
pkts4=$(rule_pkts iptables FORWARD) bytes4=$(rule_bytes iptables FORWARD)
pkts6=$(rule_pkts ip6tables FORWARD) bytes6=$(rule_bytes ip6tables FORWARD)
show
check_eq "v5 lane: the 50 IPv6 flows counted lost" "$(($(export_lost_flows) - l0))" 50
sleep 3
stop_nfcapd $n5; stop_nfcapd $n9; stop_nfcapd $n10; stop_dumpcap $n10.pcap
# SIGINT: nfacctd and its print plugin purge their caches and exit (a killed core makes
# the plugin log an error and exit on its own). That purge is the only write: with a
# refresh every second, a row was now and then written twice (nfacctd's CSV had one flow
# twice while the capture of the same PDUs had it once).
kill -INT $nfacct_pid
for _ in $(seq 100); do pgrep -f 'nfacctd: ' >/dev/null || break; sleep 0.2; done
wait $nfacct_pid 2>/dev/null
for n in $n5 $n9 $n10; do flowsum records nfdump $n >$n.flows; done
check_eq "v5 collector: the 200 IPv4 flows" "$(wc -l <$n5.flows)" 200
check_eq "v5 collector: packets = IPv4 rule counter" "$(awk '{ s += $6 } END { print s }' $n5.flows)" "$pkts4"
for n in $n9 $n10; do
	v=${n#/tmp/n}
	check_eq "v$v collector: all 250 flows" "$(wc -l <$n.flows)" 250
	check_eq "v$v collector: packets = rule counters" "$(awk '{ s += $6 } END { print s }' $n.flows)" "$((pkts4 + pkts6))"
	check_eq "v$v collector: bytes = rule counters" "$(awk '{ s += $7 } END { print s }' $n.flows)" "$((bytes4 + bytes6))"
done
check_eq "v5 collector: bytes = IPv4 rule counter" "$(awk '{ s += $7 } END { print s }' $n5.flows)" "$bytes4"
for n in $n5 $n9; do check_eq "$n: sequence failures" "$(seq_failures $n)" 0; done
check_eq "$n10: sequence failures (tshark)" "$(ipfix_seq_failures $n10.pcap 2063)" 0
# nfacctd: its CSV has a header naming the columns; sum the data rows.
col() { head -1 $nfacct/flows.csv | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
pc=$(col PACKETS) bc=$(col BYTES)
rows() { awk -F, -v c="$pc" 'NR > 1 && $c ~ /^[0-9]+$/' $nfacct/flows.csv; }
# For a failure's diagnosis: its warnings and any aggregate key it printed twice.
grep -E '^(ERROR|WARN)' $nfacct.log | head -5 | sed 's/^/    nfacctd: /'
rows | cut -d, -f1-5 | sort | uniq -d | head -5 | sed 's/^/    nfacctd twice: /'
cp $nfacct.log $nfacct/flows.csv $n10.pcap "$NETFLOW_OUT/" 2>/dev/null
check_eq "nfacctd: packets = rule counters" "$(rows | awk -F, -v c="$pc" '{ s += $c } END { print s + 0 }')" "$((pkts4 + pkts6))"
check_eq "nfacctd: bytes = rule counters" "$(rows | awk -F, -v c="$bc" '{ s += $c } END { print s + 0 }')" "$((bytes4 + bytes6))"
# Its own messages start with their level; the startup banner quotes build flags (-Werror=...).
check_eq "nfacctd: no errors or warnings (sequence, templates) in its log" "$(grep -cE '^(ERROR|WARN)' $nfacct.log)" 0
ip6tables -F FORWARD

log "%dev: a collector reachable only through a VRF device"
ip link add vrf-blue type vrf table 10
ip link set vrf-blue up
ip netns add ns8
ip link add r8 type veth peer name e8 netns ns8
ip link set r8 master vrf-blue
ip addr add 10.8.0.1/24 dev r8
ip link set r8 up
ip -n ns8 addr add 10.8.0.2/24 dev e8
ip -n ns8 link set e8 up
ip -n ns8 link set lo up
n8=/tmp/n8
mkdir -p $n8
ip netns exec ns8 nfcapd -w $n8 -b 10.8.0.2 -p 2060 >$n8.log 2>&1 &
n8_pid=$!
sleep 1
sysctl -qw net.netflow.destination=10.8.0.2:2060
check_match "without %dev: no route in the main table" "$(grep '^sock0:' $PROC)" '^sock0: 10\.8\.0\.2:2060 unconnected \([0-9]+ attempts\); protocol 9$'
sysctl -qw net.netflow.destination=10.8.0.2:2060%vrf-blue
check_match "with %vrf-blue: connected, the device shown" "$(grep '^sock0:' $PROC)" '^sock0: 10\.8\.0\.2:2060%vrf-blue, sndbuf .*; protocol 9$'
refuse destination 10.8.0.2:2060%nosuchdev 1.2.3.4/7 1.2.3.4%a:b
check_eq "refused writes kept the collector" "$(sysctl -n net.netflow.destination)" "10.8.0.2:2060%vrf-blue"
send 10.2.0.2 9000 25 1 40 47000
sysctl -qw net.netflow.flush=1
sleep 2
kill -TERM $n8_pid; wait $n8_pid; sleep 0.5
check_eq "the 25 flows arrived through the VRF" "$(flowsum nfdump $n8 | awk '$4 >= 47000 && $4 < 47025 { n++ } END { print n + 0 }')" 25
ip netns del ns8
ip link del vrf-blue

iptables -F
unload
del_router
ip netns del ns9
finish
