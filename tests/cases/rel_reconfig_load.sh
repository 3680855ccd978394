# Reconfiguration under load: two writer loops change hashsize, destination, protocol,
# aggregation, timeouts, maxflows, exportcpu and flush over and over (scan_min through
# /sys/module) while two CPUs send traffic through the rule and a reader lists the flows
# (/proc/net/stat/ipt_netflow_flows) in a loop. Afterwards, conservation: packets at the collectors + packets dropped
# (maxflows) + packets lost in export = the rule counters.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

secs=${SECS:-45}
ctl=/proc/sys/net/netflow
# Big receive buffers: a collector slowed down by TCG must not lose export packets.
sysctl -qw net.core.rmem_default=4194304 net.core.rmem_max=4194304
# Every destination the writer switches between is listening. One collector at a time:
# every PDU goes to every collector of a set, which would count packets twice below.
for p in 2055 2056 2057; do start_nfcapd /tmp/nf$p $p; done
load protocol=5 inactive_timeout=2 active_timeout=5 hashsize=1024
make_router
start_sink ns2 9000
iptables -A FORWARD -j NETFLOW
ip6tables -A FORWARD -j NETFLOW

ip netns exec ns1 taskset -c 0 python3 "$REPO/tests/tools/udp_stream.py" 10.2.0.2 9000 "$secs" 200 64 20000 >/tmp/s4 &
s4=$!
ip netns exec ns1 taskset -c 1 python3 "$REPO/tests/tools/udp_stream.py" fd02::2 9000 "$secs" 200 64 30000 >/tmp/s6 &
s6=$!

# w VALUE NAME: one write; a refusal is a failure (all values here are valid).
w() { echo "$1" >$ctl/$2 || echo "write $2=$1 failed" >>/tmp/werr; }
writer1() {
	local n=0 end=$(($(date +%s) + secs))
	local hs=(4096 512 65536 256 1024) ds=(127.0.0.1:2056 127.0.0.1:2057 127.0.0.1:2055) ps=(9 10 5)
	while [ "$(date +%s)" -lt $end ]; do
		w "${hs[n % 5]}" hashsize
		w "${ds[n % 3]}" destination
		w "${ps[n % 3]}" protocol
		n=$((n + 1))
	done
	echo "writer1: $n rounds" >>/tmp/wlog
}
writer2() {
	local n=0 end=$(($(date +%s) + secs))
	local ag=("10.0.0.0/8=16" "20000-20099=1" "" "fd00::/8=16,9000=9") ms=(0 150 0 0 300)
	while [ "$(date +%s)" -lt $end ]; do
		w "${ag[n % 4]}" aggregation
		w $((1 + n % 3)) inactive_timeout
		w $((2 + n % 5)) active_timeout
		w "${ms[n % 5]}" maxflows
		w 1 flush
		echo $((1 + n % 4)) >/sys/module/ipt_NETFLOW/parameters/scan_min ||
			echo "write scan_min parameter failed" >>/tmp/werr
		w $((n % 3 - 1)) exportcpu
		n=$((n + 1))
	done
	echo "writer2: $n rounds" >>/tmp/wlog
}
# The flow dump read over and over, while flows come, go, move (hashsize) and flush.
reader() {
	local n=0 lines=0 end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt $end ]; do
		lines=$((lines + $(wc -l </proc/net/stat/ipt_netflow_flows)))
		n=$((n + 1))
	done
	echo "$n $lines" >/tmp/rlog
}
log "traffic on both CPUs and two writers for ${secs}s"
writer1 &
w1=$!
writer2 &
w2=$!
reader &
r=$!
wait $w1 $w2 $r $s4 $s6
log "$(cat /tmp/wlog | tr '\n' ' ') senders: $(cat /tmp/s4) / $(cat /tmp/s6); dumps, lines: $(cat /tmp/rlog)"
read -r dumps dlines </tmp/rlog
check_ge "the flow dump was read during the storm" "$dumps" 2
check_ge "and listed flows (header lines excluded)" "$((dlines - dumps))" 1
check "every write accepted" test ! -s /tmp/werr
[ ! -s /tmp/werr ] || head -5 /tmp/werr
w 0 maxflows
sleep 1
w 1 flush
sleep 1
check_conservation "after the storm"
read_total
rules=$(rules_sum)
lost=$(proc_field '^Export: .*Traffic lost ([0-9]+) pkts.*')
errors=$(proc_field '^Export: .*Errors ([0-9]+) pkts.*')
log "rules $rules, drop $t_drop (maxflows $t_maxflows, alloc $t_alloc), export lost $lost, errors $errors"
grep -E '^(Export|sock)' $PROC
iptables -F; ip6tables -F
unload
exported=0
for p in 2055 2056 2057; do
	stop_nfcapd /tmp/nf$p
	n=$(nfdump_sum /tmp/nf$p ipkt)
	log "collector $p: $n packets in $(nfdump_csv /tmp/nf$p | wc -l) records"
	exported=$((exported + n))
done
check_eq "exported + dropped + lost = rule counters" "$((exported + t_drop + lost))" "$rules"
check_ge "maxflows refused some packets (drops exercised)" "$t_maxflows" 1
del_router
finish
