# NetFlow v9 and IPFIX on the wire: known IPv4 and IPv6 UDP, TCP and ICMP flows across
# the router, captured by nfcapd and by dumpcap, appear at both with exact packets, bytes,
# addresses, ports and protocol (equal to what was sent and to the rule counters); no
# sequence failures (nfdump), no malformed packets or sequence warnings (tshark); every
# export packet the module counted is on the wire. Then v5: IPv6 flows cannot be carried
# and are counted as lost flows, the IPv4 ones arrive. Per-flow templates: the fields
# beyond the 5-tuple (next hop via a gateway, ipVersion, IPv4 options, IPv6 extension
# headers, TCP options, IPv6 flow label, IGMP type, ESP SPI), decoded by tshark, in v9,
# IPFIX and (next hop) v5; /proc counts the templates.
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"

flowsum() { python3 "$REPO/tests/tools/flowsum.py" "$@"; }
# Export line fields: total PDUs, total flows, lost packets, lost flows.
export_pdus() { proc_field '^Export: .*; Total ([0-9]+) pkts, .*'; }
export_lost_flows() { proc_field '^Export: .*Traffic lost [0-9]+ pkts, [0-9]+ Kbytes, ([0-9]+) flows\.$'; }
export_lost_pkts() { proc_field '^Export: .*Traffic lost ([0-9]+) pkts, .*'; }
snmp() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/stat/ipt_netflow_snmp; }


load protocol=9 inactive_timeout=60 active_timeout=600
make_router
# Neighbours resolved before any counted packet, so that none is queued or lost.
ip netns exec ns1 ping -c 1 -W 5 10.2.0.2 >/dev/null
ip netns exec ns1 ping -6 -c 1 -W 5 fd02::2 >/dev/null
# One rule per kind of flow, disjoint, so each rule's counters are one flow's (or one
# direction's) truth: 1 UDP, 2 TCP client -> server, 3 TCP server -> client, 4 echo
# request, 5 echo reply.
printf '*filter\n-A FORWARD -p udp -j NETFLOW\n-A FORWARD -p tcp -s %s -j NETFLOW
-A FORWARD -p tcp -d %s -j NETFLOW\n-A FORWARD -p %s echo-request -j NETFLOW
-A FORWARD -p %s echo-reply -j NETFLOW\nCOMMIT\n' \
	10.1.0.2 10.1.0.2 "icmp --icmp-type" "icmp --icmp-type" | iptables-restore -w --noflush
printf '*filter\n-A FORWARD -p udp -j NETFLOW\n-A FORWARD -p tcp -s %s -j NETFLOW
-A FORWARD -p tcp -d %s -j NETFLOW\n-A FORWARD -p %s echo-request -j NETFLOW
-A FORWARD -p %s echo-reply -j NETFLOW\nCOMMIT\n' \
	fd01::2 fd01::2 "ipv6-icmp --icmpv6-type" "ipv6-icmp --icmpv6-type" | ip6tables-restore -w --noflush
ip netns exec ns2 socat -u UDP4-RECV:9000,reuseaddr /dev/null &
ip netns exec ns2 socat -u UDP6-RECV:9000,ipv6only=1,reuseaddr /dev/null &
ip netns exec ns2 socat -u TCP4-LISTEN:8000,reuseaddr,fork /dev/null &
ip netns exec ns2 socat -u TCP6-LISTEN:8000,ipv6only=1,reuseaddr,fork /dev/null &
log "router, rules and sinks ready"

