# Every line of /proc/net/stat/ipt_netflow (and the _snmp companion) checked against what
# the test did: flows created, packets sent, PDUs the collector received, drops provoked.
# timeout: 900
. "$NETFLOW_REPO/tests/lib.sh"

nf=/tmp/nfp
start_nfcapd $nf
load protocol=5 inactive_timeout=30 active_timeout=300 maxflows=100 hashsize=1024 \
	aggregation=10.2.0.0/16=24,9000-9099=9000
make_router
iptables -A FORWARD -j NETFLOW
log "before traffic"
cat $PROC
# 150 UDP flows to port 9000: maxflows=100 admits 100, drops the rest's packets.
start_sink ns2 9000
ip netns exec ns1 python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 150 2 50
pkts=$(rule_pkts iptables FORWARD)
bytes=$(rule_bytes iptables FORWARD)
log "during: rule counters $pkts packets, $bytes bytes"
cat $PROC
stat=$(cat $PROC)
line() { echo "$stat" | grep -E "$1" | head -1; }

check_match "line 1: version and features" "$(line '^ipt_NETFLOW ')" '^ipt_NETFLOW [^,]+, srcversion [^;]+;.* aggr'

check_eq "line 2: protocol" "$(line '^Protocol version')" "Protocol version 5 (netflow)"
check_eq "line 3: timeouts" "$(line '^Timeouts:')" "Timeouts: active 300s, inactive 30s. Maxflows 100"
check_eq "C's NAT events line (off: no second line)" "$(echo "$stat" | grep '^Natevents')" "Natevents disabled, count start 0, stop 0."
flows_line=$(line '^Flows: active')
active=$(echo "$flows_line" | sed -n 's/^Flows: active \([0-9]*\) (peak \([0-9]*\) reached.*/\1 \2/p')
check_eq "line 4: active flows and peak at maxflows" "$active" "100 100"
# The flow dump: a header, then one line per flow in the table (as C 2.6's).
dump=$(cat /proc/net/stat/ipt_netflow_flows)
echo "$dump" | head -3
check_eq "flow dump: C 2.6's header" "$(echo "$dump" | head -1)" \
	"# hash a dev:i,o proto src:ip,port dst:ip,port nexthop tos,tcpflags,options,tcpoptions packets bytes ts:first,last"
check_eq "flow dump: as many lines as Flows: active" "$(echo "$dump" | grep -vc '^#')" "${active% *}"
check_eq "flow dump: lines numbered 1..N" "$(echo "$dump" | awk '!/^#/ { if ($1 != ++n) bad++ } END { print bad + 0 }')" 0
check_eq "flow dump: every bucket below the hash size (1024)" "$(echo "$dump" | awk '!/^#/ && $2 !~ /^0[0-3][0-9a-f][0-9a-f]$/' | wc -l)" 0
check_match "flow dump: a line's fields" "$(echo "$dump" | sed -n 2p)" \
	'^1 [0-9a-f]{4} 0 [0-9]+,[0-9]+ 17 10\.1\.0\.2,[0-9]+ 10\.2\.0\.0,9000 0\.0\.0\.0 0,0,0,0 2 [0-9]+ [0-9]+,[0-9]+$'
# Key, interfaces, packets and bytes of each flow, to compare with the exported records
# (nfdump names the protocol).
echo "$dump" | awk '!/^#/ { split($4, d, ","); split($6, s, ","); split($7, t, ",");
	print s[1], s[2], t[1], t[2], ($5 == 17 ? "UDP" : $5), $10, $11, d[1], d[2], $8 }' | sort >/tmp/dump.keys
check_eq "line 5: hash size" "$(line '^Hash:' | sed -n 's/^Hash: size \([0-9]*\) (mem \([0-9]*\)K).*/\1 \2/p')" "1024 8"
check_match "line 6: rate line" "$(line '^Rate:')" '^Rate: [0-9]+ bits/sec, [0-9]+ packets/sec; Avg 1 min: [0-9]+ bps, [0-9]+ pps; 5 min: [0-9]+ bps, [0-9]+ pps$'
sleep 2
check_match "rates measured the traffic" "$(sed -n 's/^Rate: .*Avg 1 min: \([0-9]*\) bps.*/\1/p' $PROC)" '^[1-9][0-9]*$'
total=$(line '^Total ')
log "$total"
read -r found new trunc frag alloc maxerr tpkts dpkts < <(echo "$total" |
	sed -n 's/^Total *[0-9]*; *[0-9]* *\([0-9]*\) *\([0-9]*\) \[[0-9.]*\], *\([0-9]*\) *\([0-9]*\) *\([0-9]*\) *\([0-9]*\), traffic: \([0-9]*\), [0-9]* MB, drop: \([0-9]*\), [0-9]* K$/\1 \2 \3 \4 \5 \6 \7 \8/p')
