# Every network namespace its own exporter: the initial namespace and namespaces A and B
# each export to their own nfcapd on their own 127.0.0.1:2055 (v5, v9, IPFIX), with
# different timeouts and aggregation; traffic in all three at once; each collector gets
# exactly its namespace's flows, packets and bytes = that namespace's rule counters, and
# /proc in each shows only its own numbers. Then: B deleted under traffic in A and B;
# 50 create/configure/traffic/delete cycles with traffic in the initial namespace; the
# root of an unprivileged user namespace changes its own namespace's settings and not the
# initial one's; what an idle namespace costs; rmmod with A alive.
# timeout: 2400
. "$NETFLOW_REPO/tests/lib.sh"
ctl=/proc/sys/net/netflow
flows=$REPO/tests/tools/udp_flows.py

# at NS CMD...: runs CMD in namespace NS ("-" is the initial one).
at() { local ns=$1; shift; if [ "$ns" = - ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }
collector() { # collector NS DIR (nfcapd itself in the background: $! is its pid)
	local ns=()
	mkdir -p "$2"
	[ "$1" = - ] || ns=(ip netns exec "$1")
	"${ns[@]}" nfcapd -w "$2" -b 127.0.0.1 -p 2055 >"$2.log" 2>&1 &
	echo $! >"$2.pid"
}
sink() { at "$1" socat -u UDP-RECV:9000,reuseaddr /dev/null & }
rule() { at "$1" iptables -w -A INPUT -p udp --dport 9000 -j NETFLOW; }
pkts_of() { at "$1" iptables -w -L INPUT -v -n -x | awk '$3 == "NETFLOW" { print $1; exit }'; }
bytes_of() { at "$1" iptables -w -L INPUT -v -n -x | awk '$3 == "NETFLOW" { print $2; exit }'; }
proc_of() { at "$1" cat /proc/net/stat/ipt_netflow; }
total_pkts() { proc_of "$1" | sed -nE 's/^Total .*traffic: ([0-9]+), .*/\1/p'; }
flush() { at "$1" sh -c "echo 1 > $ctl/flush"; }

load protocol=5 inactive_timeout=2 active_timeout=60
for ns in A B; do
	ip netns add $ns
	ip -n $ns link set lo up
done
check_eq "a new namespace starts with a small table" "$(at A cat $ctl/hashsize)" 1024
check_eq "and the parameters' protocol" "$(at A cat $ctl/protocol)" 5
at A sysctl -qw net.netflow.protocol=9 net.netflow.inactive_timeout=3000 net.netflow.aggregation=20000-20099=20000
at B sysctl -qw net.netflow.protocol=10 net.netflow.inactive_timeout=4000 net.netflow.active_timeout=12000
check_eq "the initial namespace keeps its protocol" "$(cat $ctl/protocol)" 5
check_eq "A's protocol" "$(at A cat $ctl/protocol)" 9
check_eq "B's protocol" "$(at B cat $ctl/protocol)" 10
check_match "A's /proc says v9" "$(proc_of A | sed -n 2p)" '^Protocol version 9 \(netflow\)'
check_match "B's /proc says IPFIX and its timeouts" "$(proc_of B | sed -n 2,3p | tr '\n' ' ')" 'Protocol version 10 \(ipfix\).*Timeouts: active 12000s, inactive 4000s'
check_match "the initial /proc says v5" "$(proc_of - | sed -n 2p)" '^Protocol version 5 \(netflow\)'

log "traffic in the three namespaces at once"
for ns in - A B; do
	d=/tmp/nf${ns/-/I}
	collector $ns $d
	sink $ns
	# B exports IPFIX: its sequence is checked by tshark (tests/lib.sh: seq_failures).
	[ $ns != B ] || start_dumpcap $d.pcap 2055 ip netns exec B
	rule $ns
done
sleep 2
at - python3 $flows 127.0.0.1 9000 30 3 100 >/dev/null &
at A python3 $flows 127.0.0.1 9000 100 2 200 >/dev/null &
at B python3 $flows 127.0.0.1 9000 50 4 300 >/dev/null &
sleep 1
while pgrep -f udp_flows.py >/dev/null; do sleep 1; done
for ns in - A B; do
	check_eq "namespace $ns: /proc counts its own packets only" "$(total_pkts $ns)" "$(pkts_of $ns)"
done
check_eq "namespace A: 100 flows folded by its aggregation" "$(proc_of A | sed -nE 's/^Flows: active ([0-9]+) .*/\1/p')" 1
check_eq "namespace B: its 50 flows" "$(proc_of B | sed -nE 's/^Flows: active ([0-9]+) .*/\1/p')" 50
dump_of() { at "$1" cat /proc/net/stat/ipt_netflow_flows | grep -v '^#'; }
check_eq "namespace A's flow dump: its one aggregated flow" "$(dump_of A | awk '{ print $6, $7, $10 }')" "127.0.0.1,20000 127.0.0.1,9000 200"
check_eq "namespace B's flow dump: its 50 flows of 4 packets" "$(dump_of B | awk '$10 == 4' | wc -l)" 50
check_eq "namespace B's flow dump: nothing of the others" "$(dump_of B | wc -l)" 50
for ns in - A B; do flush $ns; done
sleep 3
for ns in - A B; do
	d=/tmp/nf${ns/-/I}
	kill -TERM "$(cat $d.pid)"; wait "$(cat $d.pid)" 2>/dev/null
done
stop_dumpcap /tmp/nfB.pcap
sleep 1
declare -A want_flows=([I]=30 [A]=1 [B]=50)
for n in I A B; do
	ns=$n; [ $n = I ] && ns=-
	d=/tmp/nf$n
	check_eq "collector of $n: its flows" "$(nfdump_csv $d | grep -c .)" "${want_flows[$n]}"
	check_eq "collector of $n: packets = its rule counter" "$(nfdump_sum $d ipkt)" "$(pkts_of $ns)"
	check_eq "collector of $n: bytes = its rule counter" "$(nfdump_sum $d ibyt)" "$(bytes_of $ns)"
	if [ $n = B ]; then
		check_eq "collector of B: no sequence failure (tshark)" "$(ipfix_seq_failures $d.pcap 2055)" 0
	else
		check_eq "collector of $n: no sequence failure" "$(seq_failures $d)" 0
	fi
done

log "B deleted while traffic runs in A and B"
# A new collector process knows no v9 template yet: send them with every PDU.
at A sysctl -qw net.netflow.refresh-rate=1
collector A /tmp/nfA2
sleep 1
at A sh -c "for i in 1 2 3 4 5 6; do python3 $flows 127.0.0.1 9000 20 5 100 30000 >/dev/null; done" &
a_traffic=$!
at B sh -c "while :; do python3 $flows 127.0.0.1 9000 20 5 100 30000 >/dev/null; done" &
sleep 3
ip netns pids B | xargs -r kill
ip netns del B
wait $a_traffic
check "B's /proc is gone with it" sh -c '! ip netns exec B true 2>/dev/null'
a_before=$(pkts_of A)
flush A
sleep 3
kill -TERM "$(cat /tmp/nfA2.pid)"; wait "$(cat /tmp/nfA2.pid)" 2>/dev/null
sleep 1
# The counters include the first phase's packets, whose flows went to /tmp/nfA.
check_eq "A's export is whole: first and second collector together = A's rule counter" \
	"$(( $(nfdump_sum /tmp/nfA ipkt) + $(nfdump_sum /tmp/nfA2 ipkt) ))" "$a_before"
check_eq "A's second collector: no sequence failure" "$(seq_failures /tmp/nfA2)" 0

log "50 namespaces created, configured, used and deleted, with traffic in the initial one"
# Traffic from bash's /dev/udp: no process to start per packet (TCG is slow).
bash -c 'while :; do echo x >/dev/udp/127.0.0.1/9000; sleep 0.1; done' &
init_traffic=$!
ok_cycles=0
for i in $(seq 1 50); do
	ip netns add C
	n=$(ip netns exec C bash -c "
		ip link set lo up
		echo 127.0.0.1:2056 >$ctl/destination && echo 10 >$ctl/protocol || exit 1
		iptables -w -A INPUT -p udp --dport 9000 -j NETFLOW || exit 1
		for p in 1 2 3 4 5 6 7 8 9 10; do echo x >/dev/udp/127.0.0.1/9000; done
		sed -nE 's/^Total .*traffic: ([0-9]+), .*/\\1/p' /proc/net/stat/ipt_netflow")
	[ "$n" = 10 ] && ok_cycles=$((ok_cycles + 1))
	ip netns del C
done
kill $init_traffic; wait $init_traffic 2>/dev/null
sleep 1
check_eq "50 cycles, each namespace counting its own 10 packets" $ok_cycles 50
check_eq "one ipt_netflow slab cache, however many namespaces" "$(grep -c '^ipt_netflow ' /proc/slabinfo)" 1
flush -
sleep 3
check_eq "the initial namespace's table is empty after a flush" "$(proc_of - | sed -nE 's/^Flows: active ([0-9]+) .*/\1/p')" 0

log "an unprivileged user namespace's root"
chmod 755 /tmp
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urn sh -c \
	"echo 1000 > $ctl/maxflows && cat $ctl/maxflows && cat $ctl/protocol" 2>&1)
check_eq "sets its own namespace's maxflows" "$(echo "$out" | tr '\n' ' ')" "1000 5 "
init_buckets=$(cat $ctl/hashsize)
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urn bash -c \
	"echo $((init_buckets * 2)) > $ctl/hashsize" 2>&1)
