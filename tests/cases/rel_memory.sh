# Memory: failslab on the ipt_netflow cache (every failed flow allocation counted in the
# alloc column and as a drop), fault injection at each allocation of a hashsize resize
# (refused cleanly or done, flows kept), and a maxflows flood from pktgen (new flows stop
# at maxflows, the rest counted as drops). No kernel report, no leak (kmemleak scan by
# the harness), the slab cache empty after a flush.
# timeout: 1500
. "$NETFLOW_REPO/tests/lib.sh"

ctl=/proc/sys/net/netflow
fs=/sys/kernel/debug/failslab
slab=/sys/kernel/slab/ipt_netflow
# In-use objects: shrinking first flushes the per-CPU slabs, which otherwise count as used.
objects() { echo 1 >$slab/shrink; read -r n _ <$slab/objects; echo "$n"; }
active() { proc_field '^Flows: active ([0-9]+) .*'; }
load inactive_timeout=600 active_timeout=600 hashsize=1024
make_router
start_sink ns2 9000
iptables -A FORWARD -j NETFLOW
ip6tables -A FORWARD -j NETFLOW
# Quiet fault injection: no stack trace per failure.
echo 0 >$fs/verbose

log "failslab on the flow cache: 30% of new flows fail"
echo 1 >$slab/failslab
echo Y >$fs/cache-filter
echo N >$fs/ignore-gfp-wait
echo N >$fs/task-filter
echo 1 >$fs/interval
echo 30 >$fs/probability
echo -1 >$fs/times
read_total
a0=$t_alloc d0=$t_drop
send 10.2.0.2 9000 300 2 10 20000
send fd02::2 9000 100 2 10 20000
echo 0 >$fs/probability
read_total
failed=$((t_alloc - a0))
log "failed flow allocations: $failed of $((t_new + failed)) tries"
check_ge "allocation failures counted (alloc column)" "$failed" 20
check_eq "each failure dropped its packet" "$((t_drop - d0))" "$failed"
check_eq "flows in the table = flows created" "$(active)" "$t_new"
check_eq "slab objects = flows" "$(objects)" "$t_new"
check_conservation failslab
sysctl -qw net.netflow.flush=1
check_eq "flush emptied the table" "$(active)" 0
check_eq "flush emptied the slab" "$(objects)" 0
echo 0 >$slab/failslab
echo N >$fs/cache-filter

log "fault injection at each allocation of a hashsize resize (fail-nth)"
send 10.2.0.2 9000 200 1 10 30000
flows=$(active)
old=1024 outcomes=
dmesg -C
# 2^20 buckets (8 MiB) come from vmalloc, 2048 from kmalloc.
for size in 1048576 2048; do
	mark=$failures
	for nth in $(seq 1 40); do
		# In a subshell of its own: the nth fault-injectable call of this task fails.
		# Prints done/refused and what is left of fail-nth: 0 once the fault was injected
		# (nothing, if the read's own open was the nth call).
		res=$(bash -c "echo $nth >/proc/self/fail-nth
			if echo $size >$ctl/hashsize; then r=done; else r=refused; fi
			read -r left </proc/self/fail-nth; echo \$r \$left" 2>/dev/null)
		hs=$(cat $ctl/hashsize)
		outcomes+="${res%% *} "
		case "$res" in
		done*) [ "$hs" = "$size" ] || fail "resize to $size at fail-nth $nth: done but hashsize $hs" ;;
		*) [ "$hs" = "$old" ] || fail "resize to $size at fail-nth $nth: refused but hashsize $hs" ;;
		esac
		[ "$(active)" = "$flows" ] || fail "fail-nth $nth: flows $(active), want $flows"
		# The fault was not injected during the write: it made fewer than nth calls.
		[ "$res" = "done 0" ] || case "$res" in done*) break ;; esac
		[ "$hs" = "$size" ] && { echo $old >$ctl/hashsize; }
	done
	ok_since $mark "resize to $size survived a failure at each of its first $nth allocations"
	log "outcomes by nth: $outcomes"
	outcomes=
	echo $size >$ctl/hashsize
	old=$size
done
check_eq "flows kept through it all" "$(active)" "$flows"
log "resizes refused for lack of memory, as dmesg says: $(dmesg | grep -c 'hashsize: resize to .* failed')"
sysctl -qw net.netflow.flush=1

log "maxflows flood from pktgen"
sysctl -qw net.netflow.maxflows=1000
insmod "$NETFLOW_KDIR/net/core/pktgen.ko" 2>/dev/null || modprobe pktgen 2>/dev/null
ip netns exec ns2 iptables -A INPUT -p udp -j DROP      # no ICMP storm back
ip netns exec ns1 ping -c 1 -q 10.2.0.2 >/dev/null       # neighbours resolved
mac=$(cat /sys/class/net/r1/address)
count=${FLOOD:-30000}
pg() { echo "$2" >"/proc/net/pktgen/$1"; }
ip netns exec ns1 bash -c "
	$(declare -f pg)
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 'add_device e1'
	pg e1 'count $count'
	pg e1 'pkt_size 64'
	pg e1 'delay 0'
	pg e1 'dst 10.2.0.2'
	pg e1 'src_min 10.1.0.2'
	pg e1 'src_max 10.1.0.3'
	pg e1 'dst_mac $mac'
	pg e1 'udp_src_min 1'
	pg e1 'udp_src_max 65535'
	pg e1 'udp_dst_min 9000'
	pg e1 'udp_dst_max 9000'
	pg e1 'flag UDPSRC_RND'
	pg e1 'flag IPSRC_RND'
"
# pktgen is slow under TCG with KASAN: give it a bounded time, then stop it.
ip netns exec ns1 sh -c 'echo start >/proc/net/pktgen/pgctrl' &
pgpid=$!
for _ in $(seq 1 ${FLOOD_SECS:-40}); do kill -0 $pgpid 2>/dev/null || break; sleep 1; done
ip netns exec ns1 sh -c 'echo stop >/proc/net/pktgen/pgctrl'
wait $pgpid
log "pktgen: $(ip netns exec ns1 grep -Eo 'pkts-sofar: [0-9]+' /proc/net/pktgen/e1) of $count"
# And from user space: one socket, a new destination port per datagram.
ip netns exec ns1 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in range(1, ${FLOOD_PY:-20000} + 1):
    s.sendto(b'x', ('10.2.0.2', p))
"
sleep 1
read_total
log "flood: new $t_new, maxflows drops $t_maxflows, traffic $t_pkts"
check_eq "flows stop at maxflows" "$(active)" 1000
check_eq "slab objects = 1000" "$(objects)" 1000
check_ge "new flows beyond maxflows refused" "$t_maxflows" $((${FLOOD_PY:-20000} - 1000))
check_conservation flood
sysctl -qw net.netflow.flush=1
check_eq "flush emptied the table" "$(active)" 0
check_eq "flush emptied the slab" "$(objects)" 0
iptables -F; ip6tables -F
unload
rmmod pktgen 2>/dev/null
check "slab cache gone" test ! -e $slab
del_router
finish
