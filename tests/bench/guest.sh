# Benchmark, inside the VM. pktgen sends 64-byte UDP from pg0 (root namespace) to pg1 in
# namespace "dut", which routes it to a dummy device: every packet crosses dut's FORWARD
# chain. Each point: packets/s seen by dut over a fixed packet count, repeated.
# Configurations, interleaved in every repeat: no rule, a no-op rule, our -j NETFLOW, C
# ipt_NETFLOW 2.6's -j NETFLOW (both register the target 'NETFLOW': one module at a time),
# and -j NFLOG into pmacct's uacctd, which exports NetFlow v5 to nfcapd.
# Parameters come from /mnt/bench.env (written by run.sh): MODE (icount: guest time counts
# instructions; wall: TCG wall clock), REPEAT, COUNT, WARM, EXPORT (0: no export part).
# A configuration of another name runs the module built in out/bench-build-NAME
# (BENCH_BUILDS) as "ours" runs ours.
set -u
REPO=$NETFLOW_REPO
KO=$REPO/out/bench-build/ipt_NETFLOW.ko
KO_C=$REPO/out/c-netflow/src/ipt_NETFLOW.ko
# shellcheck disable=SC1091
. /mnt/bench.env
MODE=${MODE:-wall}
OUT=/mnt/results-$MODE.json
PROC=/proc/net/stat/ipt_netflow
MODE=${MODE:-wall}
REPEAT=${REPEAT:-5}
COUNT=${COUNT:-200000}
WARM=${WARM:-100000}
CONFIGS=${CONFIGS:-none noop ours ours-hash10 ours-dump c nflog}
FLOWS=${FLOWS:-1 1000 100000 1000000}
# Same table and timeouts for both modules; nothing expires while the traffic runs.
MODARGS="hashsize=1048576 maxflows=2000000 inactive_timeout=1800 active_timeout=1800 protocol=5 destination=127.0.0.1:2055"
up() { local u _; read -r u _ </proc/uptime; echo "$u"; }
say() { echo "[$(up)] $*"; }
say "mode $MODE: $REPEAT repeats of $COUNT packets, warm-up $WARM; configurations: $CONFIGS"

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
# A pktgen device (pg0 on thread 0; pg0@1 on thread 1 for the two-CPU runs).
pg_dev() {
	pg "$1" "pkt_size 60"
	pg "$1" "dst_mac $dmac"
	pg "$1" "src_min 10.0.0.2"
	pg "$1" "src_max 10.0.0.2"
	pg "$1" "delay 0"
	pg "$1" "clone_skb 0"
}
pg kpktgend_0 rem_device_all
pg kpktgend_0 "add_device pg0"
pg_dev pg0

# flows F: destination addresses x source ports, coprime range sizes, so pktgen's two
# sequential counters walk every pair (period = product).
set_flows() {
	local ips ports dev=${2:-pg0}
	case $1 in
	1) ips=1 ports=1 ;;
	4) ips=1 ports=4 ;;
	1000) ips=1 ports=1000 ;;
	100000) ips=7 ports=14286 ;;
	1000000) ips=17 ports=61681 ;;
	esac
	pg "$dev" "dst_min 10.9.0.1"
	pg "$dev" "dst_max 10.9.0.$ips"
	pg "$dev" "udp_src_min 1"
	pg "$dev" "udp_src_max $ports"
	pg "$dev" "udp_dst_min 9"
	pg "$dev" "udp_dst_max 9"
	echo $((ips * ports))
}