check_match "cannot size a table beyond the initial namespace's" "$out" 'Invalid argument'
check_match "and says why" "$(dmesg | tail -5)" "hashsize: '$((init_buckets * 2))' refused: above the initial namespace's $init_buckets"
before=$(cat $ctl/maxflows)
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "echo 5 > $ctl/maxflows" 2>&1)
check_match "cannot change the initial namespace's" "$out" 'Permission denied'
check_eq "which keeps its value" "$(cat $ctl/maxflows)" "$before"

log "what an idle namespace costs"
# The module's memory with 1 namespace and with 21, each time as loaded minus unloaded
# (rmmod frees every instance before it returns); the difference is 20 instances.
mem() { sync; sleep 3; awk '/^(Slab|Percpu|VmallocUsed|KernelStack|PageTables):/ { s += $2 } END { print s }' /proc/meminfo; }
iptables -w -F; at A iptables -w -F
unload_wait
a0=$(mem); load; a1=$(mem)
for i in $(seq 1 20); do ip netns add M$i; done
b1=$(mem); unload_wait; b0=$(mem)
for i in $(seq 1 20); do ip netns del M$i; done
load
per=$(( ((b1 - b0) - (a1 - a0)) / 20 ))
log "an idle namespace costs about $per KiB with the module (this kernel: debug options on)"
check_ge "an idle namespace's instance costs something measurable" "$per" 1

