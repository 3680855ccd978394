# NAT events (natevents=1): conntrack's create and destroy events of translated
# connections, read from its netlink event groups (conntrack's event callback stays
# ctnetlink's), exported as NEL records (IPFIX, decoded by tshark) and as C's v5
# pseudo-flows. The root namespace routes ns1 -> ns2 with MASQUERADE and a DNAT rule.
# - ctnetlink loaded after the module: events flow (C's natevents end in that order).
# - N TCP (DNAT + MASQUERADE) and N UDP (MASQUERADE) IPv4 connections, and TCP over IPv6
#   (NAT66): exactly N create and N delete events per kind at the collector, pre- and
#   post-NAT addresses and ports right, while `conntrack -E` sees every connection too.
# - v5: two pseudo-flows per full-NAT event (next hop and AS fields as C).
# - natevents=0: conntrack -E still works; ctnetlink unloaded and loaded again while
#   natevents=1: our events flow again, no warning.
# - A burst of UDP connections from pktgen (as fast as the VM goes): creates at the
#   collector + counted losses = connections; flushing them all at once: deletes at the
#   collector + counted losses = connections.
# - natevents toggled under that load, and rmmod during it: clean.
# timeout: 1500
. "$NETFLOW_REPO/tests/lib.sh"

N=${NAT_N:-1000}
N6=${NAT_N6:-200}
CT=$NETFLOW_KDIR/net/netfilter/nf_conntrack_netlink.ko
OUT=${NETFLOW_OUT:-/tmp}
nat_line() { grep '^Natevents' $PROC; }
nat_counter() { sed -nE "s/^$1 +([0-9]+)/\1/p" /proc/net/stat/ipt_netflow_snmp; }

make_router
# Connections end on their own within seconds (spread out: a flush of thousands at once
# overruns conntrack -E's socket), and the table holds the burst.
short_timeouts() {
	local t
	for t in tcp_timeout_time_wait tcp_timeout_close tcp_timeout_fin_wait tcp_timeout_last_ack \
		tcp_timeout_close_wait udp_timeout udp_timeout_stream; do
		sysctl -qw net.netfilter.nf_conntrack_$t="$1"
	done
}
sysctl -qw net.netfilter.nf_conntrack_max=262144
short_timeouts 2
iptables -w -t nat -A POSTROUTING -o r2 -j MASQUERADE
iptables -w -t nat -A PREROUTING -i r1 -p tcp --dport 8080 -j DNAT --to-destination 10.2.0.2:80
ip6tables -w -t nat -A POSTROUTING -o r2 -j MASQUERADE
ip6tables -w -t nat -A PREROUTING -i r1 -p tcp --dport 8080 -j DNAT --to-destination '[fd02::2]:80'
ip netns exec ns2 python3 "$REPO/tests/tools/nat_conns.py" server 80 &
server=$!
socat -u UDP-RECV:2055,bind=127.0.0.1,reuseaddr /dev/null &
socat -u UDP-RECV:2056,bind=127.0.0.1,reuseaddr /dev/null &
sleep 1
conns() { ip netns exec ns1 python3 "$REPO/tests/tools/nat_conns.py" "$@" | sed -n 's/^connections //p'; }

log "module first, ctnetlink after it"
check "insmod natevents=1 protocol=10" load natevents=1 protocol=10 destination=127.0.0.1:2055
check_match "/proc: enabled" "$(nat_line)" "^Natevents enabled, count start 0, stop 0\."
check_match "/proc: conntrack delivers no events yet" "$(nat_line)" "delivers no events"
check "dmesg says events start once ctnetlink is there" bash -c "dmesg | grep -q 'natevents: conntrack delivers no events'"
check "insmod nf_conntrack_netlink after the module" insmod "$CT"
check_match "/proc: conntrack delivers events" "$(nat_line)" "conntrack delivers events"