check_eq "Total: traffic packets = rule counter" "$tpkts" "$pkts"
check_eq "Total: new flows = maxflows" "$new" 100
# Aggregation folds ports 9000-9099 into 9000: flows 0..99 map to 100 distinct source
# ports but one destination port; found = packets of admitted flows beyond their first.
check_eq "Total: found + new + dropped = packets" "$((found + new + dpkts))" "$pkts"
check_eq "Total: maxflows drops = packets of refused flows" "$maxerr" "$dpkts"
check_eq "Total: drops provoked (50 refused flows x 2)" "$dpkts" 100
slab=$(grep '^ipt_netflow ' /proc/slabinfo)
log "slabinfo: $slab"
check_match "flows live in their own slab cache" "$slab" '^ipt_netflow +[0-9]+ +[0-9]+ +[0-9]+ '
# The memory goal: a flow's node (the flow and its chain link) is at most 128 bytes.
check_le "a flow's slab object is at most 128 bytes" "$(cat /sys/kernel/slab/ipt_netflow/object_size)" 128
check_eq "cpu rows" "$(echo "$stat" | grep -cE '^cpu[0-9]+ ')" "$(grep -c ^processor /proc/cpuinfo)"
check_match "sock0 line" "$(line '^sock0:')" '^sock0: 127\.0\.0\.1:2055, sndbuf [0-9]+, filled [0-9]+, peak [0-9]+; err: sndbuf reached 0, connect 0, cberr 0, other 0; protocol 5$'
# Each packet's destination address and port matched once: 300 uses of each rule.
check_eq "aggr#0 net line" "$(line '^aggr#0 net')" "aggr#0 net: match 10.2.0.0/16 strip 24 (usage 300)"
check_eq "aggr#0 port line" "$(line '^aggr#0 port')" "aggr#0 port: ports 9000-9099 replace 9000 (usage 300)"

sysctl -qw net.netflow.inactive_timeout=1
sleep 4
log "after the flows expired"
cat $PROC
stat=$(cat $PROC)
export_line=$(line '^Export:')
read -r epdus eflows lost < <(echo "$export_line" |
	sed -n 's/^Export: Rate [0-9]* bytes\/s; Total \([0-9]*\) pkts, [0-9]* MB, \([0-9]*\) flows; Errors 0 pkts; Traffic lost 0 pkts, 0 Kbytes, \([0-9]*\) flows.$/\1 \2 \3/p')
check_eq "Export: flows exported" "$eflows" 100
check_eq "Export: nothing lost" "$lost" 0
check_eq "Flows: none left" "$(line '^Flows: active' | sed -n 's/^Flows: active \([0-9]*\) .*/\1/p')" 0
check_match "InHash empty" "$(line '^Hash:')" 'InHash: 0 pkt, 0 K, InPDU 0, 0\.$'
snmp=$(cat /proc/net/stat/ipt_netflow_snmp)
echo "$snmp"
sv() { echo "$snmp" | awk -v k="$1" '$1 == k { print $2 }'; }
check_eq "snmp inPackets" "$(sv inPackets)" "$pkts"
check_eq "snmp inBytes" "$(sv inBytes)" "$bytes"
check_eq "snmp inFlows" "$(sv inFlows)" 100
check_eq "snmp hashFlows" "$(sv hashFlows)" 0
check_eq "snmp outFlows" "$(sv outFlows)" 100
check_eq "snmp outPackets = Export pkts" "$(sv outPackets)" "$epdus"
check_eq "snmp dropPackets" "$(sv dropPackets)" "$dpkts"
iptables -F
unload
stop_nfcapd $nf
check_eq "collector got every exported PDU's flows" "$(nfdump_csv $nf | wc -l)" 100
check_eq "collector packets + drops = rule counter" "$(($(nfdump_sum $nf ipkt) + dpkts))" "$pkts"
cols=$(for c in sa sp da dp pr ipkt ibyt in out nh; do nfdump_col $nf $c; done | tr '\n' ' ')
nfdump_csv $nf | awk -F, -v cols="$cols" '{ n = split(cols, c, " "); line = "";
	for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") $c[i]; print line }' | sort >/tmp/export.keys
head -2 /tmp/dump.keys /tmp/export.keys
check_eq "flow dump = exported records (nfdump): key, interfaces, packets, bytes, next hop" \
	"$(diff /tmp/dump.keys /tmp/export.keys | wc -l) lines differ of $(wc -l </tmp/dump.keys)" "0 lines differ of 100"
del_router
finish