sink_tx() { ip netns exec dut cat /sys/class/net/sink0/statistics/tx_packets; }
# pktgen's own time of the last run of device $1 ("Result: OK: <usec>(c...)"), empty if none.
pg_us() { sed -nE 's/^Result: OK: ([0-9]+)\(.*/\1/p' "/proc/net/pktgen/$1"; }
# Sends N packets from each of the devices given (default pg0); prints the packets/s dut
# forwarded: packets that left sink0 over the longest time pktgen reports for the run. The
# time around "start" is no good: pktgen polls for the end every 100 ms. Setting the count
# makes the result "OK: count=N", so a result with a time is this run's.
FORWARDED=0
run() {
	local n=$1 rx0 rx1 us u i d
	shift
	local devs=("${@:-pg0}")
	[ ${#devs[@]} -gt 0 ] || devs=(pg0)
	for d in "${devs[@]}"; do pg "$d" "count $n"; done
	rx0=$(sink_tx)
	# In a shell of its own: pktgen stops the run if the writer gets a signal, and this
	# shell gets SIGCHLD from its background jobs. The write returns when the run is over.
	sh -c 'echo start > /proc/net/pktgen/pgctrl'
	us=0
	for d in "${devs[@]}"; do
		u=""
		for i in $(seq 600); do
			u=$(pg_us "$d")
			[ -n "$u" ] && break
			sleep 0.1
		done
		[ -n "$u" ] || { echo "bench: pktgen gave no result on $d" >&2; echo 0; return; }
		[ "$u" -gt "$us" ] && us=$u
	done
	rx1=$(sink_tx)
	FORWARDED=$((rx1 - rx0))
	echo $(( (rx1 - rx0) * 1000000 / us ))
}

# The slab cache the module's flows live in: objects, slabs, pages per slab, object size.
# C's cache has no flags, so SLUB merges it into another cache of its size; sysfs keeps an
# alias "ipt_netflow" to it while the module is loaded. Read before and after the flows are
# made, the difference is the flows' memory for either module.
slab_state() {
	local d=/sys/kernel/slab/ipt_netflow
	[ -e $d ] || { echo "0 0 0 0 0"; return; }
	echo "$(cut -d' ' -f1 $d/objects) $(cut -d' ' -f1 $d/slabs) $((1 << $(cat $d/order))) $(cat $d/object_size) $(cat $d/slab_size)"
}
active_flows() { sed -nE 's/^Flows: active ([0-9]+) .*/\1/p' $PROC; }
hash_kb() { sed -nE 's/^Hash: size [0-9]+ \(mem ([0-9]+)K\).*/\1/p' $PROC; }
flows_mem_kb() { sed -nE 's/^Flows: active [0-9]+ .*, mem ([0-9]+)K.*/\1/p' $PROC; }
export_total() { sed -nE 's/^Export: .* Total [0-9]+ pkts, [0-9]+ MB, ([0-9]+) flows.*/\1/p' $PROC; }
export_lost() { sed -nE 's/^Export: .* Traffic lost .* ([0-9]+) flows\./\1/p' $PROC; }

unload() {
	local i
	for i in $(seq 50); do
		lsmod | grep -q '^ipt_NETFLOW ' || return 0
		rmmod ipt_NETFLOW 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: could not unload ipt_NETFLOW" >&2
}

# ours-dump: a reader lists every flow (/proc/net/stat/ipt_netflow_flows of dut) in a loop
# on CPU 1 while pktgen sends on CPU 0: the dump must not slow the packet path.
# ours-busy, its control: CPU 1 as busy, reading nothing of ours. Under TCG on a 2-core host
# any busy vCPU takes host CPU from the sender's, so the dump's own cost to the packet path
# is ours-dump against ours-busy.
NEIGHBOUR=""
neighbour_start() {
	local body=:
	[ "$1" = ours-dump ] && body="cat /proc/net/stat/ipt_netflow_flows >/dev/null"
	ip netns exec dut taskset -c 1 sh -c "while :; do $body; done" &
	NEIGHBOUR=$!
}
neighbour_stop() {
	[ -n "$NEIGHBOUR" ] || return 0
	kill "$NEIGHBOUR" 2>/dev/null; wait "$NEIGHBOUR" 2>/dev/null
	NEIGHBOUR=""
}

# Our module keeps an instance per namespace: dut's starts with a small table (as every
# namespace but the initial one), sized here like the initial one's for a fair comparison.
# C has one instance, whose /proc is the initial namespace's.
size_dut() { ip netns exec dut sysctl -qw net.netflow.hashsize=1048576; }
stat_of() { if [ "$1" = c ]; then cat $PROC; else ip netns exec dut cat $PROC; fi; }

SLAB0=""
setup() {
	neighbour_stop
	dut_ipt -F FORWARD
	unload
	case $1 in
	none) ;;
	noop) dut_ipt -A FORWARD ;;
	ours | c)
		local ko=$KO
		[ "$1" = c ] && ko=$KO_C
		# shellcheck disable=SC2086
		insmod "$ko" $MODARGS ${2:-} || { echo "bench: insmod $ko failed" >&2; return 1; }
		[ "$1" = c ] || size_dut
		SLAB0=$(slab_state)
		dut_ipt -A FORWARD -j NETFLOW ;;
	ours-hash10 | ours-dump | ours-busy)
		local extra=""
		[ "$1" = ours-hash10 ] && extra="sampler=hash:10"
		# shellcheck disable=SC2086
		insmod "$KO" $MODARGS $extra ${2:-} || { echo "bench: insmod $KO failed" >&2; return 1; }
		size_dut
		SLAB0=$(slab_state)
		dut_ipt -A FORWARD -j NETFLOW
		case $1 in ours-dump | ours-busy) neighbour_start "$1" ;; esac
		;;
	nflog) dut_ipt -A FORWARD -j NFLOG --nflog-group 1 ;;
	*)
		# shellcheck disable=SC2086
		insmod "$REPO/out/bench-build-$1/ipt_NETFLOW.ko" $MODARGS ${2:-} ||
			{ echo "bench: insmod of build $1 failed" >&2; return 1; }
		size_dut
		dut_ipt -A FORWARD -j NETFLOW ;;
	esac
}

