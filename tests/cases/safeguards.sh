# Rules the target refuses or warns about. A rule in the nat table is refused (that table
# sees only a connection's first packet) with a dmesg line saying why, for iptables and
# ip6tables, legacy and nft backends; filter, mangle and raw rules are accepted. An ip6tables
# rule while the export protocol is NetFlow v5 is accepted with one dmesg line saying IPv6
# flows will be counted as lost (one, though iptables-legacy re-checks every rule of the
# table on each change), and they are; none with v9, or for IPv4 rules; the line comes
# again after the protocol changed back to 5.
# timeout: 600
. "$NETFLOW_REPO/tests/lib.sh"

nat_msg='NETFLOW refused in the nat table'
v6_msg='IPv6 flows will be counted as lost'
count() { dmesg | grep -c "$1"; }

# A collector socket, so that export itself loses nothing.
socat -u UDP-RECV:2055,bind=127.0.0.1,reuseaddr /dev/null &
sink=$!
load
for backend in legacy nft; do
	for ipt in iptables-$backend ip6tables-$backend; do
		n=$(count "$nat_msg")
		err=$($ipt -w -t nat -A POSTROUTING -j NETFLOW 2>&1) && fail "$ipt -t nat rule accepted" ||
			ok "$ipt -t nat -A POSTROUTING -j NETFLOW refused: $(echo "$err" | head -1)"
		check_eq "$ipt: one dmesg line says why" "$(count "$nat_msg")" $((n + 1))
		check_eq "$ipt: no nat rule left" "$($ipt -w -t nat -S POSTROUTING | grep -c NETFLOW)" 0
		for table in mangle raw; do
			check "$ipt -t $table rule accepted" $ipt -w -t $table -A PREROUTING -j NETFLOW
			$ipt -w -t $table -F PREROUTING
		done
	done
	[ $backend = legacy ] || nft flush ruleset
done
dmesg | grep "$nat_msg" | head -1 | sed 's/^/    /'

log "IPv6 rules while exporting v5"
check_eq "protocol is 5" "$(sysctl -n net.netflow.protocol)" 5
check_eq "one IPv6-under-v5 line for the four ip6tables rules above" "$(count "$v6_msg")" 1
# A protocol change re-arms the line.
sysctl -qw net.netflow.protocol=9; sysctl -qw net.netflow.protocol=5
n=$(count "$v6_msg")
check "iptables rule: no warning" iptables-legacy -w -A OUTPUT -j NETFLOW
check_eq "no IPv6 line for an IPv4 rule" "$(count "$v6_msg")" "$n"
check "ip6tables-legacy -A OUTPUT -j NETFLOW accepted" ip6tables-legacy -w -A OUTPUT -j NETFLOW
check_eq "one dmesg line about IPv6 under v5" "$(count "$v6_msg")" $((n + 1))
dmesg | grep "$v6_msg" | tail -1 | sed 's/^/    /'
# iptables-legacy checks every rule of the table again on each change: still one line.
check "second ip6tables-legacy rule accepted" ip6tables-legacy -w -A INPUT -j NETFLOW
check "ip6tables-nft rule accepted" ip6tables-nft -w -A FORWARD -j NETFLOW
check_eq "still one line after more IPv6 rules" "$(count "$v6_msg")" $((n + 1))

lost_flows() { sed -nE 's/.*Traffic lost [0-9]+ pkts, [0-9]+ Kbytes, ([0-9]+) flows\..*/\1/p' $PROC; }
lost0=$(lost_flows)
ping -6 -c 3 -i 0.2 -q ::1 >/dev/null || fail "ping ::1"
sysctl -qw net.netflow.flush=1
check_ge "IPv6 flows counted as lost under v5" "$(lost_flows)" $((lost0 + 1))

log "after protocol changes"
sysctl -qw net.netflow.protocol=9
ip6tables-legacy -w -F; ip6tables-nft -w -F FORWARD
check "ip6tables rule under v9 accepted" ip6tables-legacy -w -A OUTPUT -j NETFLOW
check_eq "no line under v9" "$(count "$v6_msg")" $((n + 1))
lost0=$(lost_flows)
ping -6 -c 3 -i 0.2 -q ::1 >/dev/null || fail "ping ::1"
sysctl -qw net.netflow.flush=1
check_eq "IPv6 flows not lost under v9" "$(lost_flows)" "$lost0"
ip6tables-legacy -w -F
sysctl -qw net.netflow.protocol=5
check "ip6tables rule under v5 again accepted" ip6tables-legacy -w -A OUTPUT -j NETFLOW
check_eq "the line comes again once the protocol changed back to 5" "$(count "$v6_msg")" $((n + 2))

iptables-legacy -w -F; ip6tables-legacy -w -F; nft flush ruleset
check "rmmod" unload_wait
kill $sink
finish
