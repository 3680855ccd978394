# 100 cycles of insmod / add rules / traffic / delete rules / rmmod, alternating the
# legacy and nft backends, IPv6 every 5th cycle; the harness then requires a clean
# kmemleak scan and no kernel report. rmmod is refused while a rule uses the target.
# timeout: 1500
. "$NETFLOW_REPO/tests/lib.sh"

log "rmmod refused while a rule uses the target"
load
iptables-nft -w -A OUTPUT -j NETFLOW
check "rmmod refused (nft rule)" sh -c '! rmmod ipt_NETFLOW 2>/dev/null'
iptables-nft -w -F OUTPUT
iptables-legacy -w -A OUTPUT -j NETFLOW
check "rmmod refused (legacy rule)" sh -c '! rmmod ipt_NETFLOW 2>/dev/null'
iptables-legacy -w -F OUTPUT
check "rmmod once the rules are gone" unload_wait

log "100 cycles"
out=$(python3 "$REPO/tests/tools/lifecycle.py" "$KO" "${CYCLES:-100}" 2>&1)
echo "$out"
check_eq "cycles completed" "$(echo "$out" | sed -n 's/^cycles=//p')" "${CYCLES:-100}"
check "no module left" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'
finish
