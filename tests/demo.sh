#!/usr/bin/env bash
# The demo, from a fresh Debian machine: builds what is missing, boots the debug test
# kernel, loads ipt_NETFLOW, sends traffic through -j NETFLOW rules and shows the result.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
tests/vm/deps.sh
kdir=$(tests/vm/kernel.sh debug)
make -s KDIR="$kdir" all >/dev/null
out="$repo/out/demo"
echo "booting the test kernel (TCG, about a minute)..."
tests/vm/boot.sh "$kdir" "$out" "$repo/tests/demo/guest.sh" 600
cat "$out/log"
[ "$(cat "$out/rc" 2>/dev/null)" = 0 ]
