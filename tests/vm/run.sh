#!/usr/bin/env bash
# Runs VM test files (tests/cases/*.sh by default), one fresh VM each, and judges each by
# its exit status AND the guest kernel: any WARNING, BUG, KASAN, lockdep/RCU splat,
# kmemleak report or taint other than out-of-tree/unsigned fails the test.
#   tests/vm/run.sh KERNEL_DIR [tests/cases/foo.sh ...]
# Ends with the line "vm: N passed, N failed". A test that passed only on its retry (see
# run_one) counts as passed, and is named before it in "vm: N FLAKY (...): NAME...".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kdir=$1; shift
tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	# Longest first (by each test's time budget), so that no long test starts last while
	# the other slot has nothing left to run.
	mapfile -t tests < <(for t in "$repo"/tests/cases/*.sh; do
		printf '%s %s\n' "$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t" | head -1)" "$t"
	done | sort -k1,1nr -k2 | cut -d' ' -f2-)
fi
results=${NETFLOW_RESULTS:-$repo/out/vm}

# Kernel messages that mean a bug, whatever the test printed.
splats='WARNING:|BUG:|KASAN:|UBSAN:|Call Trace:|Oops|general protection fault|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lock held when returning|bad unlock balance|RCU stall|rcu_sched self-detected stall|soft lockup|hung_task|blocked for more than|ODEBUG:|list_add corruption|list_del corruption|refcount_t:|kmemleak:.*new suspected|Kernel panic'
# Taint bits allowed: O (out-of-tree, 4096) and E (unsigned, 8192).
allowed_taint=$((4096 | 8192))

# Boots one test and judges it; prints its report and leaves PASS/FAIL in $out/verdict.
# A test that failed only by its own checks (no kernel report, no leak, no taint) runs once
# more: under TCG on a loaded host, timing-sensitive checks can miss. The first failure is
# kept in $out.first-run and reported; a pass on the retry is reported FLAKY (its verdict
# file says PASS, then flaky). A kernel report is never retried.
run_one() {
	local t=$1 name
	name=$(basename "$t" .sh)
	judge "$t" "$results/$name" && return
	grep -q '^retry$' "$results/$name/verdict" 2>/dev/null || return
	rm -rf "$results/$name.first-run"
	mv "$results/$name" "$results/$name.first-run"
	echo "RETRY $name: failed with no kernel report from the test's time; running it once more"
	judge "$t" "$results/$name"
}

judge() {
	local t=$1 out=$2 name timeout start secs rc hits boot_hits taint why=()
	name=$(basename "$t" .sh)
	timeout=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t" | head -1)
	start=$(date +%s)
	"$here/boot.sh" "$kdir" "$out" "$t" "${timeout:-900}"
	secs=$(($(date +%s) - start))
	rc=$(cat "$out/rc" 2>/dev/null || echo none)
	[ "$rc" = 0 ] || why+=("exit status $rc")
	# Reports from after the kernel started init (the test's time) fail the test. A report
	# during early boot, before any of our code ran, is a TCG/boot flake: the run is
	# retried like a failed check, and the report is shown.
	after_init() { tr -d '\000' <"$1" | sed -n '/Run .* as init process/,$p'; }
	hits=$({ after_init "$out/dmesg"; after_init "$out/console"; } 2>/dev/null | grep -aE "$splats" | sort -u | head -5)
	boot_hits=$(cat "$out/console" 2>/dev/null | tr -d '\000' | sed '/Run .* as init process/,$d' | grep -aE "$splats" | head -3)
	[ -z "$hits" ] || why+=("kernel: $(echo "$hits" | head -1)")
	[ -z "$boot_hits" ] || why+=("early boot report (not from the test): $(echo "$boot_hits" | head -1)")
	[ ! -s "$out/kmemleak" ] || why+=("kmemleak: $(grep -c unreferenced "$out/kmemleak") leaks")
	taint=$(cat "$out/tainted" 2>/dev/null || echo 0)
	(( (taint & ~allowed_taint) == 0 )) || why+=("tainted $taint")
	if [ ${#why[@]} = 0 ]; then
		echo PASS >"$out/verdict"
		if [ -e "$out.first-run" ]; then
			echo flaky >>"$out/verdict"
			printf 'FLAKY %-27s %4ss  passed only on its retry; the first run failed: %s\n' \
				"$name" "$secs" "$out.first-run/log"
		else
			printf 'PASS %-28s %4ss\n' "$name" "$secs"
		fi
		return 0
	else
		echo FAIL >"$out/verdict"
		[ -n "$hits" ] || [ -s "$out/kmemleak" ] || { [ -z "$boot_hits" ] && (( (taint & ~allowed_taint) != 0 )); } ||
			[ -e "$out.first-run" ] || echo retry >>"$out/verdict"
		{
			printf 'FAIL %-28s %4ss  %s\n' "$name" "$secs" "$(IFS=';'; echo "${why[*]}")"
			echo "---- $name: last lines of its output ($out/log) ----"
			tail -n 30 "$out/log" 2>/dev/null | tr -d '\000' | sed 's/^/    /'
			[ -z "$hits$boot_hits" ] || { echo "---- kernel reports ----"; printf '%s\n%s\n' "$hits" "$boot_hits" | sed '/^$/d; s/^/    /'; }
			[ ! -s "$out/kmemleak" ] || head -n 30 "$out/kmemleak" | sed 's/^/    /'
		} | cat
		return 1
	fi
}

# Tests run NETFLOW_VM_JOBS at a time (default 2): many wait on timeouts, so two VMs
# share the two cores well.
jobs_max=${NETFLOW_VM_JOBS:-2}
names=()
for t in "${tests[@]}"; do
	t=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
	names+=("$(basename "$t" .sh)")
	rm -rf "$results/$(basename "$t" .sh)/verdict" "$results/$(basename "$t" .sh).first-run"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	run_one "$t" &
	sleep 2
done
wait
pass=0 failn=0 failed=() flaky=()
for name in "${names[@]}"; do
	if [ "$(head -1 "$results/$name/verdict" 2>/dev/null)" = PASS ]; then
		pass=$((pass + 1))
		! grep -qx flaky "$results/$name/verdict" || flaky+=("$name")
	else
		failn=$((failn + 1)); failed+=("$name")
	fi
done
[ $failn = 0 ] || echo "vm: failed: ${failed[*]}"
[ ${#flaky[@]} = 0 ] || echo "vm: ${#flaky[@]} FLAKY (passed only on their retry, counted as passed): ${flaky[*]}"
echo "vm: $pass passed, $failn failed"
[ $failn = 0 ]
