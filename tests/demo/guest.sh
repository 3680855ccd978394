# Demo, inside the VM: load the module, route traffic between two namespaces through
# -j NETFLOW rules, and show what the module and the collector saw.
. "$NETFLOW_REPO/tests/lib.sh"
set -e
show() { echo; echo "\$ $*"; "$@"; }

show uname -r
show insmod "$KO" destination=127.0.0.1:2055 inactive_timeout=2
make_router
show iptables -A FORWARD -j NETFLOW
show ip6tables -A FORWARD -j NETFLOW
echo; echo "# traffic: ns1 -> ns2 across the router, IPv4 and IPv6"
ip netns exec ns1 ping -c 5 -i 0.2 -q 10.2.0.2
ip netns exec ns1 ping -6 -c 5 -i 0.2 -q fd02::2
show iptables -L FORWARD -v -n
show ip6tables -L FORWARD -v -n
[ -r "$PROC" ] && show cat "$PROC"
show grep -E '^(# name|ipt_netflow)' /proc/slabinfo || true
iptables -F; ip6tables -F; nft flush ruleset
show rmmod ipt_NETFLOW
dmesg | grep -i netflow | tail -5
