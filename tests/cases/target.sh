# The NETFLOW target in INPUT, OUTPUT and FORWARD, IPv4 and IPv6, legacy and nft backends:
# rule counters grow with traffic on loopback and across a veth router; rmmod is refused
# while a rule uses the target; iptables-save | iptables-restore round-trips.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

load
check "target registered for IPv4" grep -qx NETFLOW /proc/net/ip_tables_targets
check "target registered for IPv6" grep -qx NETFLOW /proc/net/ip6_tables_targets
make_router

for backend in legacy nft; do
	for fam in 4 6; do
		if [ $fam = 4 ]; then ipt=iptables-$backend; lo=127.0.0.1; far=10.2.0.2; ping=ping
		else ipt=ip6tables-$backend; lo=::1; far=fd02::2; ping="ping -6"; fi
		log "$ipt"
		for chain in INPUT OUTPUT FORWARD; do
			check "$ipt -A $chain -j NETFLOW" $ipt -w -A $chain -j NETFLOW
		done
		check "$ipt -j NETFLOW --help" sh -c "$ipt -j NETFLOW --help | grep -q 'NETFLOW target'"
		$ping -c 3 -i 0.2 -q $lo >/dev/null || fail "ping $lo"
		ip netns exec ns1 $ping -c 3 -i 0.2 -q $far >/dev/null || fail "ping $far across the router"
		check_ge "$ipt INPUT counts loopback" "$(rule_pkts $ipt INPUT)" 6
		check_ge "$ipt OUTPUT counts loopback" "$(rule_pkts $ipt OUTPUT)" 6
		check_ge "$ipt FORWARD counts the router's traffic" "$(rule_pkts $ipt FORWARD)" 6
		check "rmmod refused while $ipt rules use NETFLOW" sh -c '! rmmod ipt_NETFLOW 2>/dev/null'
		save=$($ipt-save | grep -v '^#' | sed 's/\[[0-9:]*\]//')
		check "$ipt-save shows -j NETFLOW" sh -c "echo '$save' | grep -qx -- '-A FORWARD -j NETFLOW'"
		echo "$save" | $ipt-restore
		check_eq "$ipt-save | $ipt-restore round-trips" \
			"$($ipt-save | grep -v '^#' | sed 's/\[[0-9:]*\]//')" "$save"
		$ipt -w -F
	done
done
# iptables-nft may leave empty tables behind; they hold no reference to the target.
nft flush ruleset
del_router
check "rmmod once no rule uses the target" unload
finish
