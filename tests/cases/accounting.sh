# Flow accounting end to end (NetFlow v9 to nfcapd): IPv4 and IPv6 flows are exact; two
# CPUs hitting the same flows at once lose no counts; aggregation merges flows; fragments
# are accounted (non-first fragments with ports 0) and counted.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

nf=/tmp/nfa
start_nfcapd $nf
load protocol=9 inactive_timeout=300
make_router
start_sink ns2 9000
ip netns exec ns2 socat -u "UDP6-RECV:9000,reuseaddr" /dev/null &
iptables -A FORWARD -j NETFLOW
ip6tables -A FORWARD -j NETFLOW
total() { proc_field '^Total .*traffic: ([0-9]+), .*'; }
active() { proc_field '^Flows: active ([0-9]+) .*'; }

log "IPv4 and IPv6: N 5-tuples give N flows"
send 10.2.0.2 9000 50 4 100 20000
send fd02::2 9000 40 3 100 21000
check_eq "90 flows in the table" "$(active)" 90

log "two CPUs, same 20 flows, at the same time"
REUSEPORT=1 taskset -c 0 ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 20 50 60 22000 >/dev/null &
a=$!
REUSEPORT=1 taskset -c 1 ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 20 50 60 22000 >/dev/null &
b=$!
wait $a $b
check_eq "still 20 more flows, not 40" "$(active)" 110
cpus=$(grep -cE '^cpu[0-9]+ +[0-9]+; +[0-9]+ +[1-9]' $PROC)
check_ge "both CPUs accounted packets" "$cpus" 2

log "fragments"
send 10.2.0.2 9000 1 5 3000 23000
frag=$(proc_field '^Total *[0-9]+; *[0-9]+ *[0-9]+ *[0-9]+ \[[0-9.]+\], *[0-9]+ *([0-9]+) .*')
check_eq "non-first fragments counted (2 per 3000-byte datagram)" "$frag" 10

sysctl -qw net.netflow.flush=1
pkts4=$(rule_pkts iptables FORWARD); bytes4=$(rule_bytes iptables FORWARD)
pkts6=$(rule_pkts ip6tables FORWARD); bytes6=$(rule_bytes ip6tables FORWARD)
check_eq "every packet accounted (Total = rule counters)" "$(total)" "$((pkts4 + pkts6))"

log "aggregation merges flows"
sysctl -qw net.netflow.aggregation=20000-29999=29999
send 10.2.0.2 9000 30 2 100 24000
check_eq "30 source ports folded into one flow" "$(active)" 1
sysctl -qw net.netflow.flush=1
sysctl -qw net.netflow.aggregation=
sleep 1
iptables -F; ip6tables -F
unload
stop_nfcapd $nf

csv=$(nfdump -q -R $nf -o csv 'proto udp' | grep -E '^[0-9]{4}-')
col() { nfdump -R $nf -o csv 2>/dev/null | head -1 | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
sp=$(col sp); ipk=$(col ipkt); sa=$(col sa)
flows_from() { echo "$csv" | awk -F, -v c="$sp" -v lo="$1" -v hi="$2" '$c >= lo && $c <= hi' | wc -l; }
pk_from() { echo "$csv" | awk -F, -v c="$sp" -v p="$ipk" -v lo="$1" -v hi="$2" '$c >= lo && $c <= hi { s += $p } END { print s + 0 }'; }
check_eq "collector: 50 IPv4 flows of 4 packets" "$(flows_from 20000 20049) $(pk_from 20000 20049)" "50 200"
check_eq "collector: 40 IPv6 flows of 3 packets" "$(flows_from 21000 21039) $(pk_from 21000 21039)" "40 120"
check_eq "collector: 20 shared flows with both CPUs' 2000 packets" "$(flows_from 22000 22019) $(pk_from 22000 22019)" "20 2000"
check_eq "collector: the aggregated flow has all 60 packets" "$(flows_from 29999 29999) $(pk_from 29999 29999)" "1 60"
check_eq "collector: all packets = rule counters" "$(nfdump_sum $nf ipkt)" "$((pkts4 + pkts6 + 60))"
check_eq "no sequence failures" "$(seq_failures $nf)" 0
del_router
finish
