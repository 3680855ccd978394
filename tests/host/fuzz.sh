#!/usr/bin/env bash
# Fuzzes the module's pure parsers (destination, aggregation, setting values and numbers, packet key
# extraction) with cargo-fuzz / libFuzzer, each for a bounded time.
#   tests/host/fuzz.sh [seconds_per_target]      (default 30)
# cargo-fuzz needs nightly features: the installed stable toolchain is used with
# RUSTC_BOOTSTRAP=1. cargo-fuzz is installed from crates.io when missing. If fuzzing cannot
# be built here, falls back to the randomized tests of the host harness and says so.
# Seeds live in tests/host/fuzz/corpus/TARGET (kept small); what the fuzzer finds goes to a
# temporary corpus; a crash leaves its input in tests/host/fuzz/artifacts/TARGET/.
# Last line: "fuzz: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-30}
export PATH="$HOME/.cargo/bin:$PATH"
targets=(destination aggregation settings_number settings flow_key ctnetlink)

fallback() {
	echo "fuzz: $1; falling back to the randomized host tests (no coverage-guided fuzzing)"
	if (cd "$here" && cargo test -q random 2>&1 | tail -n 5); then
		echo "fuzz: 1 passed, 0 failed"; exit 0
	fi
	echo "fuzz: 0 passed, 1 failed"; exit 1
}

if ! cargo fuzz --version >/dev/null 2>&1; then
	echo "fuzz: cargo install cargo-fuzz"
	cargo install --locked --quiet cargo-fuzz || fallback "cannot install cargo-fuzz"
fi
export RUSTC_BOOTSTRAP=1
cd "$here/fuzz"
# The targets not building is a failure of the tree, not of the machine: no fallback.
cargo fuzz build -O >build.log 2>&1 || { tail -n 20 build.log; rm -f build.log; echo "fuzz: 0 passed, 1 failed"; exit 1; }
rm -f build.log

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 failn=0
for t in "${targets[@]}"; do
	mkdir -p "$work/$t"
	start=$(date +%s)
	if cargo fuzz run -O "$t" "$work/$t" "corpus/$t" -- -max_total_time="$secs" -max_len=4096 \
		>"$work/$t.log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS fuzz/$t $(($(date +%s) - start))s: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/$t.log" | head -1)"
	else
		failn=$((failn + 1))
		echo "FAIL fuzz/$t: input kept in tests/host/fuzz/artifacts/$t/"
		grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$work/$t.log" | head -n 10 | sed 's/^/    /'
	fi
done
echo "fuzz: $pass passed, $failn failed"
[ $failn = 0 ]
