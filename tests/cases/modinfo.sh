# Module metadata and installation: modinfo shows the tree's version, a srcversion, the
# ip6t_NETFLOW alias and a description for every parameter; /sys/module shows the version;
# `make install` (staged into a tmpfs root, DESTDIR) installs the module, depmod data, the
# iptables extension and both man pages; with that root as the system's module directory
# (the kernel's modprobe helper pointed at it), `iptables`/`ip6tables -A ... -j NETFLOW`
# load the module by themselves, with both backends; the installed man pages render with
# no warnings and document every parameter and sysctl.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

host_repo=${NETFLOW_HOST_REPO:?}
kver=$(uname -r)
version=$(cat "$REPO/VERSION")

log "modinfo of the built module"
check_eq "modinfo version is the VERSION file's" "$(modinfo -F version "$KO")" "$version"
srcversion=$(modinfo -F srcversion "$KO")
check_match "modinfo has a srcversion" "$srcversion" '^[0-9A-F]{23}$'
check "modinfo alias ip6t_NETFLOW" sh -c "modinfo -F alias '$KO' | grep -qx ip6t_NETFLOW"
check_eq "modinfo vermagic is this kernel's" "$(modinfo -F vermagic "$KO" | cut -d' ' -f1)" "$kver"
check "modinfo description" test -n "$(modinfo -F description "$KO")"
# "name:description (type)" per parameter; no description leaves "name:(type)" or "name:".
parms=$(modinfo -F parm "$KO")
echo "$parms" | sed 's/^/    /'
nodesc=$(echo "$parms" | awk '{ d = $0; sub(/^[^:]*:/, "", d); sub(/ *\([a-z]+\)$/, "", d); if (d !~ /[a-z]/) print $0 }')
check_eq "every parameter has a description" "$nodesc" ""
parm_names=$(echo "$parms" | cut -d: -f1 | sort)

load
check_eq "/sys/module/ipt_NETFLOW/version" "$(cat /sys/module/ipt_NETFLOW/version)" "$version"
check_eq "/sys/module/ipt_NETFLOW/srcversion is modinfo's" "$(cat /sys/module/ipt_NETFLOW/srcversion)" "$srcversion"
check_eq "modinfo lists every parameter of /sys/module" "$parm_names" "$(ls /sys/module/ipt_NETFLOW/parameters | sort)"
check "load message has version and srcversion" \
	sh -c "dmesg | grep -q 'ipt_NETFLOW: ipt_NETFLOW loaded: version $version, srcversion $srcversion,'"
sysctls=$(ls /proc/sys/net/netflow | sort)
unload

log "make install into a staged root"
# A writable copy of the built tree at the same path (kbuild's .cmd files name it), so
# make finds everything up to date and installs without rebuilding.
src=/tmp/src stage=/tmp/stage
mkdir -p $src $stage
tar -C "$host_repo" --exclude=./out --exclude=./tests/host/target --exclude=./.git -cf - . | tar -C $src -xpf -
mount --bind $src "$host_repo"
before=$(stat -c %Y "$host_repo/ipt_NETFLOW.ko")
export PATH=/root/.cargo/bin:$PATH RUSTUP_HOME=/root/.rustup CARGO_HOME=/root/.cargo
make -C "$host_repo" KDIR="$NETFLOW_KDIR" CLIPPY=1 KRUSTFLAGS=-Dwarnings install DESTDIR=$stage >/tmp/install.log 2>&1
rc=$?
sed 's/^/    /' /tmp/install.log | tail -20
check_eq "make install DESTDIR=$stage" "$rc" 0
check_eq "make install did not rebuild the module" "$(stat -c %Y "$host_repo/ipt_NETFLOW.ko")" "$before"
umount "$host_repo"
ko=$(find $stage/lib/modules/$kver -name ipt_NETFLOW.ko)
check "module installed under /lib/modules/$kver ($ko)" test -n "$ko"
check "modules.dep lists it" grep -q 'ipt_NETFLOW.ko:' $stage/lib/modules/$kver/modules.dep
check "modules.alias has ip6t_NETFLOW" grep -qx 'alias ip6t_NETFLOW ipt_NETFLOW' $stage/lib/modules/$kver/modules.alias
xtdir=$stage$(pkg-config --variable=xtlibdir xtables)
check "iptables extension installed" test -f $xtdir/libxt_NETFLOW.so
man8=$stage/usr/share/man/man8
check "ipt_NETFLOW(8) installed" test -f $man8/ipt_NETFLOW.8
check "libxt_NETFLOW(8) installed" test -f $man8/libxt_NETFLOW.8

log "man pages"
for page in $man8/ipt_NETFLOW.8 $man8/libxt_NETFLOW.8; do
	warn=$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/tmp/man.txt)
	check_eq "man -l --warnings $(basename $page): no warnings" "$warn" ""
	check "man -l $(basename $page) renders" grep -q '^SEE ALSO' /tmp/man.txt
done
MANWIDTH=200 man -l $man8/ipt_NETFLOW.8 2>/dev/null >/tmp/man.txt
missing=""
for p in $parm_names; do grep -Eq "^ +$p=" /tmp/man.txt || missing="$missing $p"; done
check_eq "ipt_NETFLOW(8) documents every parameter" "$missing" ""
missing=""
for s in $sysctls; do grep -Eq "^ +($s|.*, $s)(,|  |\$)" /tmp/man.txt || missing="$missing $s"; done
check_eq "ipt_NETFLOW(8) documents every sysctl" "$missing" ""

log "autoload by the rule, from the installed root"
# The system's module directory is read-only here: point the kernel's modprobe helper at
# the staged root instead (what /lib/modules is after a real make install).
cat >/tmp/modprobe <<EOF
#!/bin/sh
exec /sbin/modprobe -d $stage "\$@"
EOF
chmod +x /tmp/modprobe
old_modprobe=$(cat /proc/sys/kernel/modprobe)
echo /tmp/modprobe >/proc/sys/kernel/modprobe
export XTABLES_LIBDIR=$xtdir:$(pkg-config --variable=xtlibdir xtables)
for backend in legacy nft; do
	for ipt in ip6tables-$backend iptables-$backend; do
		[ ! -d /sys/module/ipt_NETFLOW ] || fail "module loaded before $ipt"
		check "$ipt -A FORWARD -j NETFLOW with the module not loaded" $ipt -w -A FORWARD -j NETFLOW
		check "$ipt loaded the module" test -d /sys/module/ipt_NETFLOW
		check "$ipt rule in place" sh -c "$ipt -w -S FORWARD | grep -qx -- '-A FORWARD -j NETFLOW'"
		$ipt -w -F FORWARD
		[ $backend = legacy ] || nft flush ruleset
		check "unload after $ipt" unload_wait
	done
done
echo "$old_modprobe" >/proc/sys/kernel/modprobe
finish