log "a namespace's flows are charged to the memory cgroup of the task that made it"
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/tenant
sh -c 'echo $$ > /sys/fs/cgroup/tenant/cgroup.procs && exec ip netns add T'
ip -n T link set lo up
at T sysctl -qw net.netflow.inactive_timeout=3600
sink T
rule T
sleep 1
slab() { awk '$1 == "slab_unreclaimable" { print $2 }' /sys/fs/cgroup/tenant/memory.stat; }
s0=$(slab)
at T python3 $flows 127.0.0.1 9000 2000 1 10 >/dev/null
sleep 1
s1=$(slab)
t_flows=$(proc_of T | sed -nE 's/^Flows: active ([0-9]+) .*/\1/p')
obj=$(cat /sys/kernel/slab/ipt_netflow/object_size)
log "tenant cgroup: slab_unreclaimable $s0 -> $s1 bytes for $t_flows flows of $obj bytes"
check_eq "T holds its 2000 flows" "$t_flows" 2000
check_ge "the tenant cgroup paid for them" "$((s1 - s0))" "$((t_flows * obj * 9 / 10))"
at T iptables -w -F
ip netns pids T | xargs -r kill
ip netns del T

log "rmmod with A alive and its traffic just stopped"
at A sysctl -qw net.netflow.destination=127.0.0.1:2055
at A iptables -w -A INPUT -p udp --dport 9000 -j NETFLOW
at A python3 $flows 127.0.0.1 9000 20 2 64 >/dev/null
at A iptables -w -F
unload_wait
check "no module left loaded" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'
check "no ipt_netflow slab cache left" sh -c '! grep -q "^ipt_netflow " /proc/slabinfo'
ip netns del A
finish
