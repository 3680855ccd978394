# net.netflow.*: valid values take effect (checked by behaviour), bad values are refused
# with EINVAL and a dmesg line, keeping the old value.
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"

ctl=/proc/sys/net/netflow
get() { cat $ctl/$1; }
load inactive_timeout=30 active_timeout=600
make_router
start_sink ns2 9000
iptables -A FORWARD -j NETFLOW
active() { proc_field '^Flows: active ([0-9]+) .*'; }

log "names as C ipt_NETFLOW 2.x"
for n in active_timeout inactive_timeout debug maxflows hashsize sndbuf destination aggregation protocol refresh-rate timeout-rate scan-min exportcpu flush; do
	check "net.netflow.$n exists" test -w $ctl/$n
done

log "flush and inactive_timeout"
send 10.2.0.2 9000 20 1 10
check_eq "20 flows in the table" "$(active)" 20
sysctl -qw net.netflow.flush=1
check_eq "flush=1 exported them all" "$(active)" 0
refuse flush 3 -1 abc ""

log "flush=2: exports everything and resets the statistics counters"
nff=/tmp/nff
start_nfcapd $nff 2055
send 10.2.0.2 9000 20 2 10 29000
check_eq "20 flows in the table" "$(active)" 20
read_total
check_ge "Total counts the traffic before" "$t_pkts" 40
dmesg -C
sysctl -qw net.netflow.flush=2
check_eq "flush=2 exported them all" "$(active)" 0
read_total
check_eq "flush=2: Total row zeroed" "$t_pkts $t_search $t_found $t_new $t_drop" "0 0 0 0 0"
check_eq "flush=2: every cpu row zeroed" "$(grep -E '^cpu[0-9]+ ' $PROC | grep -vcE 'traffic: 0, 0 MB, drop: 0, 0 K$')" 0
check "flush=2: Export counters zeroed" grep -q "^Export: Rate [0-9]* bytes/s; Total 0 pkts, 0 MB, 0 flows; Errors 0 pkts; Traffic lost 0 pkts, 0 Kbytes, 0 flows.$" $PROC
check "flush=2: InHash empty" grep -q "InHash: 0 pkt, 0 K, InPDU 0, 0\.$" $PROC
check "flush=2: dmesg says so" sh -c "dmesg | grep -q 'forced flush (reset stat counters)'"
send 10.2.0.2 9000 3 1 10 29100
read_total
check_eq "counting goes on from 0" "$t_pkts $t_new" "3 3"
sleep 1
stop_nfcapd $nff
check_eq "the collector got the 20 flushed flows, 40 packets" "$(nfdump_csv $nff | wc -l) $(nfdump_sum $nff ipkt)" "20 40"
sysctl -qw net.netflow.flush=1
sysctl -qw net.netflow.inactive_timeout=1
check_eq "inactive_timeout reads back" "$(get inactive_timeout)" 1
send 10.2.0.2 9000 10 1 10 30000
sleep 4
check_eq "flows idle > 1 s left the table" "$(active)" 0
refuse inactive_timeout 0 -5 abc 1.5 99999999999999999999 "" "1 2"
sysctl -qw net.netflow.inactive_timeout=30

log "active_timeout"
sysctl -qw net.netflow.active_timeout=2
send 10.2.0.2 9000 5 1 10 31000
sleep 4
check_eq "flows older than 2 s left the table" "$(active)" 0
refuse active_timeout 0 -1 x
sysctl -qw net.netflow.active_timeout=600

log "maxflows"
sysctl -qw net.netflow.maxflows=10
send 10.2.0.2 9000 30 1 10 32000
check_eq "maxflows=10 caps the table" "$(active)" 10
check "Timeouts line shows Maxflows 10" grep -q "Maxflows 10$" $PROC
refuse maxflows -1 4294967296 ten
sysctl -qw net.netflow.flush=1
sysctl -qw net.netflow.maxflows=0

