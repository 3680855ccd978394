#!/usr/bin/env bash
# Builds C ipt_NETFLOW 2.6, the module this project replaces, for the benchmark: its source
# from Debian's iptables-netflow-dkms (fetched with apt, unpacked under OUTDIR, never
# committed), plus tests/bench/c-compat.patch (kernel-API changes up to 6.12 and clang's
# error texts for its compile probe; nothing in its algorithms or packet path), built against
# KERNEL_DIR with the kernel's own compiler (LLVM=1) and C's default configure options.
#   tests/bench/c-module.sh KERNEL_DIR OUTDIR     -> OUTDIR/src/ipt_NETFLOW.ko
set -euo pipefail
kdir=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
patch_file=$here/c-compat.patch
want=2.6-4+deb12u1   # the version the patch was written against
mkdir -p "$out"
out=$(cd "$out" && pwd)

stamp="$(sha256sum "$patch_file" | cut -c1-16) $kdir"
if [ -f "$out/src/ipt_NETFLOW.ko" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out/src/ipt_NETFLOW.ko"
	exit 0
fi

cd "$out"
rm -rf deb src stamp ./*.deb
# apt-get download writes into the current directory; as root it warns that the _apt user
# cannot write there, and downloads anyway.
apt-get download "iptables-netflow-dkms=$want" >/dev/null 2>&1 ||
	{ echo "c-module: $want not available, trying the candidate version" >&2
	  apt-get download iptables-netflow-dkms >/dev/null 2>&1; }
deb=$(ls iptables-netflow-dkms_*.deb)
dpkg-deb -x "$deb" deb
cp -a deb/usr/src/ipt-netflow-2.6 src
cd src
patch -s -p1 <"$patch_file"
export LLVM=1
# Without --disable-dkms* (the glob also matches --disable-dkms-install) configure runs its
# kernel checks (llist, NAT headers) as a DKMS build would; with no dkms installed it only
# says so. No --enable-* options: C's defaults (no MAC, VLAN, direction, sampler, natevents),
# which is what our module implements per packet.
./configure --kdir="$kdir" --disable-snmp-agent >configure.log 2>&1 ||
	{ cat configure.log >&2; echo "c-module: configure failed" >&2; exit 1; }
make ipt_NETFLOW.ko >build.log 2>&1 ||
	{ tail -n 40 build.log >&2; echo "c-module: build failed" >&2; exit 1; }
echo "c-module: $(grep -c "warning:" build.log) compiler warnings in C's code (see $out/src/build.log)" >&2
echo "$stamp" >"$out/stamp"
echo "$out/src/ipt_NETFLOW.ko"
