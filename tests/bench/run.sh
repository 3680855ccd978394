#!/usr/bin/env bash
# make bench: packet-path cost of our -j NETFLOW beside C ipt_NETFLOW 2.6's, a no-op rule, no
# rule, and -j NFLOG into pmacct's uacctd (a userspace NetFlow exporter), for 1, 1k, 100k and
# 1M flows, with kernel pktgen inside the VM on the benchmark kernel (the test kernel's
# config without the debug options). Two VM runs:
#   icount: single-threaded TCG with -icount shift=0,sleep=off: guest time counts executed
#           instructions (1 ns each), so the figures do not move with the host's load. The
#           primary figure. It models no caches: it cannot see the 1M-flow memory effects.
#   wall:   multi-threaded TCG on the wall clock, as before: sees memory effects and the
#           two-CPU contention, but moves with the host's load (read ratios of interleaved
#           repeats).
# Writes out/bench/<mode>/ (guest log, results-<mode>.json), then out/bench/results.json
# (every mode found there), results.md and throughput.png, and prints the table.
# BENCH_MODES="icount wall" (default) picks the runs; BENCH_REPEAT sets the repeats,
# BENCH_CONFIGS and BENCH_FLOWS a subset (configurations: none noop ours ours-hash10
# ours-dump c nflog, and ours-busy, the control of ours-dump, when asked for).
# BENCH_PROFILE="ours:1 c:1000000 ..." records perf
# profiles of those points instead (out/bench/<mode>/perf-<config>-<flows>.txt).
# BENCH_BUILDS="NAME=DIR ..." builds the module of each other source tree DIR (say, a copy of
# the commit before a change) too; a configuration NAME in BENCH_CONFIGS then runs it as
# "ours" runs this checkout's, interleaved in the same boot (an A/B comparison, e.g.
# BENCH_BUILDS="base=/tmp/base" BENCH_CONFIGS="noop base ours"). BENCH_EXPORT=0 skips the
# export-throughput part.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
tests/vm/deps.sh
# The bench's own tools: the plot, the userspace peer (uacctd), C's configure needs, gdb (traces).
need=()
for p in python3-matplotlib pmacct patch gdb; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
kdir=$(tests/vm/kernel.sh bench)

# The module for the bench kernel is built in a copy, so the debug build stays as it is.
# BENCH_NO_BUILD=1 uses the modules as built (a second run while a first one's VM is up).
build="$repo/out/bench-build"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
	# A tree's sources without its build products (which may be another kernel's).
	copy_tree() {
		if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			(cd "$1" && git ls-files -z --cached --others --exclude-standard) |
				rsync -a --from0 --files-from=- "$1/" "$2/"
		else
			rsync -a --exclude .git --exclude 'out/' --exclude 'target/' --exclude '*.o' \
				--exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod' --exclude '*.mod.c' \
				--exclude bindings_generated.rs --exclude Module.symvers \
				--exclude modules.order "$1/" "$2/"
		fi
	}
	mkdir -p "$build"
	copy_tree "$repo" "$build"
	make -s -C "$build" KDIR="$kdir" module >/dev/null
	for b in ${BENCH_BUILDS:-}; do
		name=${b%%=*} dir=${b#*=}
		case $name in none | noop | ours | c | nflog | "" | *[!a-z0-9_]*)
			echo "bench: BENCH_BUILDS name '$name': not a configuration name of its own"; exit 1 ;;
		esac
		rm -rf "$build-$name"; mkdir -p "$build-$name"
		copy_tree "$dir" "$build-$name"
		make -s -C "$build-$name" KDIR="$kdir" module >/dev/null
		echo "bench: build $name: $dir"
	done
	# The guest's iptables finds libxt_NETFLOW.so in this checkout's userspace/.
	make -s userspace >/dev/null
	echo "bench: C ipt_NETFLOW 2.6: $(tests/bench/c-module.sh "$kdir" "$repo/out/c-netflow")"
