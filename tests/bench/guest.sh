# Benchmark, inside the VM. pktgen sends 64-byte UDP from pg0 (root namespace) to pg1 in
# namespace "dut", which routes it to a dummy device: every packet crosses dut's FORWARD
# chain. Each point: packets/s seen by dut over a fixed packet count, repeated.
set -u
REPO=$NETFLOW_REPO
KO=$REPO/out/bench-build/ipt_NETFLOW.ko
OUT=/mnt/results.json
PROC=/proc/net/stat/ipt_netflow
REPEAT=${REPEAT:-9}
COUNT=${COUNT:-400000}
WARM=200000
up() { local u _; read -r u _ </proc/uptime; echo "$u"; }
say() { echo "[$(up)] $*"; }

insmod "$NETFLOW_KDIR/net/core/pktgen.ko"
ip netns add dut
ip link add pg0 type veth peer name pg1 netns dut
ip link set pg0 up
ip -n dut link set lo up
ip -n dut link set pg1 up
ip -n dut addr add 10.0.0.1/24 dev pg1
ip -n dut link add sink0 type dummy
ip -n dut link set sink0 up
ip -n dut route add 10.9.0.0/16 dev sink0
ip netns exec dut sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.pg1.rp_filter=0
dmac=$(ip -n dut link show pg1 | awk '/link\/ether/ { print $2 }')
dut_ipt() { ip netns exec dut iptables-legacy -w "$@"; }
dut_ipt -F FORWARD

pg() { echo "$2" > "/proc/net/pktgen/$1"; }
pg kpktgend_0 rem_device_all
pg kpktgend_0 "add_device pg0"
pg pg0 "pkt_size 60"
pg pg0 "dst_mac $dmac"
pg pg0 "src_min 10.0.0.2"
pg pg0 "src_max 10.0.0.2"
pg pg0 "delay 0"
pg pg0 "clone_skb 0"

# flows F: destination addresses x source ports, coprime range sizes, so pktgen's two
# sequential counters walk every pair (period = product).
set_flows() {
	local ips ports
	case $1 in
	1) ips=1 ports=1 ;;
	1000) ips=1 ports=1000 ;;
	100000) ips=7 ports=14286 ;;
	1000000) ips=17 ports=61681 ;;
	esac
	pg pg0 "dst_min 10.9.0.1"
	pg pg0 "dst_max 10.9.0.$ips"
	pg pg0 "udp_src_min 1"
	pg pg0 "udp_src_max $ports"
	pg pg0 "udp_dst_min 9"
	pg pg0 "udp_dst_max 9"
	echo $((ips * ports))
}

# Sends N packets; prints the packets/s dut forwarded: packets that left sink0 over the
# time pktgen itself reports for the run ("Result: OK: <usec>(c...)"). The time around
# "start" is no good: pktgen polls for the end every 100 ms, and "start" can return
# before a busy kpktgend has even begun. Setting the count makes the result
# "OK: count=N", so a result with a time is this run's.
run() {
	local n=$1 rx0 rx1 us="" i
	pg pg0 "count $n"
	rx0=$(ip netns exec dut cat /sys/class/net/sink0/statistics/tx_packets)
	# In a shell of its own: pktgen stops the run if the writer gets a signal, and this
	# shell gets SIGCHLD from its background jobs.
	sh -c 'echo start > /proc/net/pktgen/pgctrl'
	for i in $(seq 600); do
		us=$(sed -nE 's/^Result: OK: ([0-9]+)\(.*/\1/p' /proc/net/pktgen/pg0)
		[ -n "$us" ] && break
		sleep 0.1
	done
	rx1=$(ip netns exec dut cat /sys/class/net/sink0/statistics/tx_packets)
	[ -n "$us" ] || { echo "bench: pktgen gave no result" >&2; echo 0; return; }
	echo $(( (rx1 - rx0) * 1000000 / us ))
}

setup() {
	dut_ipt -F FORWARD
	lsmod | grep -q '^ipt_NETFLOW ' && rmmod ipt_NETFLOW
	case $1 in
	none) ;;
	noop) dut_ipt -A FORWARD ;;
	netflow)
		insmod "$KO" hashsize=${2:-0} inactive_timeout=${3:-1800} active_timeout=1800 destination=127.0.0.1:2055
		dut_ipt -A FORWARD -j NETFLOW ;;
	esac
}

echo "[" > $OUT
first=1
emit() {
	[ $first = 1 ] || echo "," >> $OUT
	first=0
	echo "$1" >> $OUT
}

