# N distinct UDP 5-tuples across the router produce exactly N flows at the collector, with
# packet and byte totals equal to the iptables rule counters (NetFlow v5 to nfcapd).
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

nf=/tmp/nf5
start_nfcapd $nf
load protocol=5 inactive_timeout=2 active_timeout=60
make_router
iptables -A FORWARD -j NETFLOW
start_sink ns2 9000
ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 200 5 100
sleep 5
pkts=$(rule_pkts iptables FORWARD)
bytes=$(rule_bytes iptables FORWARD)
iptables -F
unload
stop_nfcapd $nf
log "rule counters: $pkts packets, $bytes bytes"
nfdump -R $nf -I | sed 's/^/    /' | head -20
check_eq "UDP flows at the collector" "$(nfdump -q -R $nf -o csv "proto udp" | grep -cE "^[0-9]{4}-")" 200
check_eq "packets at the collector = rule counter" "$(nfdump_sum $nf ipkt)" "$pkts"
check_eq "bytes at the collector = rule counter" "$(nfdump_sum $nf ibyt)" "$bytes"
check_eq "sequence failures" "$(seq_failures $nf)" 0
del_router
finish