# Sends the test traffic (TCP client port TPORT) and writes the expected flows, in the
# format of flowsum.py, to FILE.
traffic() {
	local tport=$1 want=$2 fam t a1 a2 l3 req rep icmp c
	ip netns exec ns1 python3 "$REPO/tests/tools/known_flows.py" "$tport"
	ip netns exec ns1 ping -4 -c 3 -i 0.2 -q 10.2.0.2 >/dev/null
	ip netns exec ns1 ping -6 -c 3 -i 0.2 -q fd02::2 >/dev/null
	log "traffic sent"
	: >"$want"
	for fam in 4 6; do
		if [ $fam = 4 ]; then
			t=iptables a1=10.1.0.2 a2=10.2.0.2 l3=20 req=$((8 << 8)) rep=0 icmp=1
		else
			t=ip6tables a1=fd01::2 a2=fd02::2 l3=40 req=$((128 << 8)) rep=$((129 << 8)) icmp=58
		fi
		for s in 21000 21001 21002; do echo "17 $a1 $a2 $s 9000 4 $((4 * (l3 + 108)))"; done >>"$want"
		for s in 22000 22001; do echo "17 $a1 $a2 $s 9000 1 $((l3 + 1008))"; done >>"$want"
		echo "$icmp $a1 $a2 0 $req 3 $((3 * (l3 + 64)))" >>"$want"
		echo "$icmp $a2 $a1 0 $rep 3 $((3 * (l3 + 64)))" >>"$want"
		# Counters of rules 1..5, one "PACKETS BYTES" line each.
		mapfile -t c < <($t -w -L FORWARD -v -n -x | awk 'NR > 2 { print $1, $2 }')
		echo "6 $a1 $a2 $tport 8000 ${c[1]}" >>"$want"
		echo "6 $a2 $a1 8000 $tport ${c[2]}" >>"$want"
		check_eq "IPv$fam UDP rule counter" "${c[0]}" "14 $((12 * (l3 + 108) + 2 * (l3 + 1008)))"
		check_match "IPv$fam TCP rule counters: 20000 bytes and more" "${c[1]}" '^[0-9]+ 2[0-9]{4}$'
		check_eq "IPv$fam echo-request rule counter" "${c[3]}" "3 $((3 * (l3 + 64)))"
		check_eq "IPv$fam echo-reply rule counter" "${c[4]}" "3 $((3 * (l3 + 64)))"
	done
	sort -o "$want" "$want"
}

# One protocol: a fresh collector and capture, the traffic, a flush, then both decoders.
run_protocol() {
	local proto=$1 nf=/tmp/nf$1 pcap=/tmp/export$1.pcap want=/tmp/want$1
	log "protocol $proto"
	sysctl -qw net.netflow.protocol="$proto"
	iptables -Z FORWARD; ip6tables -Z FORWARD
	start_nfcapd $nf
	start_dumpcap $pcap 2055
	log "nfcapd and dumpcap running"
	local pdus0 lost0
	pdus0=$(export_pdus) lost0=$(export_lost_flows)
	traffic $((33000 + proto)) $want
	sysctl -qw net.netflow.flush=1
	check_eq "v$proto: no flow left in the table" "$(proc_field '^Flows: active ([0-9]+) .*')" 0
	local pdus=$(($(export_pdus) - pdus0))
	check_eq "v$proto: no flow lost" "$(export_lost_flows)" "$lost0"
	sleep 1
	stop_dumpcap $pcap
	stop_nfcapd $nf
	cp $pcap "$NETFLOW_OUT/" 2>/dev/null
	log "v$proto: $pdus export packets; expected flows:"
	sed 's/^/    /' $want

	nfdump -R $nf -I | sed 's/^/    /' | head -20
	flowsum nfdump $nf >/tmp/nfdump$proto
	check_eq "v$proto nfdump: every flow exact (proto, addresses, ports, packets, bytes)" \
		"$(diff $want /tmp/nfdump$proto && echo same)" same
	# IPFIX: tshark's sequence check below (see seq_failures in tests/lib.sh)
	[ $proto = 10 ] || check_eq "v$proto nfdump: sequence failures" "$(seq_failures $nf)" 0

	log "v$proto: tshark"
	local raw=/tmp/tshark$proto.txt
	flowsum tshark $pcap $raw >/tmp/tshark$proto
	cp $raw "$NETFLOW_OUT/" 2>/dev/null
	check_eq "v$proto tshark: every flow exact (proto, addresses, ports, packets, bytes)" \
		"$(diff $want /tmp/tshark$proto && echo same)" same
	check_eq "v$proto tshark: every export packet the module counted, in version $proto" \
		"$(grep -E '^Cisco NetFlow/IPFIX' -A1 $raw | sed -n 's/^ *Version: //p' | sort | uniq -c | awk '{ print $1, $2 }')" "$pdus $proto"
	check_eq "v$proto tshark: no malformed packet" "$(grep -c 'Malformed' $raw)" 0
	# the -z expert summary (empty when tshark has nothing to say)
	sed -n '/^\(Errors\|Warns\|Notes\|Chats\) (/,$p' $raw | sed 's/^/    /' | head -20
	check_eq "v$proto tshark: no sequence warning" \
		"$(grep -cE 'Expert Info \([A-Za-z]+/Sequence\)|^ +[0-9]+ +Sequence ' $raw)" 0
}