# The userspace peer: uacctd (pmacct) reads NFLOG group 1 in dut and exports NetFlow v5
# to nfcapd in dut; both on CPU 1, like the modules' collector.
UACCTD_SENT=0
peer_start() {
	rm -rf /tmp/nfc /tmp/uacctd*
	mkdir -p /tmp/nfc
	cat > /tmp/uacctd.conf <<-EOF
	daemonize: false
	pidfile: /tmp/uacctd.pid
	uacctd_group: 1
	uacctd_nl_size: 2097152
	uacctd_threshold: 64
	snaplen: 128
	plugin_pipe_size: 67108864
	plugin_buffer_size: 65536
	plugins: nfprobe
	nfprobe_receiver: 127.0.0.1:2056
	nfprobe_version: 5
	nfprobe_maxflows: 2000000
	nfprobe_timeouts: udp=3600:general=3600:maxlife=604800:expint=1
	EOF
	ip netns exec dut taskset -c 1 nfcapd -w /tmp/nfc -b 127.0.0.1 -p 2056 >/tmp/nfcapd.log 2>&1 &
	NFCAPD=$!
	ip netns exec dut taskset -c 1 uacctd -f /tmp/uacctd.conf >/tmp/uacctd.log 2>&1 &
	UACCTD=$!
	UACCTD_SENT=0
	sleep 3
}
# Stops uacctd's NetFlow plugin first (on SIGINT it exports every flow it holds; if the
# core went first, the plugin would see its pipe close and exit without exporting), then the
# core, then nfcapd; sets PEER_FLOWS and PEER_PKTS: what reached the collector.
PEER_FLOWS=0 PEER_PKTS=0
peer_stop() {
	local p i f a b plugins line alive
	plugins="$(cat /tmp/uacctd.pid-* 2>/dev/null) $(pgrep -P "$UACCTD" 2>/dev/null)"
	for p in $plugins; do kill -INT "$p" 2>/dev/null; done
	for i in $(seq 100); do
		alive=0
		for p in $plugins; do
			# alive unless gone or a zombie (bash builtins only: this loop polls)
			while IFS= read -r line; do
				case $line in State:*Z*) break ;; State:*) alive=1; break ;; esac
			done 2>/dev/null < /proc/$p/status
		done
		[ $alive = 0 ] && break
		sleep 0.2
	done
	kill -INT "$UACCTD" 2>/dev/null
	for i in $(seq 50); do kill -0 "$UACCTD" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$UACCTD" 2>/dev/null
	wait "$UACCTD" 2>/dev/null
	sleep 1
	kill -TERM "$NFCAPD"; wait "$NFCAPD" 2>/dev/null
	PEER_FLOWS=0 PEER_PKTS=0
	for f in /tmp/nfc/nfcapd.*; do
		[ -e "$f" ] || continue
		nfdump -r "$f" -I > /tmp/nfdump-I.txt 2>&1
		read -r a b < <(awk -F': *' '/^Flows:/ { fl=$2 } /^Packets:/ { pk=$2 } END { print fl+0, pk+0 }' /tmp/nfdump-I.txt)
		PEER_FLOWS=$((PEER_FLOWS + a)); PEER_PKTS=$((PEER_PKTS + b))
	done
}

