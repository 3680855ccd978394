# Hostile packets through `-j NETFLOW` in FORWARD and in INPUT: TCP/UDP/ICMP headers cut
# at every length, IPv4 options, IPv6 extension-header chains (hop-by-hop, routing,
# destination options, fragment first/non-first, AH, chains longer than 16, chains cut
# short), fragments, zero-length and large payloads, unknown protocols, L3 garbage, and
# GSO-sized TCP aggregates. No kernel report; trunc/frag count exactly what was sent;
# every packet that hit a rule is accounted or counted as dropped.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

load inactive_timeout=5 active_timeout=60
make_router
start_sink ns2 9000
ip netns exec ns2 socat -u TCP-LISTEN:5001,reuseaddr,fork /dev/null &
ip netns exec ns2 socat -u TCP6-LISTEN:5002,reuseaddr,fork /dev/null &
mac=$(cat /sys/class/net/r1/address)
iptables -A FORWARD -j NETFLOW
ip6tables -A FORWARD -j NETFLOW
sleep 1
# hostile DST4 DST6 [--local]: prints "sent=N trunc=N frag=N".
hostile() { ip netns exec ns1 python3 "$REPO/tests/tools/hostile.py" 10.1.0.2 "$1" fd01::2 "$2" e1 "$mac" ${3:-}; }
# expect_deltas WHAT OUTPUT: trunc and frag grew by what the sender says.
expect_deltas() {
	local what=$1 out=$2 sent trunc frag
	[[ $out =~ sent=([0-9]+)\ trunc=([0-9]+)\ frag=([0-9]+) ]] || { fail "$what: sender said '$out'"; return; }
	sent=${BASH_REMATCH[1]} trunc=${BASH_REMATCH[2]} frag=${BASH_REMATCH[3]}
	log "$what: sender: $out"
	local trunc0=$t_trunc frag0=$t_frag pkts0=$t_pkts
	sleep 1
	read_total
	check_eq "$what: trunc counted" "$((t_trunc - trunc0))" "$trunc"
	check_eq "$what: frag counted" "$((t_frag - frag0))" "$frag"
	check_ge "$what: packets reached the target" "$((t_pkts - pkts0))" "$sent"
}

log "forwarded hostile packets"
read_total
expect_deltas forward "$(hostile 10.2.0.2 fd02::2)"
check_conservation forward

log "hostile packets to the router itself (INPUT)"
iptables -A INPUT -j NETFLOW
ip6tables -A INPUT -j NETFLOW
read_total
expect_deltas input "$(hostile 10.1.0.1 fd01::1 --local)"
check_conservation input

log "IP fragmentation of large UDP datagrams (forwarded: no reassembly on the way)"
read_total
frag0=$t_frag
send 10.2.0.2 9000 4 3 60000
send fd02::2 9000 4 3 60000
sleep 1
read_total
# 60008 bytes of UDP: 41 IPv4 fragments (1480 bytes each), 42 IPv6 ones (1448 bytes).
check_eq "non-first fragments counted" "$((t_frag - frag0))" "$((12 * 40 + 12 * 41))"


log "GSO/GRO-sized TCP aggregates: bulk transfers over the veths"
ip link set r1 gro on 2>/dev/null || true
ip -n ns2 link set e2 gro on 2>/dev/null || true
f4=$(rule_bytes iptables FORWARD) p4=$(rule_pkts iptables FORWARD)
# Small: TCP over veth is slow under TCG with KASAN; bounded in case it stalls.
head -c 4M /dev/zero | timeout 150 ip netns exec ns1 socat -u - TCP:10.2.0.2:5001
head -c 2M /dev/zero | timeout 100 ip netns exec ns1 socat -u - TCP6:[fd02::2]:5002
sleep 1
df=$(($(rule_bytes iptables FORWARD) - f4)) dp=$(($(rule_pkts iptables FORWARD) - p4))
log "IPv4 FORWARD during the transfer: $dp packets, $df bytes"
check_ge "bytes forwarded" "$df" $((4 << 20))
check_ge "average skb bigger than the MTU (GSO aggregates reached the target)" "$((df / (dp + 1)))" 1501
check_conservation "bulk TCP"
check "TCP flows in the table" grep -q "^Flows: active [1-9]" $PROC

log "flush, unload"
read_total
p0=$t_pkts
sysctl -qw net.netflow.flush=1
left=$(proc_field '^Flows: active ([0-9]+) .*')
read_total
# Stray packets (ND, the last TCP ACKs) may start flows right after the flush.
check "flush emptied the table (flows left: $left, packets since: $((t_pkts - p0)))" test "$left" -le $((t_pkts - p0))
check_conservation "after flush"
iptables -F; ip6tables -F
unload
del_router
finish