run_protocol 9
run_protocol 10

# Per-flow templates. 10.9.0.2 / fd09::2 sit behind ns2: the router reaches them through a
# gateway, so their flows have a next hop.
ip route add 10.9.0.0/24 via 10.2.0.2
ip -6 route add fd09::/64 via fd02::2
ip -n ns2 addr add 10.9.0.2/32 dev lo
ip -n ns2 addr add fd09::2/128 dev lo
iptables -w -A FORWARD -p esp -j NETFLOW
ip6tables -w -A FORWARD -p esp -j NETFLOW
iptables -w -A FORWARD -p igmp -j NETFLOW
ip link set r1 alias to-ns1
# The value of KEY in the first `flowsum fields` line of FILE that starts with TUPLE.
field_of() { grep -m1 "^$2 " "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
check_fields() {
	local proto=$1 pcap=/tmp/fields$1.pcap out=/tmp/fields$1 udp4="17 10.1.0.2 10.9.0.2 24000 9000"
	log "v$proto: fields beyond the 5-tuple"
	# Capture from before the switch: a new protocol sends its options records at once.
	start_dumpcap $pcap 2055
	sysctl -qw net.netflow.protocol="$proto"
	ip netns exec ns1 python3 "$REPO/tests/tools/attribute_packets.py" 10.9.0.2 fd09::2 3
	if [ "$proto" != 5 ]; then
		ip netns exec ns1 ping -6 -F 0x12345 -c 2 -i 0.2 -q fd02::2 >/dev/null ||
			fail "ping -F (flow label) failed"
		ip netns exec ns1 python3 -c 'import socket
s = socket.create_connection(("10.9.0.2", 8000)); s.sendall(b"x" * 3000); s.close()'
	fi
	sleep 1
	sysctl -qw net.netflow.flush=1
	# The interfaces of the flushed flows are described within two runs of the
	# once-a-second options schedule.
	sleep 3
	stop_dumpcap $pcap
	cp $pcap "$NETFLOW_OUT/" 2>/dev/null
	flowsum fields $pcap >$out
	sed 's/^/    /' $out
	check_eq "v$proto: UDP/IPv4 next hop is the gateway" "$(field_of $out "$udp4" NextHop)" 10.2.0.2
	[ "$proto" = 5 ] && return
	check_eq "v$proto: UDP/IPv4 ipVersion" "$(field_of $out "$udp4" IPVersion)" 4
	check_eq "v$proto: UDP/IPv4 options: record route and end of list" \
		"$(field_of $out "$udp4" OptionMap)" 81000000
	local udp6="17 fd01::2 fd09::2 24000 9000"
	check_eq "v$proto: UDP/IPv6 next hop is the gateway" "$(field_of $out "$udp6" NextHop)" fd02::2
	check_eq "v$proto: UDP/IPv6 ipVersion" "$(field_of $out "$udp6" IPVersion)" 6
	check_eq "v$proto: UDP/IPv6 extension headers: hop-by-hop" \
		"$(field_of $out "$udp6" ExtHeaders)" 0x40000000
	check_eq "v$proto: ESP/IPv4 SPI" "$(field_of $out "50 10.1.0.2 10.9.0.2 0 0" SPI)" 305419896
	check_eq "v$proto: ESP/IPv6 SPI" "$(field_of $out "50 fd01::2 fd09::2 0 0" SPI)" 305419896
	check_eq "v$proto: ICMPv6 echo flow label (ping -F 0x12345)" \
		"$(field_of $out "58 fd01::2 fd02::2 0 32768" FlowLabel)" 74565
	check_eq "v$proto: on-link ICMPv6 next hop" "$(field_of $out "58 fd01::2 fd02::2 0 32768" NextHop)" ::
	# SYN: MSS, SACK permitted, timestamps, NOP, window scale (kinds 2, 4, 8, 1, 3)
	check_eq "v$proto: TCP options of the client's packets" \
		"$(grep -m1 '^6 10.1.0.2 10.9.0.2 [0-9]* 8000 ' $out | tr ' ' '\n' | sed -n 's/^TCPOptionMap=//p')" \
		7880000000000000
	check_eq "v$proto: IGMP type" "$(field_of $out "2 10.1.0.2 10.9.0.2 0 0" IGMPType)" 22
	# Options records (tshark's names): system init, metering statistics, interfaces.
	local v=/tmp/options$proto.txt
	# (this protocol's packets only: the capture began under the previous one, whose
	# options records refer to templates sent before it)
	tshark -r $pcap -d udp.port==2055,cflow -Y "cflow.version == $proto" -V >$v
	check_eq "v$proto: system init record names the module and its srcversion" \
		"$(grep -m1 'Observation Domain Name:' $v | sed 's/^ *//')" \
		"Observation Domain Name: ipt_NETFLOW $(cat /sys/module/ipt_NETFLOW/version) srcversion $(cat /sys/module/ipt_NETFLOW/srcversion)"
	check_match "v$proto: system init time" "$(grep -m1 'System Init Time:' $v)" "$(date -u +%Y)"
	check_match "v$proto: metering statistics (exported messages)" "$(grep -m1 'PacketsExp:' $v)" 'PacketsExp: [0-9]+'
	check_eq "v$proto: interface table: r1 with its alias" \
		"$(grep -A1 'IfName: r1$' $v | sed -n 's/^ *IfDescr: //p' | head -1)" "to-ns1"
	check_match "v$proto: interface table: r2" "$(grep -c 'IfName: r2$' $v)" '^[1-9]'
	check_eq "v$proto: no malformed options" "$(grep -c Malformed $v)" 0
	local counts
	counts=$(sed -n 's/.*(templates \([0-9]*\), active \([0-9]*\)).*/\1 \2/p' $PROC)
	log "v$proto: templates, active: $counts"
	check_eq "v$proto: /proc counts the templates in use (at least 7 shapes here)" \
		"$(echo "$counts" | awk '{ print ($1 >= 7 && $1 == $2) }')" 1
}
check_fields 9
check_fields 10
check_fields 5

log "v5: IPv6 flows are not exportable, counted as lost"
nf=/tmp/nf5
sysctl -qw net.netflow.protocol=5
start_nfcapd $nf
lost0=$(export_lost_flows) lostp0=$(export_lost_pkts) lostb0=$(snmp lostBytes)
send 10.2.0.2 9000 3 5 100 23000
send fd02::2 9000 4 5 100 23000
sysctl -qw net.netflow.flush=1
cat $PROC | grep -E '^(Export|sock)'
check_eq "v5: 4 IPv6 flows counted lost" "$(($(export_lost_flows) - lost0))" 4
check_eq "v5: their 20 packets counted lost" "$(($(export_lost_pkts) - lostp0))" 20
check_eq "v5: their bytes counted lost (snmp lostBytes)" "$(($(snmp lostBytes) - lostb0))" $((20 * 148))
check_match "v5: no export errors" "$(grep '^Export:' $PROC)" 'Errors 0 pkts;'
sleep 1
stop_nfcapd $nf
check_eq "v5: the IPv4 flows arrive" "$(flowsum nfdump $nf | tr '\n' ';')" \
	"17 10.1.0.2 10.2.0.2 23000 9000 5 640;17 10.1.0.2 10.2.0.2 23001 9000 5 640;17 10.1.0.2 10.2.0.2 23002 9000 5 640;"

iptables -F; ip6tables -F
unload
del_router
finish