# Instruction traces instead of the benchmark (TRACE="cfg:flows ..." in bench.env): for each
# point, the flows are made, then the host's gdb (tests/bench/trace.py, attached to QEMU's
# gdbstub) single-steps one packet through the target function and writes every address it
# executed. The guest tells the host where the target is (/mnt/trace-ready-N: symbol and
# address; /mnt/kallsyms for naming the rest) and sends the packet once /mnt/trace-go-N is
# there (written while gdb has the VM stopped, its breakpoint set).
if [ -n "${TRACE:-}" ]; then
	cat /proc/kallsyms > /mnt/kallsyms
	n=0
	for point in $TRACE; do
		n=$((n + 1))
		cfg=${point%%:*} pf=${point#*:}
		f=$(set_flows "$pf")
		setup "$cfg" || continue
		run $((f > 1000 ? f : 1000)) >/dev/null
		# The modules' target functions: ours is the xtables trampoline (generic over
		# the target type), C's is netflow_target.
		case $cfg in
		c) sym=netflow_target ;;
		*) sym=$(awk '$3 ~ /target_trampoline/ && $4 == "[ipt_NETFLOW]" { print $3; exit }' /proc/kallsyms) ;;
		esac
		addr=$(awk -v s="$sym" '$3 == s && $4 == "[ipt_NETFLOW]" { print $1; exit }' /proc/kallsyms)
		grep '\[ipt_NETFLOW\]' /proc/kallsyms > "/mnt/kallsyms-$n"
		echo "$cfg $f $sym $addr" > "/mnt/trace-ready-$n"
		say "trace $n: $cfg at $f flows, $sym at $addr: waiting for the host's gdb"
		for _ in $(seq 3000); do [ -e "/mnt/trace-go-$n" ] && break; sleep 0.1; done
		[ -e "/mnt/trace-go-$n" ] || { say "trace $n: no gdb"; continue; }
		# One packet of an existing flow (the counters keep walking the same flows).
		run 1 >/dev/null
		for _ in $(seq 600); do [ -e "/mnt/trace-done-$n" ] && break; sleep 0.1; done
		say "trace $n: done"
	done
	dut_ipt -F FORWARD
	unload
	exit 0
fi

