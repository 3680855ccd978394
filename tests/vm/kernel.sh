#!/usr/bin/env bash
# Builds (once) the test kernel and prints its build directory.
#   tests/vm/kernel.sh [debug|bench]
# debug: base.config + debug.config (KASAN, lockdep, kmemleak, ...), for the tests.
# bench: base.config + bench.config (no debug options, -O2), for the benchmark.
# The build lives outside the work tree, keyed by kernel version + config fragments +
# toolchain versions, so a second run costs nothing.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
variant=${1:-debug}
here=$(cd "$(dirname "$0")/.." && pwd)
frags=("$here/kernel/base.config")
case "$variant" in
	debug) frags+=("$here/kernel/debug.config") ;;
	bench) frags+=("$here/kernel/bench.config") ;;
	*) echo "kernel.sh: unknown variant '$variant'" >&2; exit 2 ;;
esac

tarball=/usr/src/linux-source-6.12.tar.xz
kver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( { echo "$kver"; cat "${frags[@]}"; rustc --version; bindgen --version; clang --version | head -1; } |
	sha256sum | cut -c1-16)
cache=${NETFLOW_KERNEL_CACHE:-/var/cache/ipt_netflow}
out="$cache/linux-$variant-$key"
if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/.built" ]; then echo "$out"; exit 0; fi

rm -rf "$out"
mkdir -p "$out"
echo "kernel.sh: unpacking $kver into $out" >&2
tar -C "$out" --strip-components=1 -xJf "$tarball"
cd "$out"
mk() { make -s LLVM=1 "$@"; }
mk tinyconfig >/dev/null
./scripts/kconfig/merge_config.sh -m -O . .config "${frags[@]}" >/dev/null
mk olddefconfig >/dev/null
# Kconfig drops options whose dependencies are unmet: insist on every one we asked for.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		opt=${line%%=*}; val=${line#*=}
		if [ "$val" = n ]; then
			grep -q "^$opt=" .config && { echo "kernel.sh: $opt is set, wanted n" >&2; bad=1; }
		else
			grep -qx "$line" .config || { echo "kernel.sh: $line not in .config ($(grep "^$opt=" .config || echo unset))" >&2; bad=1; }
		fi ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		grep -q "^$opt=y" .config && { echo "kernel.sh: $opt is set, wanted unset" >&2; bad=1; } ;;
	esac
done < <(cat "${frags[@]}")
[ $bad = 0 ] || exit 1
mk rustavailable >&2
echo "kernel.sh: building ($variant), about 16 minutes on 2 cores" >&2
mk -j"$(($(nproc) + 1))" bzImage modules >&2
touch .built
echo "$out"
