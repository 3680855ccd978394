#!/usr/bin/env bash
# DKMS from a clean copy (git archive of HEAD): `dkms add`, `dkms build -k KVER` and
# `dkms install -k KVER` against the test kernel's tree, set up as /lib/modules/KVER/build;
# the .ko lands in /lib/modules/KVER; a VM of that kernel (which sees the host root) then
# loads it with modprobe and by an ip6tables rule (tests/vm/dkms-guest.sh); `dkms remove`
# leaves nothing. Everything it creates on the host (/lib/modules/KVER, /usr/src/NAME-VER,
# /var/lib/dkms/NAME) is removed at the end, and it refuses to start if any already exists.
#   tests/dkms.sh [KERNEL_DIR]         (root; default: tests/vm/kernel.sh debug)
# Last line: "dkms: N passed, N failed".
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
kdir=${1:-$("$repo/tests/vm/kernel.sh" debug)}
name=ipt_NETFLOW
version=$(cat "$repo/VERSION")
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
pass=0 failn=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; failn=$((failn + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() { echo "dkms: $pass passed, $failn failed"; [ $failn = 0 ]; exit; }

[ -n "$kver" ] || { fail "no UTS_RELEASE in $kdir"; finish; }
command -v dkms >/dev/null || { fail "dkms not installed (tests/vm/deps.sh)"; finish; }
[ "$(id -u)" = 0 ] || { fail "needs root"; finish; }
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
[ "$conf_version" = "$version" ] && ok "dkms.conf PACKAGE_VERSION is VERSION's ($version)" ||
	fail "dkms.conf PACKAGE_VERSION '$conf_version' is not VERSION's '$version'"
git -C "$repo" diff --quiet HEAD 2>/dev/null || echo "dkms: note: uncommitted changes are not tested (git archive HEAD)"

# One run at a time on this host; never touch what this script did not create.
exec 8>/var/lock/ipt_netflow-dkms.lock
flock 8
for p in /lib/modules/$kver /usr/src/$name-$version /var/lib/dkms/$name; do
	[ ! -e "$p" ] || { fail "$p exists already: not ours, refusing to touch it"; finish; }
done
created_modules_dir=0
[ -e /lib/modules ] || created_modules_dir=1
mok_before=$(ls /var/lib/dkms/mok.* 2>/dev/null)
tmp=$(mktemp -d)
cleanup() {
	dkms remove "$name/$version" --all >/dev/null 2>&1
	rm -rf "/usr/src/$name-$version" "/var/lib/dkms/$name" "/lib/modules/$kver" "$tmp"
	[ $created_modules_dir = 0 ] || rmdir /lib/modules 2>/dev/null
	[ -n "$mok_before" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
}
trap cleanup EXIT

mkdir -p "$tmp/src" "/lib/modules/$kver"
git -C "$repo" archive HEAD | tar -x -C "$tmp/src"
ln -s "$kdir" "/lib/modules/$kver/build"
echo "dkms: kernel $kver at $kdir, $name $version"

run() { # run LOG COMMAND...: quiet unless it fails
	local log=$1; shift
	if "$@" >"$tmp/$log" 2>&1; then return 0; fi
	tail -n 40 "$tmp/$log" | sed 's/^/    /'
	find /var/lib/dkms/$name -name make.log -exec tail -n 40 {} \; 2>/dev/null | sed 's/^/    make.log: /'
	return 1
}
check "dkms add ." run add.log sh -c "cd '$tmp/src' && dkms add ."
# dkms 3.0 (Debian 12) wants the module/version for build and install.
check "dkms build -k $kver" run build.log dkms build "$name/$version" -k "$kver"
check "dkms install -k $kver" run install.log dkms install "$name/$version" -k "$kver"
dkms status "$name" | sed 's/^/    /'
ko=$(find "/lib/modules/$kver/updates/dkms" -name "$name.ko*" 2>/dev/null | head -1)
check "the .ko landed in /lib/modules/$kver/updates/dkms" test -n "$ko"
check "modules.dep lists it" grep -q "updates/dkms/$name.ko" "/lib/modules/$kver/modules.dep"
check "modules.alias has ip6t_NETFLOW" grep -qx "alias ip6t_NETFLOW $name" "/lib/modules/$kver/modules.alias"
[ -z "$ko" ] || check "its version is $version" test "$(modinfo -F version "$ko")" = "$version"

# make install, staged (DESTDIR), from the clean copy (builds it once more: DKMS cleans its build area).
stage=$tmp/stage
bdir=$tmp/src
check "make install DESTDIR=$stage (from the clean copy)" \
	run make-install.log make -C "$bdir" KDIR="$kdir" install DESTDIR="$stage"
check "make install: the module" test -n "$(find "$stage/lib/modules/$kver" -name "$name.ko")"
check "make install: depmod -b (modules.alias)" grep -qx "alias ip6t_NETFLOW $name" "$stage/lib/modules/$kver/modules.alias"
check "make install: the iptables extension" test -f "$stage$(pkg-config --variable=xtlibdir xtables)/libxt_NETFLOW.so"
for page in ipt_NETFLOW libxt_NETFLOW; do
	f=$stage/usr/share/man/man8/$page.8
	check "make install: $page(8)" test -f "$f"
	check "man -l --warnings $page(8): renders, no warnings" \
		sh -c "out=\$(LANG=C MANWIDTH=80 man -l --warnings '$f' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
done

echo "dkms: VM: modprobe from /lib/modules/$kver"
NETFLOW_RESULTS="$repo/out/dkms" "$repo/tests/vm/run.sh" "$kdir" "$repo/tests/vm/dkms-guest.sh" | sed 's/^/    /'
check "VM: modprobe and autoload of the DKMS module" \
	test "$(head -1 "$repo/out/dkms/dkms-guest/verdict" 2>/dev/null)" = PASS

check "dkms remove --all" run remove.log dkms remove "$name/$version" --all
check "no module left in /lib/modules/$kver" test -z "$(find "/lib/modules/$kver/" -name "$name.ko*")"
check "dkms status empty" test -z "$(dkms status "$name" 2>/dev/null)"
finish