# Profiling instead of the benchmark (PROFILE="cfg:flows ..." in bench.env): perf samples
# CPU 0 (software clock: TCG has no PMU) over one long run of each point; the reports go to
# /mnt/perf-<cfg>-<flows>.txt.
if [ -n "${PROFILE:-}" ]; then
	for point in $PROFILE; do
		cfg=${point%%:*} pf=${point#*:}
		f=$(set_flows "$pf")
		setup "$cfg" || continue
		warm=$WARM; [ "$f" -gt "$warm" ] && warm=$f
		run $warm >/dev/null
		pg pg0 "count $COUNT"
		# perf samples CPU 0 for exactly the run: it wraps the "start" write, which
		# returns when the run is over.
		perf record -q -e cpu-clock -F 10000 -C 0 -g -o /tmp/perf.data -- \
			sh -c 'echo start > /proc/net/pktgen/pgctrl' >/dev/null 2>&1
		us=$(pg_us pg0)
		say "profile $cfg at $f flows: $COUNT packets in $us us (perf running)"
		{ echo "# $cfg, $f flows, $COUNT packets in $us us with perf, mode $MODE; samples at 10 kHz of CPU 0"
		  perf report -i /tmp/perf.data --stdio --no-children --sort dso -n -g none 2>/dev/null | grep -v '^$'
		  perf report -i /tmp/perf.data --stdio --no-children --sort dso,sym -n -g none --percent-limit 0.2 2>/dev/null | grep -v '^$'
		  echo "# inclusive (children) cost of the target functions"
		  perf report -i /tmp/perf.data --stdio --children --sort sym -n -g none 2>/dev/null | grep -iE 'netflow|Overhead' | head -30
		  echo "# hot offsets in the module's code (perf script sym+off, sample counts)"
		  perf script -i /tmp/perf.data -F ip,sym,symoff,dso 2>/dev/null | grep 'ipt_NETFLOW' | awk '{ print $2 }' | sort | uniq -c | sort -rn | head -80
		} > "/mnt/perf-$cfg-$f.txt"
	done
	dut_ipt -F FORWARD
	unload
	exit 0
fi

echo "[" > "$OUT"
first=1
emit() {
	[ $first = 1 ] || echo "," >> "$OUT"
	first=0
	echo "$1" >> "$OUT"
}
json_list() { echo "[$(echo $1 | tr ' ' ',')]"; }

for flows in $FLOWS; do
	f=$(set_flows "$flows")
	case " $CONFIGS " in *" nflog "*) peer_start ;; esac
	# Each repeat runs the configurations back to back, so a slow spell of the host hits
	# all alike, and loads the module (or adds the rule) afresh: where its memory lands
	# changes the speed by a few percent from one load to the next.
	declare -A results=()
	memline=""
	for r in $(seq 1 "$REPEAT"); do
		for cfg in $CONFIGS; do
			setup $cfg || continue
			# Warm-up creates the flows (and caches); the measured run hits existing flows.
			warm=$WARM
			case $cfg in none | noop) ;; *) [ "$f" -gt "$warm" ] && warm=$f ;; esac
			run $warm >/dev/null
			[ $cfg = nflog ] && UACCTD_SENT=$((UACCTD_SENT + FORWARDED))
			pps=$(run "$COUNT")
			[ $cfg = nflog ] && UACCTD_SENT=$((UACCTD_SENT + FORWARDED))
			results[$cfg]="${results[$cfg]:-} $pps"
			if [ "$r" = 1 ] && { [ $cfg = ours ] || [ $cfg = c ] || [ $cfg = ours-hash10 ]; }; then
				# Memory of the flows: the slab cache before the traffic and now.
				read -r o0 s0 _ _ _ <<<"$SLAB0"
				read -r o1 s1 pages objsz slotsz <<<"$(slab_state)"
				stat_of $cfg >/tmp/stat.txt
				act=$(PROC=/tmp/stat.txt active_flows); hkb=$(PROC=/tmp/stat.txt hash_kb); mkb=$(PROC=/tmp/stat.txt flows_mem_kb)
				say "flows=$f $cfg memory: active $act; slab objects $o0 -> $o1, slabs $s0 -> $s1 of $pages pages, object $objsz B (slot $slotsz B); hash ${hkb}K; module says ${mkb}K"
				memline="$memline{\"config\": \"$cfg\", \"flows\": ${act:-0}, \"objects\": $((o1 - o0)), \"slab_bytes\": $(( (s1 - s0) * pages * 4096 )), \"object_size\": ${objsz:-0}, \"slot_size\": ${slotsz:-0}, \"hash_bytes\": $(( ${hkb:-0} * 1024 )), \"module_mem_bytes\": $(( ${mkb:-0} * 1024 ))},"
			fi
		done
	done
	for cfg in $CONFIGS; do
		say "flows=$f $cfg pps:${results[$cfg]:-}"
		emit "{\"mode\": \"$MODE\", \"flows\": $f, \"config\": \"$cfg\", \"pps\": $(json_list "${results[$cfg]:-}")}"
	done
	[ -z "$memline" ] || emit "{\"mode\": \"$MODE\", \"memory_at\": $f, \"memory\": [${memline%,}]}"
	case " $CONFIGS " in *" nflog "*)
		dut_ipt -F FORWARD
		peer_stop
		say "flows=$f nflog peer: sent $UACCTD_SENT packets in $f flows; the collector got $PEER_FLOWS flow records, $PEER_PKTS packets"
		grep -iE 'error|warn|missing' /tmp/uacctd.log | cut -c1-160 | sort | uniq -c | head -5
		emit "{\"mode\": \"$MODE\", \"peer_at\": $f, \"peer\": {\"flows_sent\": $f, \"packets_sent\": $UACCTD_SENT, \"flows_received\": $PEER_FLOWS, \"packets_received\": $PEER_PKTS}}" ;;
	esac
done
neighbour_stop
dut_ipt -F FORWARD
unload

