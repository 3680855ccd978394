# Module metadata and autoload: modinfo shows the tree's version, a srcversion, the
# ip6t_NETFLOW alias and a description for every parameter; /sys/module shows the version;
# the man pages render with no warnings and document every parameter and sysctl; with the
# module installed as make install does (updates/ + depmod, into a staged root the kernel's
# modprobe helper is pointed at), `iptables`/`ip6tables -A ... -j NETFLOW` load the module
# by themselves, with both backends. (`make install DESTDIR=` itself: tests/dkms.sh.)
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

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
	sh -c "dmesg | grep -q 'ipt_NETFLOW: ipt_NETFLOW loaded: version $version, srcversion $srcversion$'"
sysctls=$(ls /proc/sys/net/netflow | sort)
unload

log "installed as make install does (modules_install + depmod), in a staged root"
# kbuild itself is far too slow under TCG (make install DESTDIR= runs on the host in
# tests/dkms.sh): here the module goes where modules_install puts it, then depmod -b.
stage=/tmp/stage
mkdir -p $stage/lib/modules/$kver/updates
cp "$KO" $stage/lib/modules/$kver/updates/
check "depmod -b $stage $kver" depmod -b $stage $kver
check "modules.alias has ip6t_NETFLOW" grep -qx 'alias ip6t_NETFLOW ipt_NETFLOW' $stage/lib/modules/$kver/modules.alias

log "man pages"
for page in "$REPO/docs/ipt_NETFLOW.8" "$REPO/userspace/libxt_NETFLOW.man"; do
	warn=$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/tmp/man.txt)
	check_eq "man -l --warnings $(basename $page): no warnings" "$warn" ""
	check "man -l $(basename $page) renders" grep -q '^SEE ALSO' /tmp/man.txt
done
MANWIDTH=200 man -l "$REPO/docs/ipt_NETFLOW.8" 2>/dev/null >/tmp/man.txt
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