log "$N TCP (DNAT + MASQUERADE), $N UDP (MASQUERADE), $N6 TCP over IPv6, conntrack -E beside"
# Its output on tmpfs: a write to the results share can stall it long enough to overrun
# its socket.
conntrack -E -e NEW,DESTROY -b 33554432 >/tmp/conntrack-E.txt 2>&1 &
ctev=$!
start_dumpcap "$OUT/nel.pcap" 2055
t0=$(date +%s%3N)
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 "$N")" "$N"
check_eq "UDP connections made" "$(conns udp 10.2.0.2 5353 "$N" 20000)" "$N"
check_eq "TCP IPv6 connections made" "$(conns tcp fd01::1 8080 "$N6")" "$N6"
total=$((2 * N + N6))
for i in $(seq 120); do
	[ "$(nat_counter natStop)" -ge "$total" ] && break
	sleep 1
done
ok "connections ended after $i s"
t1=$(date +%s%3N)
sysctl -qw net.netflow.flush=1
sleep 1
stop_dumpcap "$OUT/nel.pcap"
kill -INT $ctev; wait $ctev 2>/dev/null
cp /tmp/conntrack-E.txt "$OUT/"
python3 "$REPO/tests/tools/nel_records.py" "$OUT/nel.pcap" 2055 >"$OUT/nel.txt"
count() { grep -cE "$1" "$OUT/nel.txt"; }
for ev in 1 2; do
	check_eq "event $ev: TCP 10.1.0.2 -> 10.1.0.1:8080 as 10.2.0.1 -> 10.2.0.2:80" \
		"$(count "^$ev 6 10\.1\.0\.2 [0-9]+ 10\.1\.0\.1 8080 10\.2\.0\.1 [0-9]+ 10\.2\.0\.2 80 ")" "$N"
	check_eq "event $ev: UDP 10.1.0.2 -> 10.2.0.2:5353 as 10.2.0.1 -> 10.2.0.2:5353" \
		"$(count "^$ev 17 10\.1\.0\.2 [0-9]+ 10\.2\.0\.2 5353 10\.2\.0\.1 [0-9]+ 10\.2\.0\.2 5353 ")" "$N"
	check_eq "event $ev: TCP fd01::2 -> fd01::1:8080 as fd02::1 -> fd02::2:80" \
		"$(count "^$ev 6 fd01::2 [0-9]+ fd01::1 8080 fd02::1 [0-9]+ fd02::2 80 ")" "$N6"
done
check_eq "UDP creates: every source port once (20000..)" \
	"$(awk '$1 == 1 && $2 == 17 && $4 >= 20000 && $4 < 20000 + n { print $4 }' n="$N" "$OUT/nel.txt" | sort -u | wc -l)" "$N"
check_eq "NEL records with a time outside the test's" \
	"$(awk -v a="$t0" -v b="$t1" '$11 < a - 1000 || $11 > b + 1000' "$OUT/nel.txt" | wc -l)" 0
check_eq "tshark: IPFIX sequence failures" "$(ipfix_seq_failures "$OUT/nel.pcap" 2055)" 0
ce() { grep -E "$1" "$OUT/conntrack-E.txt" | grep -c "$2"; }
check_eq "conntrack -E saw every TCP connection created" "$(ce '\[NEW\] tcp' 'src=10.1.0.2 dst=10.1.0.1 sport=[0-9]* dport=8080')" "$N"
check_eq "conntrack -E saw every TCP connection destroyed" "$(ce '\[DESTROY\] tcp' 'src=10.1.0.2 dst=10.1.0.1 sport=[0-9]* dport=8080')" "$N"
check_eq "conntrack -E saw every UDP connection created" "$(ce '\[NEW\] udp' 'src=10.1.0.2 dst=10.2.0.2 sport=[0-9]* dport=5353')" "$N"
check_eq "conntrack -E saw every UDP connection destroyed" "$(ce '\[DESTROY\] udp' 'src=10.1.0.2 dst=10.2.0.2 sport=[0-9]* dport=5353')" "$N"
check_eq "conntrack -E lost nothing" "$(grep -c ENOBUFS "$OUT/conntrack-E.txt")" 0
check_match "/proc counts the events" "$(nat_line)" "count start $total, stop $total\."
check_match "/proc: nothing lost" "$(nat_line)" "lost 0 \(receive queue full 0, not sent 0\), malformed 0"
check_eq "snmp natStart" "$(nat_counter natStart)" "$total"
check_eq "snmp natExported" "$(nat_counter natExported)" "$((2 * total))"
nat_line | sed 's/^/    /'

