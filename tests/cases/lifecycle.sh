# 100 cycles of insmod / add rules / traffic / delete rules / rmmod, alternating the
# legacy and nft backends, IPv4 and IPv6; the harness then requires a clean kmemleak
# scan and no kernel report. Few processes per cycle: each costs about a second here.
# timeout: 1800
. "$NETFLOW_REPO/tests/lib.sh"

cycles=${CYCLES:-100}
done_cycles=0
for i in $(seq 1 "$cycles"); do
	if [ $((i % 2)) = 0 ]; then b=legacy; else b=nft; fi
	load || { fail "insmod in cycle $i"; break; }
	printf '*filter\n-A INPUT -j NETFLOW\n-A OUTPUT -j NETFLOW\nCOMMIT\n' | iptables-$b-restore -w --noflush &&
	printf '*filter\n-A OUTPUT -j NETFLOW\nCOMMIT\n' | ip6tables-$b-restore -w --noflush ||
		{ fail "rules in cycle $i"; break; }
	ping -c 2 -i 0.05 -q 127.0.0.1 >/dev/null
	ping -6 -c 1 -q ::1 >/dev/null
	if [ $((i % 10)) -lt 2 ]; then
		check_ge "cycle $i ($b): rule counted packets" "$(rule_pkts iptables-$b OUTPUT 2>/dev/null)" 2
		check_ge "cycle $i ($b): target saw them" "$(proc_field '^Total .*traffic: ([0-9]+), .*')" 6
	fi
	# Without --noflush, restoring an empty table deletes its rules.
	printf '*filter\nCOMMIT\n' | iptables-$b-restore -w &&
	printf '*filter\nCOMMIT\n' | ip6tables-$b-restore -w || { fail "flush in cycle $i"; break; }
	unload_wait || { fail "rmmod in cycle $i"; break; }
	done_cycles=$i
done
check_eq "cycles completed" "$done_cycles" "$cycles"
finish