log "hashsize: live rehash under traffic, nothing lost"
# Long timeouts: on a loaded host the senders below may take minutes.
sysctl -qw net.netflow.inactive_timeout=3000
send 10.2.0.2 9000 300 1 10 33000
before=$(active)
ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 300 20 10 33000 >/dev/null &
sender=$!
sysctl -qw net.netflow.hashsize=32768
sysctl -qw net.netflow.hashsize=4096
sysctl -qw net.netflow.hashsize=32768
wait $sender
check_eq "Hash: size 32768" "$(proc_field '^Hash: size ([0-9]+) .*')" 32768
check_eq "hashsize reads back" "$(get hashsize)" 32768
check_eq "the 300 flows survived, no duplicates" "$(active)" "$before"
found=$(proc_field '^Total *[0-9]+; *[0-9]+ *([0-9]+) .*')
new=$(proc_field '^Total *[0-9]+; *[0-9]+ *[0-9]+ *([0-9]+) .*')
tpkts=$(proc_field '^Total .*traffic: ([0-9]+), .*')
dpkts=$(proc_field '^Total .*drop: ([0-9]+), .*')
check_eq "every packet found, created or (earlier, maxflows) dropped" "$((found + new + dpkts))" "$tpkts"
refuse hashsize 255 -5 abc 99999999999999 67108865
# 0 sizes the table from memory, as hashsize=0 does at load (one settings table).
sysctl -qw net.netflow.hashsize=0
check_ge "hashsize=0: sized from memory, at least 256" "$(get hashsize)" 256
check_eq "the flows survived that resize too" "$(active)" "$before"
sysctl -qw net.netflow.flush=1
sysctl -qw net.netflow.inactive_timeout=30

log "aggregation"
sysctl -qw net.netflow.aggregation=10.2.0.0/16=8
check_eq "aggregation reads back" "$(get aggregation)" "10.2.0.0/16=8"
check "aggr line in /proc" grep -q "^aggr#0 net: match 10.2.0.0/16 strip 8 (usage 0)$" $PROC
send 10.2.0.2 9000 5 1 10 34000
check "aggr usage counted" grep -q "^aggr#0 net: match 10.2.0.0/16 strip 8 (usage 5)$" $PROC
refuse aggregation "10.0.0.0/33=8" "garbage" "80-70=80" "1.2.3.4/8=8,x"
sysctl -qw net.netflow.aggregation=
check "no aggr line after clearing" sh -c "! grep -q '^aggr#' $PROC"
sysctl -qw net.netflow.flush=1

log "sndbuf"
sysctl -qw net.netflow.sndbuf=65536
check "sock0 sndbuf 65536" grep -q "^sock0: 127.0.0.1:2055, sndbuf 65536," $PROC
refuse sndbuf -1 abc 4294967296

log "destination: switch collectors, refuse bad lists"
nfa=/tmp/nfa; nfb=/tmp/nfb
start_nfcapd $nfa 2055
start_nfcapd $nfb 2056
send 10.2.0.2 9000 3 1 10 35000
sysctl -qw net.netflow.flush=1
sysctl -qw net.netflow.destination=127.0.0.1:2056
check_eq "destination reads back" "$(get destination)" "127.0.0.1:2056"
check "sock0 is the new collector" grep -q "^sock0: 127.0.0.1:2056," $PROC
send 10.2.0.2 9000 4 1 10 36000
sysctl -qw net.netflow.flush=1
refuse destination "" "1.2.3.999:2055" "127.0.0.1:0" "127.0.0.1:2056,garbage" "[::1"
sleep 1
stop_nfcapd $nfa; stop_nfcapd $nfb
check_eq "old collector got the first 3 flows" "$(nfdump_csv $nfa | wc -l)" 3
check_eq "new collector got the next 4" "$(nfdump_csv $nfb | wc -l)" 4

