# Load/unload cycles while traffic keeps flowing through the router: add the rules, let
# packets through, delete the rules, rmmod at once (packets still arriving, the exporter
# with flows to send); alternately iptables-legacy and iptables-nft, and every other
# cycle rmmod races a flush that is sending to the collector. The harness then requires
# no kernel report and a clean kmemleak scan.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

cycles=${CYCLES:-10}
make_router
start_sink ns2 9000
nf=/tmp/nf
start_nfcapd $nf
# Continuous traffic both ways of addressing, on both CPUs.
ip netns exec ns1 taskset -c 0 python3 "$REPO/tests/tools/udp_stream.py" 10.2.0.2 9000 100000 40 64 20000 >/tmp/s4 &
s4=$!
ip netns exec ns1 taskset -c 1 python3 "$REPO/tests/tools/udp_stream.py" fd02::2 9000 100000 40 64 30000 >/tmp/s6 &
s6=$!
sleep 2
ctl=/proc/sys/net/netflow

ok_cycles=0
for i in $(seq 1 "$cycles"); do
	if [ $((i % 2)) = 0 ]; then b=legacy; else b=nft; fi
	log "cycle $i: iptables-$b$([ $((i % 4)) -ge 2 ] && echo ', rmmod during a flush')"
	# A small table: insmod of the default (sized from RAM) takes seconds under KASAN.
	load inactive_timeout=1 active_timeout=2 hashsize=1024 || { fail "insmod in cycle $i"; break; }
	iptables-$b -w -A FORWARD -j NETFLOW && ip6tables-$b -w -A FORWARD -j NETFLOW ||
		{ fail "rules in cycle $i"; break; }
	sleep 1
	n4=$(rule_pkts iptables-$b FORWARD 2>/dev/null) n6=$(rule_pkts ip6tables-$b FORWARD 2>/dev/null)
	[ "${n4:-0}" -gt 0 ] && [ "${n6:-0}" -gt 0 ] || { fail "no traffic through the rules in cycle $i ($n4, $n6)"; break; }
	iptables-$b -w -D FORWARD -j NETFLOW; ip6tables-$b -w -D FORWARD -j NETFLOW
	if [ $((i % 4)) -ge 2 ]; then
		# rmmod while a flush is exporting: the sysctl write and the unload race.
		echo 1 >$ctl/flush 2>/dev/null &
		flusher=$!
		unload_wait || { fail "rmmod during flush in cycle $i"; break; }
		wait $flusher 2>/dev/null
	else
		unload_wait || { fail "rmmod in cycle $i"; break; }
	fi
	[ $b = nft ] && nft flush ruleset
	ok_cycles=$i
done
check_eq "cycles completed" "$ok_cycles" "$cycles"
check "traffic still flowing (IPv4 sender alive)" kill -0 $s4
check "traffic still flowing (IPv6 sender alive)" kill -0 $s6
kill -TERM $s4 $s6; wait $s4 $s6
log "senders: $(cat /tmp/s4) / $(cat /tmp/s6)"
stop_nfcapd $nf
check "the collector got flows" test "$(nfdump_csv $nf | wc -l)" -gt 0
check "slab cache gone" test ! -e /sys/kernel/slab/ipt_netflow
check "module gone" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'
del_router
finish