for flows in 1 1000 100000 1000000; do
	f=$(set_flows $flows)
	# Each repeat runs the three configurations back to back, so a slow spell of the host
	# hits all three alike, and loads the module (or adds the rule) afresh: where its
	# memory lands changes the speed by a few percent from one load to the next.
	declare -A results=()
	for r in $(seq 1 "$REPEAT"); do
		for cfg in none noop netflow; do
			setup $cfg 1048576
			# Warm-up creates the flows (and caches); the measured run hits existing flows.
			warm=$WARM; [ $cfg = netflow ] && [ "$f" -gt "$warm" ] && warm=$f
			run $warm >/dev/null
			results[$cfg]="${results[$cfg]:-} $(run $COUNT)"
		done
	done
	for cfg in none noop netflow; do
		say "flows=$f $cfg pps:${results[$cfg]}"
		emit "{\"flows\": $f, \"config\": \"$cfg\", \"pps\": [$(echo ${results[$cfg]} | tr ' ' ',')]}"
	done
	if [ "$flows" = 1000000 ]; then
		active=$(sed -nE 's/^Flows: active ([0-9]+) .*/\1/p' $PROC)
		hash=$(sed -nE 's/^Hash: size ([0-9]+) .*/\1/p' $PROC)
		# What users look at: the slab cache's line in /proc/slabinfo (objects, object
		# size, slabs of pages per slab), and the hash table's buckets (8 bytes each).
		grep '^ipt_netflow ' /proc/slabinfo
		read -r _ objs total objsize _ pages _ _ _ _ _ _ _ slabs _ < <(grep '^ipt_netflow ' /proc/slabinfo)
		say "1M flows: active $active; slab: $objs/$total objects of $objsize B, $slabs slabs of $pages pages; hash $hash buckets"
		emit "{\"memory\": {\"flows\": $active, \"slab_object_bytes\": $objsize, \"slab_objects\": $total, \"slab_bytes\": $((slabs * pages * 4096)), \"hash_buckets\": $hash, \"hash_bytes\": $((hash * 8))}}"
	fi
done

# Export throughput: 1M flows go idle at once (inactive_timeout 1) while 1k other flows
# keep receiving traffic; the periodic work exports the 1M to a local UDP collector.
# Flows/s = flows exported / time until only the live flows are left; the packet rate of
# the 1k flows during the export is compared with their rate before it.
export_total() { sed -nE 's/^Export: .* Total [0-9]+ pkts, [0-9]+ MB, ([0-9]+) flows.*/\1/p' $PROC; }
export_lost() { sed -nE 's/^Export: .* Traffic lost .* ([0-9]+) flows\./\1/p' $PROC; }
active_flows() { sed -nE 's/^Flows: active ([0-9]+) .*/\1/p' $PROC; }
# The collector runs on CPU 1: pktgen and the packet path are on CPU 0.
taskset -c 1 socat -u UDP-RECV:2055 /dev/null &
sink=$!
setup netflow 1048576 1800
big=$(set_flows 1000000)
run "$big" >/dev/null
set_flows 1000 >/dev/null
quiet=""
for r in $(seq 1 "$REPEAT"); do quiet="$quiet $(run $COUNT)"; done
# Control: the same traffic while CPU 1 only spins in user space. Under TCG the two
# vCPUs share the host's cores with QEMU's own threads, so a busy CPU 1 alone can slow
# CPU 0; the export's effect is the difference to this.
taskset -c 1 sh -c 'while :; do :; done' &
spin=$!
control=""
for r in $(seq 1 "$REPEAT"); do control="$control $(run $((COUNT / 16)))"; done
kill $spin
e0=$(export_total)
t0=$(date +%s%N)
echo 1 > /proc/sys/net/netflow/inactive_timeout
# A poller notes when the export is done; short runs meanwhile measure the live flows,
# the last one (which ends after the export) not counted.
rm -f /tmp/export_done
( for _ in $(seq 3000); do [ "$(active_flows)" -le 2000 ] && break; sleep 0.1; done
  date +%s%N > /tmp/export_done ) &
poller=$!
busy="" last=""
while kill -0 $poller 2>/dev/null; do
	busy="$busy $last"
	last=$(run $((COUNT / 16)))
done
t1=$(cat /tmp/export_done)
[ -n "${busy// /}" ] || busy=$last
e1=$(export_total)
lost=$(export_lost)
export_fps=$(( (e1 - e0) * 1000000000 / (t1 - t0) ))
say "export: $((e1 - e0)) flows in $(( (t1 - t0) / 1000000 )) ms = $export_fps flows/s, lost $lost; pps of 1k live flows before:$quiet with CPU 1 spinning:$control during:$busy"
emit "{\"export\": {\"flows\": $((e1 - e0)), \"flows_per_sec\": $export_fps, \"lost_flows\": ${lost:-0}, \"pps_before\": [$(echo $quiet | tr ' ' ',')], \"pps_cpu1_busy\": [$(echo $control | tr ' ' ',')], \"pps_while_exporting\": [$(echo $busy | tr ' ' ',')]}}"
kill $sink
echo "]" >> $OUT
dut_ipt -F FORWARD
rmmod ipt_NETFLOW
cat $PROC 2>/dev/null || true
