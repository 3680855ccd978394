#!/usr/bin/env bash
# make bench: packet-path cost of -j NETFLOW against no rule and a no-op rule, for 1, 1k,
# 100k and 1M flows, with kernel pktgen inside one VM run on the benchmark kernel (the
# test kernel's config without the debug options). Writes out/bench/results.json,
# out/bench/results.md and out/bench/throughput.png, and prints the table.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
tests/vm/deps.sh
dpkg-query -W -f='${Status}' python3-matplotlib 2>/dev/null | grep -q "ok installed" ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null
kdir=$(tests/vm/kernel.sh bench)

# The module for the bench kernel is built in a copy, so the debug build stays as it is.
build="$repo/out/bench-build"
mkdir -p "$build"
git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ "$build/"
make -s -C "$build" KDIR="$kdir" module >/dev/null

out="$repo/out/bench"
rm -rf "$out"; mkdir -p "$out"
echo "bench: booting the benchmark kernel (2 CPUs, TCG); about 10 minutes..."
NETFLOW_VM_MEM=4096 tests/vm/boot.sh "$kdir" "$out" "$repo/tests/bench/guest.sh" 1500
if [ "$(cat "$out/rc" 2>/dev/null)" != 0 ]; then
	tail -n 40 "$out/log"; echo "bench: the guest failed"; exit 1
fi
/usr/bin/python3 tests/bench/report.py "$out/results.json" "$out" "$(uname -m), $(nproc) host cores, QEMU TCG (no KVM), 2 vCPUs"
cat "$out/results.md"
