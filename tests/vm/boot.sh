#!/usr/bin/env bash
# Boots the test kernel under QEMU (TCG, no network device), runs one guest script,
# and leaves in OUTDIR: log (the script's output), rc, dmesg, kmemleak, tainted, console.
#   tests/vm/boot.sh KERNEL_DIR OUTDIR GUEST_SCRIPT [timeout_seconds]
# The guest sees the host's root read-only (every host binary), this checkout read-only at
# /run/netflow (its own share: the guest's /tmp is a tmpfs, and a checkout may live in /tmp)
# and OUTDIR read-write at /mnt.
set -euo pipefail
kdir=$1 outdir=$2 script=$3 timeout=${4:-900}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mkdir -p "$outdir"
rm -f "$outdir"/{log,rc,dmesg,kmemleak,tainted,console}
mem=${NETFLOW_VM_MEM:-3072}
cpus=${NETFLOW_VM_CPUS:-2}
# The benchmark's deterministic mode: NETFLOW_VM_ACCEL="tcg,thread=single" and
# NETFLOW_VM_QEMU_ARGS="-icount shift=0,sleep=off" (guest time counts instructions).
accel=${NETFLOW_VM_ACCEL:-tcg,thread=multi}
read -r -a extra <<<"${NETFLOW_VM_QEMU_ARGS:-}"

set +e
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" "${extra[@]}" -cpu max -smp "$cpus" -m "$mem" \
	-display none -no-reboot -nic none -monitor none \
	-serial "file:$outdir/console" \
	-kernel "$kdir/arch/x86/boot/bzImage" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
	-fsdev local,id=out,path="$outdir",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=results \
	-fsdev local,id=repo,path="$repo",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
	-append "root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro \
console=ttyS0 acpi=noirq panic=-1 init=$here/guest-init.sh \
NETFLOW_HOST_REPO=$repo NETFLOW_KDIR=$kdir NETFLOW_SCRIPT=$script" \
	</dev/null
qrc=$?
set -e
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "boot.sh: VM timed out after ${timeout}s" >>"$outdir/log"
fi
exit 0