log "v5: C's pseudo-flows"
sysctl -qw net.netflow.destination=127.0.0.1:2056/5
start_dumpcap "$OUT/nel-v5.pcap" 2056
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 10)" 10
conntrack -F 2>/dev/null
sleep 2
sysctl -qw net.netflow.flush=1
sleep 1
stop_dumpcap "$OUT/nel-v5.pcap"
tshark -r "$OUT/nel-v5.pcap" -d udp.port==2056,cflow -T fields -E occurrence=a -E aggregator=' ' \
	-e cflow.srcaddr -e cflow.dstaddr -e cflow.nexthop -e cflow.srcas -e cflow.dstas -e cflow.tcpflags \
	-e cflow.packets -e cflow.srcport -e cflow.dstport 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    cols = [c.split(" ") for c in line.rstrip("\n").split("\t")]
    for rec in zip(*cols):
        print(" ".join(rec))' >"$OUT/nel-v5.txt"
v5() { grep -cE "$1" "$OUT/nel-v5.txt"; }
check_eq "v5 SNAT halves (src pre-NAT, dst post-NAT, next hop + src_as the post-NAT source), create" \
	"$(v5 '^10\.1\.0\.2 10\.2\.0\.2 10\.2\.0\.1 [1-9][0-9]* 0 0x0*12 0 [0-9]+ 80$')" 10
check_eq "v5 DNAT halves (next hop + dst_as the pre-NAT destination), create" \
	"$(v5 '^10\.1\.0\.2 10\.2\.0\.2 10\.1\.0\.1 0 8080 0x0*12 0 [0-9]+ 80$')" 10
check_eq "v5 halves of deletes (FIN+RST)" "$(v5 ' 0x0*05 0 [0-9]+ 80$')" 20
sysctl -qw net.netflow.destination=127.0.0.1:2055

log "natevents=0: conntrack -E keeps working"
check "sysctl natevents=0" sysctl -qw net.netflow.natevents=0
check_match "/proc: disabled" "$(nat_line)" "^Natevents disabled"
conntrack -E -e NEW >/tmp/conntrack-E2.txt 2>&1 &
ctev=$!
sleep 1
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 10)" 10
sleep 1
kill -INT $ctev; wait $ctev 2>/dev/null
check_eq "conntrack -E saw them" "$(grep -c 'dport=8080' /tmp/conntrack-E2.txt)" 10

log "ctnetlink unloaded and loaded again while natevents=1"
check "sysctl natevents=1" sysctl -qw net.netflow.natevents=1
start=$(nat_counter natStart)
check "rmmod nf_conntrack_netlink while we listen" rmmod nf_conntrack_netlink
check_match "/proc: conntrack delivers no events" "$(nat_line)" "delivers no events"
check "insmod nf_conntrack_netlink again" insmod "$CT"
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 10)" 10
sleep 2
check_eq "their create events came" "$(nat_counter natStart)" "$((start + 10))"
conntrack -F 2>/dev/null

short_timeouts 600
# The burst comes from pktgen in ns1 (a script cannot make thousands of connections a
# second here): UDP from 10.1.0.2 to 10.2.0.2, source ports 10000.. x destination ports,
# each packet a new connection; conntrack's own count says how many were made.
insmod "$NETFLOW_KDIR/net/core/pktgen.ko"
pgn() { ip netns exec ns1 sh -c "echo '$2' > /proc/net/pktgen/$1"; }
pgn kpktgend_0 rem_device_all
pgn kpktgend_0 "add_device e1"
for c in "pkt_size 60" "dst_mac $(cat /sys/class/net/r1/address)" "src_min 10.1.0.2" \
	"src_max 10.1.0.2" "dst_min 10.2.0.2" "dst_max 10.2.0.2" "udp_src_min 10000" \
	"udp_src_max 59999" "clone_skb 0"; do
	pgn e1 "$c"
done
# pg_burst DPORT RATE COUNT: sends, returns when done (pktgen stops a run whose writer
# gets a signal: a shell of its own).
pg_burst() {
	pgn e1 "udp_dst_min $1"
	pgn e1 "udp_dst_max $(($1 + 2))"
	pgn e1 "ratep $2"
	pgn e1 "count $3"
	ip netns exec ns1 sh -c 'echo start > /proc/net/pktgen/pgctrl'
}
ct_count() { cat /proc/sys/net/netfilter/nf_conntrack_count; }

