# Demo, inside the VM: load the module, route traffic between two namespaces through
# -j NETFLOW rules, and show what the module counted and what a real collector decoded.
. "$NETFLOW_REPO/tests/lib.sh"
set -e
show() { echo; echo "\$ $*"; "$@"; }

show uname -r
nf=/tmp/demo-nf
start_nfcapd $nf
show insmod "$KO" destination=127.0.0.1:2055 protocol=10 inactive_timeout=2
make_router
start_sink ns2 9000
show iptables -A FORWARD -j NETFLOW
show ip6tables -A FORWARD -j NETFLOW
echo; echo "# traffic from ns1 to ns2 across the router: pings (IPv4, IPv6) and 3 UDP flows"
ip netns exec ns1 ping -c 5 -i 0.2 -q 10.2.0.2
ip netns exec ns1 ping -6 -c 5 -i 0.2 -q fd02::2
ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 3 10 200
show iptables -L FORWARD -v -n -x
show ip6tables -L FORWARD -v -n -x
show cat /proc/net/stat/ipt_netflow
show grep -E '^(# name|ipt_netflow )' /proc/slabinfo
show sysctl net.netflow
sleep 4
show sysctl -w net.netflow.flush=1
sleep 1
stop_nfcapd $nf
echo; echo "# flows decoded by nfdump (IPFIX, collected by nfcapd)"
show nfdump -R $nf -o 'fmt:%pr %sap -> %dap %pkt %byt'
iptables -F; ip6tables -F
show rmmod ipt_NETFLOW
