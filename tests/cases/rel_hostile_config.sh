# Hostile configuration: bad module parameters and sysctl values (empty, huge, negative,
# overflowing, garbage, 4 KiB strings, embedded NUL, invalid UTF-8, 17 destinations,
# 33 aggregation rules) are each refused with a dmesg line naming the setting; the old
# state stays intact and nothing leaks (the harness requires a clean kmemleak scan).
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"

ctl=/proc/sys/net/netflow
slab=/sys/kernel/slab/ipt_netflow
rep() { local s=$1 n=$2 out=""; while [ "$n" -gt 0 ]; do out+=$s; n=$((n - 1)); done; printf '%s' "$out"; }
big=$(rep x 4096)
dests17=$(for i in $(seq 1 17); do printf '127.0.0.%d:2055,' "$i"; done)
dests16=$(for i in $(seq 1 16); do printf '127.0.0.%d:2055,' "$i"; done)
rules33=$(for i in $(seq 1 33); do printf '%d=1,' "$i"; done)
rules32=$(for i in $(seq 1 32); do printf '%d=1,' "$i"; done)
# 22 valid rules, 1034 bytes: over the 1024-byte limit (no spaces: insmod splits on them).
rules_long=$(for i in $(seq 1 22); do printf '2001:0db8:0000:0000:0000:0000:0000:%04x/128=128,' "$i"; done)

log "module parameters"
# refuse_param PARAM=VALUE DMESG_REGEX: insmod fails, dmesg matches, nothing stays behind.
refuse_param() {
	local arg=$1 re=$2 shown=${1:0:60}
	dmesg -C
	if load "$arg" 2>/dev/null; then fail "insmod $shown accepted"; unload; return; fi
	local msgs; msgs=$(dmesg)
	if [[ $msgs =~ $re ]]; then ok "insmod $shown refused: $(echo "$msgs" | grep -m1 -E "$re" | cut -c1-150)"
	else fail "insmod $shown: no dmesg line matching /$re/: $(echo "$msgs" | tail -2)"; fi
	[ ! -e $slab ] || fail "insmod $shown left the slab cache behind"
	! grep -q "^ipt_NETFLOW " /proc/modules || fail "insmod $shown left the module loaded"
}
refuse_param "destination=" "parameter destination: '' refused: destination: no destination given"
refuse_param "destination=$dests17" 'destination entry 17 .*too many destinations'
refuse_param "destination=$big" 'parameter destination: value refused: 4096 bytes, longer than 1023'
refuse_param "destination=127.0.0.1:65536" 'destination entry 1 .*bad port'
refuse_param "destination=[::1]:2055@10.0.0.1" 'families differ'
refuse_param "destination=127.0.0.1:2055,127.0.0.1:2055" 'duplicate destination'
refuse_param "destination=$(printf '\xff\xfe')" 'parameter destination: value refused: not UTF-8'
refuse_param "aggregation=$rules33" 'rule 33 .*too many rules \(max 32\)'
refuse_param "aggregation=$rules_long" 'parameter aggregation: value refused: [0-9]+ bytes, longer than 1023'
refuse_param "aggregation=$big" 'parameter aggregation: value refused: 4096 bytes, longer than 1023'
refuse_param "aggregation=10.0.0.0/33=8" 'prefix length out of range'
refuse_param "aggregation=1.2.3.4/8=99999999999999999999" 'strip length out of range'
refuse_param "aggregation=$(printf 'a\xc3')" 'parameter aggregation: value refused: not UTF-8'
refuse_param "protocol=7" "parameter protocol: '7' refused: 7 is not one of 5, 9, 10"
refuse_param "protocol=-1" "parameter .protocol'"
refuse_param "maxflows=4294967296" "parameter .maxflows'"
refuse_param "maxflows=99999999999999999999999" "parameter .maxflows'"
refuse_param "hashsize=255" "parameter hashsize: '255' refused: below the minimum 256"
refuse_param "inactive_timeout=0" "parameter inactive_timeout: '0' refused: below the minimum 1"
refuse_param "debug=4" "parameter debug: '4' refused: above the maximum 3"
refuse_param "scan_min=0x" "parameter .scan_min'"
# Refused by the kernel's parameter parser before the module runs; its message quotes the
# 4 KiB value and printk drops the line whole, so only the refusal itself is checked.
refuse_param "sndbuf=$big" "^"
log "edges that must be accepted"
for arg in "destination=$dests16" "aggregation=$rules32" "maxflows=4294967295" "hashsize=256" "protocol=10"; do
	if load "$arg" 2>/dev/null; then ok "insmod ${arg:0:40}... accepted"; unload; else fail "insmod ${arg:0:40} refused"; fi
