#!/usr/bin/env bash
# Every test, from a fresh Debian machine: installs what is missing, builds (once) the
# debug test kernel, builds the module CLIPPY-clean and the extension, checks rustfmt,
# runs the host tests (cargo test), fuzzes the parsers for a bounded time
# (tests/host/fuzz.sh, NETFLOW_FUZZ_SECS per target) and runs the VM tests (one VM per
# tests/cases/*.sh), then DKMS against the test kernel (tests/dkms.sh, with one VM boot).
#   tests/run-all.sh [tests/cases/x.sh ...]     (default: all cases)
# Last line: "N passed, N failed" over host and VM tests; VM tests that passed only on
# their retry count as passed and are named before it, in a "vm: N FLAKY ..." line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

step() { echo; echo "### $*"; }

step "dependencies"
tests/vm/deps.sh

step "test kernel (debug: KASAN, lockdep, PROVE_RCU, kmemleak, failslab, DEBUG_OBJECTS)"
kdir=$(tests/vm/kernel.sh debug)
echo "kernel: $kdir"

step "module (CLIPPY=1, warnings are errors) and iptables extension"
make -s clean KDIR="$kdir" >/dev/null 2>&1 || true
make KDIR="$kdir" CLIPPY=1 KRUSTFLAGS=-Dwarnings all 2>&1 | tee out.build.log | grep -Ev '^make|^  [A-Z]+ ' || true
if grep -Eq '^(warning|error)' out.build.log || [ ! -f ipt_NETFLOW.ko ] || [ ! -f userspace/libxt_NETFLOW.so ]; then
	echo "build failed or not clean"; exit 1
fi
rm -f out.build.log
make -s fmt-check KDIR="$kdir" || { echo "rustfmt: not clean (make fmt)"; exit 1; }
python3 tests/tools/layering.py || { echo "layering: glue imports feature code, or two files import each other"; exit 1; }

step "host tests (pure logic)"
host_log=$(mktemp)
# The decoder test (tshark, nfdump over encoded PDUs) fails here if they are missing,
# where a developer's plain `cargo test` only skips it.
(cd tests/host && NETFLOW_REQUIRE_DECODERS=1 cargo test 2>&1) | tee "$host_log"
host_pass=$(awk '/^test result:/ { s += $4 } END { print s + 0 }' "$host_log")
host_fail=$(awk '/^test result:/ { s += $6 } END { print s + 0 }' "$host_log")
grep -q '^test result:' "$host_log" || host_fail=$((host_fail + 1))
rm -f "$host_log"

# The fuzzers run beside the VM tests, at the lowest priority: the VMs often wait on
# timeouts, and the fuzzers take the idle CPU (each runs its time, however many inputs).
step "host fuzzing (cargo-fuzz, ${NETFLOW_FUZZ_SECS:-30} s per target), in the background of the VM tests"
fuzz_log=$(mktemp)
nice -n 19 tests/host/fuzz.sh "${NETFLOW_FUZZ_SECS:-30}" >"$fuzz_log" 2>&1 &
fuzz_job=$!

step "VM tests on the debug kernel"
vm_log=$(mktemp)
tests/vm/run.sh "$kdir" "$@" | tee "$vm_log" || true

step "host fuzzing: results"
wait "$fuzz_job" || true
cat "$fuzz_log"
fuzz_pass=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$fuzz_log")
fuzz_fail=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$fuzz_log")
[ -n "$fuzz_pass" ] || { fuzz_pass=0; fuzz_fail=1; }
host_pass=$((host_pass + fuzz_pass)) host_fail=$((host_fail + fuzz_fail))
rm -f "$fuzz_log"
vm_pass=$(sed -n 's/^vm: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$vm_log")
vm_fail=$(sed -n 's/^vm: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$vm_log")
[ -n "$vm_pass" ] || { vm_pass=0; vm_fail=1; }
# Tests that passed only on their retry: counted as passed, named here again.
vm_flaky=$(grep -E '^vm: [0-9]+ FLAKY' "$vm_log" || true)
rm -f "$vm_log"

step "DKMS from a clean copy (host, then one VM boot)"
dkms_log=$(mktemp)
if [ $# = 0 ]; then tests/dkms.sh "$kdir" 2>&1 | tee "$dkms_log" || true
else echo "dkms: 0 passed, 0 failed" | tee "$dkms_log"; echo "(skipped: cases given)"; fi
dkms_pass=$(sed -n 's/^dkms: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$dkms_log")
dkms_fail=$(sed -n 's/^dkms: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$dkms_log")
[ -n "$dkms_pass" ] || { dkms_pass=0; dkms_fail=1; }
host_pass=$((host_pass + dkms_pass)) host_fail=$((host_fail + dkms_fail))
rm -f "$dkms_log"

echo
[ -z "$vm_flaky" ] || echo "$vm_flaky"
echo "host: $host_pass passed, $host_fail failed; vm: $vm_pass passed, $vm_fail failed"
echo "$((host_pass + vm_pass)) passed, $((host_fail + vm_fail)) failed"
[ $((host_fail + vm_fail)) = 0 ]