# The debug kernel (KASAN, kmemleak tracking every conntrack) under TCG makes a few hundred
# connections a second at best, so the burst is as fast as the VM goes, bounded in count.
BURST=${NAT_BURST:-4000}
log "burst: $BURST UDP connections from pktgen at up to 10000/s"
start_dumpcap "$OUT/nel-burst.pcap" 2055
# The capture starts mid-stream: a destination write makes the next PDU carry the templates.
sysctl -qw net.netflow.destination=127.0.0.1:2055
d0=$(nat_counter natDropped); l0=$(nat_counter natLost)
b0=$(up)
pg_burst 6000 10000 "$BURST"
b1=$(up)
made=$(conntrack -L -p udp -s 10.1.0.2 2>/dev/null | grep -c 'dport=600[0-2] ')
sleep 2
d1=$(nat_counter natDropped); l1=$(nat_counter natLost)
echo "    $made connections in $(awk -v a="$b0" -v b="$b1" 'BEGIN { print b - a }') s"
log "flush: $made delete events at once"
conntrack -F 2>/dev/null
for i in $(seq 60); do
	[ "$(ct_count)" -lt 10 ] && break
	sleep 1
done
sleep 3
sysctl -qw net.netflow.flush=1
sleep 2
stop_dumpcap "$OUT/nel-burst.pcap"
# Every NEL record is of the burst's connections (nothing else is translated now).
tshark -r "$OUT/nel-burst.pcap" -d udp.port==2055,cflow -T fields -E occurrence=a \
	-e cflow.nat_event 2>/dev/null | tr ',' '\n' | sort | uniq -c >"$OUT/nel-burst.txt"
creates=$(awk '$2 == 1 { print $1 }' "$OUT/nel-burst.txt")
deletes=$(awk '$2 == 2 { print $1 }' "$OUT/nel-burst.txt")
lost1=$((d1 - d0 + l1 - l0))
lost2=$(($(nat_counter natDropped) - d1 + $(nat_counter natLost) - l1))
echo "    connections $made: creates at the collector ${creates:-0}, lost $lost1; deletes ${deletes:-0}, lost $lost2"
check_ge "burst: connections made" "$made" $((BURST * 9 / 10))
check_eq "burst: creates at the collector + counted lost = connections" "$((creates + lost1))" "$made"
# Lost counts every event dropped before we read it: the few of connections without NAT
# (the export sockets' own) that the flush destroys can be among them.
check_ge "flush: deletes at the collector + counted lost >= connections" "$((deletes + lost2))" "$made"
check_le "flush: ... and at most 8 more (the export sockets' own connections)" \
	"$((deletes + lost2))" "$((made + 8))"
nat_line | sed 's/^/    /'

log "natevents toggled under load, then rmmod under load"
pg_burst 30000 10000 100000 &
b=$!
for i in 1 2 3 4 5; do
	sysctl -qw net.netflow.natevents=0; sleep 0.5
	sysctl -qw net.netflow.natevents=1; sleep 0.5
done
check "module unloads during the burst" unload
ip netns exec ns1 sh -c 'echo stop > /proc/net/pktgen/pgctrl'
wait $b
check "module loads again with natevents=1" load natevents=1 protocol=10 destination=127.0.0.1:2055
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 10)" 10
sleep 2
check_ge "events counted after the reload" "$(nat_counter natStart)" 10
check "rmmod" unload

log "conntrack -E after rmmod"
conntrack -E -e NEW >/tmp/conntrack-E3.txt 2>&1 &
ctev=$!
sleep 1
check_eq "TCP connections made" "$(conns tcp 10.1.0.1 8080 10)" 10
sleep 1
kill -INT $ctev; wait $ctev 2>/dev/null
check_eq "conntrack -E saw them" "$(grep -c 'dport=8080' /tmp/conntrack-E3.txt)" 10
rmmod nf_conntrack_netlink
rmmod pktgen
kill $server 2>/dev/null
del_router
finish
