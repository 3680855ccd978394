# Guest half of tests/dkms.sh (not a tests/cases file: it needs the host side first).
# DKMS installed the module into the host's /lib/modules/KVER, which the guest sees over
# the shared root: modprobe loads it from there, and an ip6tables rule loads it by itself.
# timeout: 600
. "$NETFLOW_REPO/tests/lib.sh"

kver=$(uname -r)
version=$(cat "$REPO/VERSION")
ko=$(modinfo -n ipt_NETFLOW 2>/dev/null)
check_match "modinfo finds the DKMS module ($ko)" "$ko" "^/lib/modules/$kver/updates/dkms/ipt_NETFLOW\.ko"
check_eq "its version" "$(modinfo -F version ipt_NETFLOW)" "$version"
check "modprobe ipt_NETFLOW" modprobe ipt_NETFLOW
check_eq "/sys/module/ipt_NETFLOW/version" "$(cat /sys/module/ipt_NETFLOW/version 2>/dev/null)" "$version"
check "iptables -A FORWARD -j NETFLOW" iptables-legacy -w -A FORWARD -j NETFLOW
iptables-legacy -w -F FORWARD
check "modprobe -r ipt_NETFLOW" modprobe -r ipt_NETFLOW
check "ip6tables -A FORWARD -j NETFLOW loads it by itself" ip6tables-legacy -w -A FORWARD -j NETFLOW
check "loaded" test -d /sys/module/ipt_NETFLOW
ip6tables-legacy -w -F FORWARD
check "modprobe -r ipt_NETFLOW" modprobe -r ipt_NETFLOW
finish