fi

out="$repo/out/bench"
mkdir -p "$out"
# BENCH_TRACE="ours:1 c:1": instruction traces of one packet instead (icount mode, gdb).
modes=${BENCH_MODES:-icount wall}
[ -z "${BENCH_TRACE:-}" ] || modes=icount
for mode in $modes; do
	rm -rf "${out:?}/$mode"; mkdir -p "$out/$mode"
	case $mode in
	icount)
		accel="tcg,thread=single" qargs="-icount shift=0,sleep=off"
		count=30000 warm=30000 ;;
	wall)
		accel="tcg,thread=multi" qargs=""
		count=100000 warm=50000 ;;
	esac
	cat >"$out/$mode/bench.env" <<-EOF
	MODE=$mode
	REPEAT=${BENCH_REPEAT:-5}
	COUNT=$count
	WARM=$warm
	EOF
	# (Quoted here, not in the heredoc: there the quotes of ${v:+"..."} would be dropped.)
	for v in CONFIGS FLOWS PROFILE EXPORT TRACE; do
		eval "val=\${BENCH_$v:-}"
		[ -z "$val" ] || printf '%s="%s"\n' "$v" "$val" >>"$out/$mode/bench.env"
	done
	t0=$(date +%s)
	echo "bench: $mode mode: booting the benchmark kernel (2 CPUs, TCG $accel $qargs)..."
	if [ -n "${BENCH_TRACE:-}" ]; then
		# QEMU's gdbstub on a free port; gdb steps one packet per point (tests/bench/trace.py).
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		NETFLOW_VM_MEM=4096 NETFLOW_VM_ACCEL="$accel" NETFLOW_VM_QEMU_ARGS="$qargs -gdb tcp:127.0.0.1:$port" \
			tests/vm/boot.sh "$kdir" "$out/$mode" "$repo/tests/bench/guest.sh" 2400 &
		vm=$!
		n=0
		for _ in $BENCH_TRACE; do
			n=$((n + 1))
			while kill -0 $vm 2>/dev/null && [ ! -e "$out/$mode/trace-ready-$n" ]; do sleep 1; done
			[ -e "$out/$mode/trace-ready-$n" ] || break
			TRACE_DIR="$out/$mode" TRACE_N=$n TRACE_PORT=$port timeout 900 \
				gdb -q -nx -batch -x tests/bench/trace.py >"$out/$mode/gdb-$n.log" 2>&1 ||
				{ tail -n 5 "$out/$mode/gdb-$n.log"; echo "bench: gdb failed on trace $n"; }
		done
		wait $vm
	else
		NETFLOW_VM_MEM=4096 NETFLOW_VM_ACCEL="$accel" NETFLOW_VM_QEMU_ARGS="$qargs" \
			tests/vm/boot.sh "$kdir" "$out/$mode" "$repo/tests/bench/guest.sh" 2400
	fi
	if [ "$(cat "$out/$mode/rc" 2>/dev/null)" != 0 ]; then
		tail -n 40 "$out/$mode/log"; echo "bench: the guest failed ($mode)"; exit 1
	fi
	echo "bench: $mode mode took $(( $(date +%s) - t0 )) s"
done
if [ -n "${BENCH_TRACE:-}" ]; then
	python3 tests/bench/trace.py "$out/icount"; echo "bench: traces only, total $(( $(date +%s) - start )) s"; exit 0
fi
if [ -n "${BENCH_PROFILE:-}" ]; then
	ls "$out"/*/perf-*.txt; echo "bench: profiles only, total $(( $(date +%s) - start )) s"; exit 0
fi
/usr/bin/python3 tests/bench/report.py "$out" \
	"$(uname -m), $(nproc) host cores, QEMU TCG (no KVM), 2 vCPUs"
cat "$out/results.md"
echo "bench: total $(( $(date +%s) - start )) s"
