# Shared helpers for the guest test scripts (sourced; runs inside the VM as root).
# A test prints what it does, calls `check`/`fail`, and exits non-zero on failure.
set -u
REPO=${NETFLOW_REPO:?}
KO=$REPO/ipt_NETFLOW.ko
PROC=/proc/net/stat/ipt_netflow
CTL=/proc/sys/net/netflow
failures=0

# Seconds since boot, to see where a slow test spends its time.
up() { local u _; read -r u _ </proc/uptime; echo "$u"; }
log() { echo "== [$(up)] $*"; }
fail() { echo "FAIL [$(up)]: $*"; failures=$((failures + 1)); }
ok() { echo "ok [$(up)]: $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# check_eq DESCRIPTION GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi; }
# check_match DESCRIPTION STRING REGEX (bash ERE; no subprocess, which is slow in the VM)
check_match() { if [[ $2 =~ $3 ]]; then ok "$1"; else fail "$1: '$2' does not match /$3/"; fi; }
# check_ge DESCRIPTION GOT MIN
check_ge() { if [ "$2" -ge "$3" ] 2>/dev/null; then ok "$1 ($2 >= $3)"; else fail "$1: got '$2', want >= $3"; fi; }
# check_le DESCRIPTION GOT MAX
check_le() { if [ "$2" -le "$3" ] 2>/dev/null; then ok "$1 ($2 <= $3)"; else fail "$1: got '$2', want <= $3"; fi; }
# ok_since MARK DESCRIPTION: closes a group of checks begun when $failures was MARK: ok
# only if none of them failed (each failure was printed and counted as it happened).
ok_since() {
	if [ "$failures" = "$1" ]; then ok "$2"; else echo "FAIL [$(up)]: $2: $((failures - $1)) failure(s) above"; fi
}
finish() {
	if [ $failures = 0 ]; then echo "RESULT: pass"; exit 0; fi
	echo "RESULT: $failures check(s) failed"; exit 1
}

load() { insmod "$KO" "$@"; }
unload() { rmmod ipt_NETFLOW; }
# nf_tables drops its reference on the target from a work item after the commit:
# rmmod right after deleting nft rules may find the module still in use for a moment.
unload_wait() {
	local n
	for n in $(seq 1 50); do
		rmmod ipt_NETFLOW 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod ipt_NETFLOW
}

# Packet counter of the first rule with target NETFLOW in CHAIN: rule_pkts TOOL CHAIN
rule_pkts() { "$1" -w -L "$2" -v -n -x | awk '$3 == "NETFLOW" { print $1; exit }'; }
rule_bytes() { "$1" -w -L "$2" -v -n -x | awk '$3 == "NETFLOW" { print $2; exit }'; }

# A router between two namespaces: ns1 (10.1.0.2, fd01::2) <-> root <-> ns2 (10.2.0.2, fd02::2).
# Traffic from ns1 to ns2 crosses the root namespace's FORWARD chain.
make_router() {
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	local i
	for i in 1 2; do
		ip netns add ns$i
		ip link add r$i type veth peer name e$i netns ns$i
		ip addr add 10.$i.0.1/24 dev r$i
		ip addr add fd0$i::1/64 dev r$i nodad
		ip link set r$i up
		ip -n ns$i link set lo up
		ip -n ns$i addr add 10.$i.0.2/24 dev e$i
		ip -n ns$i addr add fd0$i::2/64 dev e$i nodad
		ip -n ns$i link set e$i up
		ip -n ns$i route add default via 10.$i.0.1
		ip -n ns$i -6 route add default via fd0$i::1
	done
}
del_router() { ip netns del ns1 2>/dev/null; ip netns del ns2 2>/dev/null; true; }

# Collector: nfcapd on ADDR:PORT writing into DIR (default 127.0.0.1:2055).
start_nfcapd() {
	local dir=$1 port=${2:-2055} addr=${3:-127.0.0.1}
	mkdir -p "$dir"
	nfcapd -w "$dir" -b "$addr" -p "$port" >"$dir.log" 2>&1 &
	echo $! >"$dir.pid"
	sleep 1
}
# Stops it (SIGTERM flushes its file).
stop_nfcapd() {
	local dir=$1
	kill -TERM "$(cat "$dir.pid")" 2>/dev/null
	wait "$(cat "$dir.pid")" 2>/dev/null
	sleep 0.5
}
# nfdump's CSV of every flow in DIR, header and summary lines dropped.
nfdump_csv() { nfdump -q -R "$1" -o csv 2>/dev/null | grep -E '^[0-9]{4}-'; }
# Column index (1-based) of NAME in nfdump's CSV header.
nfdump_col() { nfdump -R "$1" -o csv 2>/dev/null | head -1 | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# Sum of column NAME over all flows in DIR.
nfdump_sum() { local c; c=$(nfdump_col "$1" "$2"); nfdump_csv "$1" | awk -F, -v c="$c" '{ s += $c } END { print s + 0 }'; }
# nfdump's count of sequence failures of the v5 and v9 streams in DIR. Not of IPFIX:
# nfdump 1.7 does not number IPFIX options data records, which RFC 7011 (and C
# ipt_NETFLOW, and tshark's analysis) count in the sequence, so an IPFIX stream with
# options records gets a "failure" per PDU that has some: ipfix_seq_failures checks IPFIX.
seq_failures() {
	local f
	for f in "$1"/nfcapd.2*; do [ -e "$f" ] && nfdump -E "$f"; done |
		awk '/^SysID:/ && !/version: 10,/ { sub(/.*Sequence failures: /, ""); n += $1 } END { print n + 0 }'
}

# start_dumpcap FILE PORT [COMMAND PREFIX...]: captures UDP to PORT on lo into FILE
# (in a namespace with `ip netns exec NS` as prefix); returns once it captures. With
# DUMPCAP_VERSION=N, only the PDUs of that NetFlow version (tshark follows sequences by
# domain ID, whatever the version: a protocol switch would look like a jump).
start_dumpcap() {
	local file=$1 port=$2 i filter="udp dst port $2"
	shift 2
	[ -z "${DUMPCAP_VERSION:-}" ] || filter="$filter and udp[8:2] = $DUMPCAP_VERSION"
	"$@" dumpcap -q -i lo -f "$filter" -w "$file" 2>"$file.log" &
	echo $! >"$file.pid"
	for i in $(seq 120); do
		grep -q "^Capturing on" "$file.log" && return 0
		sleep 0.5
	done
	fail "dumpcap did not start: $(cat "$file.log")"
}
stop_dumpcap() { kill -INT "$(cat "$1.pid")"; wait "$(cat "$1.pid")" 2>/dev/null; }
# tshark's sequence warnings over the IPFIX (or v9) capture FILE of one stream to one
# collector port, decoded as NetFlow/IPFIX.
ipfix_seq_failures() {
	tshark -r "$1" -d "udp.port==$2,cflow" -q -z expert 2>/dev/null |
		awk '$2 == "Sequence" && $3 == "CFLOW" { n += $1 } END { print n + 0 }'
}

# send DST_ADDR DST_PORT FLOWS PACKETS PAYLOAD [SPORT_BASE]: known UDP flows from ns1
# (tests/tools/udp_flows.py), its summary line dropped.
send() { ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" "$@" >/dev/null; }

# refuse NAME VALUE...: each write of VALUE to net.netflow.NAME fails with EINVAL, leaves
# the value as it was, and has dmesg name the sysctl; ok once if all of them did.
refuse() {
	local name=$1 file=$CTL/$1 before after bad shown out all=() mark=$failures
	shift
	IFS= read -r -d '' before <"$file"
	for bad in "$@"; do
		printf -v shown '%q' "${bad:0:40}"
		all+=("$shown")
		dmesg -C
		out=$(printf '%s\n' "$bad" 2>&1 >"$file") && { fail "$name=$shown accepted"; continue; }
		case "$out" in *"Invalid argument"*) ;; *) fail "$name=$shown: not EINVAL: $out"; continue ;; esac
		IFS= read -r -d '' after <"$file"
		[ "$after" = "$before" ] || { fail "$name=$shown changed the value"; continue; }
		dmesg | grep -q "net.netflow.$name" || { fail "$name=$shown: no dmesg line"; continue; }
	done
	ok_since "$mark" "$name refuses: ${all[*]}"
}

# A UDP sink on PORT in namespace NS, so test traffic draws no ICMP errors.
start_sink() { ip netns exec "$1" socat -u "UDP-RECV:$2,reuseaddr" /dev/null & }
# Value of a field in /proc/net/stat/ipt_netflow: proc_field REGEX (first capture group).
proc_field() { sed -nE "s/$1/\1/p" $PROC | head -1; }

# Reads the Total row of /proc/net/stat/ipt_netflow into t_search t_found t_new t_trunc
# t_frag t_alloc t_maxflows t_pkts t_drop.
read_total() {
	local row re='^Total +[0-9]+; +([0-9]+) +([0-9]+) +([0-9]+) \[[0-9.]+\], +([0-9]+) +([0-9]+) +([0-9]+) +([0-9]+), traffic: ([0-9]+), [0-9]+ MB, drop: ([0-9]+), '
	row=$(grep '^Total' $PROC)
	[[ $row =~ $re ]] || { fail "Total row unreadable: $row"; return 1; }
	t_search=${BASH_REMATCH[1]} t_found=${BASH_REMATCH[2]} t_new=${BASH_REMATCH[3]}
	t_trunc=${BASH_REMATCH[4]} t_frag=${BASH_REMATCH[5]} t_alloc=${BASH_REMATCH[6]}
	t_maxflows=${BASH_REMATCH[7]} t_pkts=${BASH_REMATCH[8]} t_drop=${BASH_REMATCH[9]}
}
# Sum of the packet counters of all NETFLOW rules of the filter tables, IPv4 and IPv6
# (two commands: each is slow in the VM).
rules_sum() {
	{ iptables -w -L -v -n -x; ip6tables -w -L -v -n -x; } |
		awk '$3 == "NETFLOW" { s += $1 } END { print s + 0 }'
}
# Conservation: every packet that hit a NETFLOW rule reached the target, and each was
# either accounted (found or new flow) or counted as dropped. Reads the rule counters
# before and after /proc until both agree; if stray packets (ND, late ICMP errors) keep
# them moving, /proc must lie between the two readings.
check_conservation() {
	local what=$1 r1 r2 i
	for i in 1 2 3 4 5; do
		r1=$(rules_sum); read_total || return; r2=$(rules_sum)
		[ "$r1" = "$r2" ] && break
		sleep 1
	done
	if [ "$r1" = "$r2" ]; then
		check_eq "$what: traffic packets = rule counters" "$t_pkts" "$r1"
	elif [ "$r1" -le "$t_pkts" ] && [ "$t_pkts" -le "$r2" ]; then
		ok "$what: traffic packets between two rule counter readings ($r1 <= $t_pkts <= $r2)"
	else
		fail "$what: traffic packets $t_pkts outside the rule counters read around it ($r1..$r2)"
	fi
	check_eq "$what: found + new + drop = traffic packets" "$((t_found + t_new + t_drop))" "$t_pkts"
	if [ "$t_pkts" -lt "$r1" ] || [ "$t_pkts" -gt "$r2" ]; then
		{ iptables -w -L -v -n -x; ip6tables -w -L -v -n -x; grep -E '^(Total|cpu)' $PROC; } | sed 's/^/    /'
	fi
}
