# 100 cycles of insmod / add rules / traffic / delete rules / rmmod, both backends and
# families; the harness then requires a clean kmemleak scan and no kernel report.
# timeout: 1500
. "$NETFLOW_REPO/tests/lib.sh"

cycles=${CYCLES:-100}
ok_cycles=0
for i in $(seq 1 $cycles); do
	if [ $((i % 2)) = 0 ]; then b=legacy; else b=nft; fi
	load || { fail "insmod in cycle $i"; break; }
	iptables-$b -w -A OUTPUT -j NETFLOW && ip6tables-$b -w -A OUTPUT -j NETFLOW &&
	iptables-$b -w -A INPUT -j NETFLOW || { fail "rules in cycle $i"; break; }
	ping -c 2 -i 0.05 -q 127.0.0.1 >/dev/null; ping -6 -c 2 -i 0.05 -q ::1 >/dev/null
	[ "$(rule_pkts iptables-$b OUTPUT)" -ge 2 ] || { fail "no packets counted in cycle $i"; break; }
	iptables-$b -w -F; ip6tables-$b -w -F
	[ $b = nft ] && nft flush ruleset
	unload || { fail "rmmod in cycle $i"; break; }
	ok_cycles=$i
done
check_eq "cycles completed" "$ok_cycles" "$cycles"
finish