done
check "no module left loaded" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'

log "sysctls"
# Long timeouts: the flows must still be there after minutes of abuse.
load destination=127.0.0.1:2055,127.0.0.2:2056 aggregation=10.0.0.0/8=16,80-89=80 maxflows=5000 hashsize=1024 \
	inactive_timeout=3600 active_timeout=3600
make_router
iptables -A FORWARD -j NETFLOW
start_sink ns2 9000
send 10.2.0.2 9000 10 2 10
names="active_timeout inactive_timeout debug maxflows hashsize sndbuf destination aggregation protocol refresh-rate timeout-rate scan-min flush"
snapshot() {
	local n
	for n in $names; do printf '%s=%s\n' "$n" "$(cat $ctl/$n)"; done
	grep -E '^(Protocol|Timeouts|sock[0-9]|aggr#)' $PROC | sed 's/, filled.*//; s/ (usage.*//'
	proc_field '^Flows: active ([0-9]+) .*'
}
before=$(snapshot)
check_eq "10 flows before the abuse" "$(proc_field '^Flows: active ([0-9]+) .*')" 10
# refuse_raw NAME PRINTF_FORMAT: as refuse (tests/lib.sh), for bytes bash strings cannot
# hold (NUL); silent when refused (the state is compared once, after all the writes).
refuse_raw() {
	local name=$1 out
	dmesg -C
	out=$(printf "$2" 2>&1 >$ctl/$name) && { fail "$name=$2 (raw) accepted"; return; }
	case "$out" in *"Invalid argument"*) ;; *) fail "$name=$2 (raw): not EINVAL: $out"; return ;; esac
	dmesg | grep -q "net.netflow.$name" || { fail "$name=$2 (raw): no dmesg line"; return; }
}
# Every kind of garbage on two numeric sysctls, a sample on the others (TCG is slow).
mark=$failures
for n in active_timeout hashsize; do
	refuse "$n" "" " " "-1" "-0x10" "+5" "0x10" "1e3" "5 5" "18446744073709551616" \
		"99999999999999999999999999999999999999" "$big" "$(rep 9 1023)" "abc" "$(printf '\xff')" "١"
	refuse_raw "$n" '5\0005'
	refuse_raw "$n" '\0'
done
for n in inactive_timeout debug maxflows sndbuf protocol refresh-rate timeout-rate scan-min flush; do
	refuse "$n" "" "-1" "18446744073709551616" "$big" "x"
done
ok_since $mark "numeric sysctls refused the garbage"
mark=$failures
refuse destination "" "," "$dests17" "$big" "127.0.0.1:0" "127.0.0.1:65536" "1.2.3.4.5" "[::1" "[::1]:x" \
	"127.0.0.1:2055@[::1]" "127.0.0.1:2055,127.0.0.1:2055" "$(printf 'a\xff')"
refuse_raw destination '127.0.0.1:2057\000garbage'
ok_since $mark "destination refused the garbage"
mark=$failures
refuse aggregation "$rules33" "$rules_long" "$big" "10.0.0.0/33=8" "::/129=8" "80-70=80" "65536=80" "1=65536" \
	"x/8=8" "1.2.3.4/8" "1.2.3.4/8=8=8" "/=" "=" "-=1" "$(printf '\xc3')"
refuse_raw aggregation '10.0.0.0/8=16\0001=2'
ok_since $mark "aggregation refused the garbage"
after=$(snapshot)
check_eq "state after all refused writes" "$after" "$before"
check "the 16-destination and 32-rule edges are accepted" sh -c \
	"echo '$dests16' > $ctl/destination && echo '$rules32' > $ctl/aggregation"
check_eq "16 sockets" "$(grep -c '^sock' $PROC)" 16
check_eq "32 aggregation rules" "$(grep -c '^aggr#' $PROC)" 32
log "hashsize at its maximum (2^26 buckets): resized or refused cleanly"
dmesg -C
if echo 67108864 >$ctl/hashsize 2>/tmp/err; then
	check_eq "hashsize 2^26" "$(cat $ctl/hashsize)" 67108864
	echo 1024 >$ctl/hashsize
else
	log "refused: $(cat /tmp/err)"
	check_eq "hashsize unchanged" "$(cat $ctl/hashsize)" 1024
fi
check_eq "10 flows survived" "$(proc_field '^Flows: active ([0-9]+) .*')" 10
iptables -F
unload
check "slab cache gone after rmmod" test ! -e $slab
del_router
finish