# Two CPUs sending into the same 4 flows (pg0 on CPU 0, pg0@1 on CPU 1: veth delivers on
# the sending CPU, so both CPUs run the FORWARD chain into the same flows' counters), against
# one CPU alone. Only the wall-clock mode runs both vCPUs at once (icount runs them in turn).
if [ "$MODE" = wall ]; then
	pg kpktgend_1 rem_device_all
	pg kpktgend_1 "add_device pg0@1"
	pg_dev pg0@1
	set_flows 4 >/dev/null
	set_flows 4 pg0@1 >/dev/null
	declare -A one=() two=()
	for r in $(seq 1 "$REPEAT"); do
		for cfg in noop ours c; do
			setup $cfg || continue
			run "$WARM" pg0 >/dev/null
			one[$cfg]="${one[$cfg]:-} $(run "$COUNT" pg0)"
			two[$cfg]="${two[$cfg]:-} $(run "$COUNT" pg0 pg0@1)"
		done
	done
	for cfg in noop ours c; do
		say "4 flows $cfg: one CPU pps:${one[$cfg]:-} two CPUs pps:${two[$cfg]:-}"
		emit "{\"mode\": \"$MODE\", \"contention\": {\"config\": \"$cfg\", \"flows\": 4, \"pps_one_cpu\": $(json_list "${one[$cfg]:-}"), \"pps_two_cpus\": $(json_list "${two[$cfg]:-}")}}"
	done
	pg kpktgend_1 rem_device_all
	dut_ipt -F FORWARD
	unload
fi

# Export throughput, for each module: 1M flows (EXPORT_FLOWS) go idle at once (inactive_timeout 1); the
# periodic work exports them to a local UDP collector. Flows/s = flows exported / time until
# only the live flows are left. In the wall-clock mode 1k other flows keep receiving traffic,
# and their packet rate during the export is compared with their rate before it and with a
# control (CPU 1 only spinning in user space). In the icount mode nothing else runs: the
# time is the export's own instructions.
# The collector runs on CPU 1: pktgen and the packet path are on CPU 0.
taskset -c 1 socat -u UDP-RECV:2055 /dev/null &
sink=$!
exporters="ours c"
[ "${EXPORT:-1}" = 0 ] && exporters=""
for cfg in $exporters; do
	setup $cfg || continue
	big=$(set_flows "${EXPORT_FLOWS:-1000000}")
	run "$big" >/dev/null
	set_flows 1000 >/dev/null
	quiet="" control="" busy="" last=""
	if [ "$MODE" = wall ]; then
		for r in $(seq 1 3); do quiet="$quiet $(run "$COUNT")"; done
		taskset -c 1 sh -c 'while :; do :; done' &
		spin=$!
		for r in $(seq 1 3); do control="$control $(run $((COUNT / 8)))"; done
		kill $spin
	else
		run "$COUNT" >/dev/null
	fi
	live=$(active_flows)
	e0=$(export_total)
	t0=$(date +%s%N)
	echo 1 > /proc/sys/net/netflow/inactive_timeout
	# A poller notes when the export is done; short runs meanwhile measure the live flows,
	# the last one (which ends after the export) not counted.
	rm -f /tmp/export_done
	( for _ in $(seq 3000); do [ "$(active_flows)" -le 2000 ] && break; sleep 0.1; done
	  date +%s%N > /tmp/export_done ) &
	poller=$!
	if [ "$MODE" = wall ]; then
		while kill -0 $poller 2>/dev/null; do
			busy="$busy $last"
			last=$(run $((COUNT / 8)))
		done
		[ -n "${busy// /}" ] || busy=$last
	fi
	wait $poller
	t1=$(cat /tmp/export_done)
	e1=$(export_total)
	lost=$(export_lost)
	export_fps=$(( (e1 - e0) * 1000000000 / (t1 - t0) ))
	say "export $cfg: $((e1 - e0)) of $live flows in $(( (t1 - t0) / 1000000 )) ms = $export_fps flows/s, lost $lost; pps of 1k live flows before:$quiet with CPU 1 spinning:$control during:$busy"
	emit "{\"mode\": \"$MODE\", \"export\": {\"config\": \"$cfg\", \"flows\": $((e1 - e0)), \"ms\": $(( (t1 - t0) / 1000000 )), \"flows_per_sec\": $export_fps, \"lost_flows\": ${lost:-0}, \"pps_before\": $(json_list "$quiet"), \"pps_cpu1_busy\": $(json_list "$control"), \"pps_while_exporting\": $(json_list "$busy")}}"
	cat $PROC
done
kill $sink
echo "]" >> "$OUT"
dut_ipt -F FORWARD
unload