log "protocol: flushes in the old format, then switches"
nf9=/tmp/nf9
start_nfcapd $nf9 2056
DUMPCAP_VERSION=10 start_dumpcap $nf9.pcap 2056
send 10.2.0.2 9000 6 1 10 37000
sysctl -qw net.netflow.protocol=9
check_eq "protocol reads back" "$(get protocol)" 9
check "Protocol line: no template defined yet" grep -q "^Protocol version 9 (netflow), refresh-rate 20, timeout-rate 30, (templates 0, active 0).$" $PROC
send 10.2.0.2 9000 7 1 10 38000
sysctl -qw net.netflow.flush=1
check "Protocol line: templates defined for the flows, all in use" grep -Eq "\(templates ([1-9][0-9]*), active \1\)\.$" $PROC
sysctl -qw net.netflow.refresh-rate=5 net.netflow.timeout-rate=1
check "refresh/timeout rates in /proc" grep -q "refresh-rate 5, timeout-rate 1," $PROC
sysctl -qw net.netflow.protocol=10
check "Protocol line ipfix" grep -q "^Protocol version 10 (ipfix)" $PROC
send 10.2.0.2 9000 8 1 10 39000
sysctl -qw net.netflow.flush=1
refuse protocol 7 0 abc 11 -9
refuse refresh-rate -1 x
refuse timeout-rate -1 x
sleep 1
stop_nfcapd $nf9; stop_dumpcap $nf9.pcap
check_eq "collector decoded v5 + v9 + IPFIX flows" "$(nfdump_csv $nf9 | wc -l)" 21
# v5 and v9 by nfdump, IPFIX by tshark (nfdump miscounts it: tests/lib.sh).
check_eq "no sequence failures (v5, v9: nfdump; IPFIX: tshark)" \
	"$(( $(seq_failures $nf9) + $(ipfix_seq_failures $nf9.pcap 2056) ))" 0

log "debug and scan-min"
for v in 0 1 2 3; do sysctl -qw net.netflow.debug=$v; done
check_eq "debug reads back" "$(get debug)" 3
dmesg -C
send 10.2.0.2 9000 2 1 10 40000
sysctl -qw net.netflow.flush=1
msgs=$(dmesg)
check_match "debug=3 logs each flow" "$msgs" 'flow: proto 17 V4 10\.1\.0\.2:40000 -> 10\.2\.0\.2:9000'
check_match "debug=3 logs each PDU" "$msgs" 'PDU of [0-9]+ bytes, 2 flows: sent to 1 of 1 collectors'
refuse debug 4 -1 x
sysctl -qw net.netflow.debug=0
sysctl -qw net.netflow.scan-min=5
check "worker delay honours scan-min" sh -c "grep -q 'worker delay 25/250 \[5\.\.25\]' $PROC"
refuse scan-min 0 1001 x
sysctl -qw net.netflow.scan-min=1

log "exportcpu: the work runs where it is told (the worker line says where)"
check_eq "exportcpu defaults to -1 (any CPU)" "$(get exportcpu)" -1
# The worker line: ms since the last run, its us, flows:buckets it looked at, flows it
# exported, its CPU.
wre='worker delay [0-9]+/[0-9]+ \[[0-9]+\.\.[0-9]+\] \([0-9]+ ms, [0-9]+ us, ([0-9]+):([0-9]+) ([0-9]+) \[cpu([0-9]+)\]\)\.$'
worker() { grep -oE "$wre" $PROC | sed -E "s#$wre#\\$1#"; }
# Long enough that the 5 flows outlive this part on a slow TCG host.
sysctl -qw net.netflow.inactive_timeout=3000
send 10.2.0.2 9000 5 1 10 41000
sleep 1
check_ge "worker line: buckets looked at by the last run" "$(worker 2)" 1
for cpu in 1 0 1; do
	echo $cpu >$ctl/exportcpu
	check_eq "exportcpu reads back $cpu" "$(get exportcpu)" $cpu
	sleep 1
	seen=$(for i in 1 2 3 4 5; do worker 4; sleep 0.3; done | sort -u | tr '\n' ' ')
	check_eq "exportcpu=$cpu: every run on CPU $cpu" "$seen" "$cpu "
done
refuse exportcpu 2 8192 -2 abc ""
check "exportcpu=2 refused as not online" sh -c "echo 2 >$ctl/exportcpu 2>/dev/null; dmesg | grep -q 'net.netflow.exportcpu: .2. refused: CPU 2 is not online'"
echo -1 >$ctl/exportcpu
check_eq "exportcpu=-1 reads back" "$(get exportcpu)" -1
check_eq "the flows stayed" "$(active)" 5
sysctl -qw net.netflow.inactive_timeout=30
sysctl -qw net.netflow.flush=1

iptables -F
unload
del_router
finish
