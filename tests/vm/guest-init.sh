#!/bin/bash
# PID 1 of the test VM: sets up a minimal system on the read-only 9p root, runs
# $NETFLOW_SCRIPT, collects dmesg, a kmemleak scan and the taint flags into /mnt.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
ln -s /proc/self/fd /dev/fd
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 results /mnt
mkdir -p /run/netflow
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro repo /run/netflow
NETFLOW_REPO=/run/netflow
case $NETFLOW_SCRIPT in "$NETFLOW_HOST_REPO"/*) NETFLOW_SCRIPT=$NETFLOW_REPO/${NETFLOW_SCRIPT#"$NETFLOW_HOST_REPO"/} ;; esac
mkdir -p /run/netns /tmp/var
ip link set lo up
echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null || true
# Boot-time leaks are not ours: forget them before the test starts.
leaks=/sys/kernel/debug/kmemleak
[ -w $leaks ] && echo clear > $leaks

export NETFLOW_REPO NETFLOW_KDIR NETFLOW_OUT=/mnt
export XTABLES_LIBDIR="$NETFLOW_REPO/userspace:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)"
cd /tmp
echo "[guest] $(cut -d" " -f1 /proc/uptime)s: running $NETFLOW_SCRIPT" > /mnt/log
bash "$NETFLOW_SCRIPT" >> /mnt/log 2>&1
echo $? > /mnt/rc
echo "[guest] $(cut -d" " -f1 /proc/uptime)s: done, exit $(cat /mnt/rc)" >> /mnt/log

if [ -w $leaks ]; then
	# Objects must be unreferenced for a while before kmemleak reports them.
	echo scan > $leaks; sleep 6; echo scan > $leaks
	cat $leaks > /mnt/kmemleak
fi
cat /proc/sys/kernel/tainted > /mnt/tainted
dmesg > /mnt/dmesg
sync
umount /mnt
echo b > /proc/sysrq-trigger
sleep 10
