# Flow sampling (sampler=MODE:N, C's syntax): deterministic:10 over 1000 new flows exports
# exactly 100, each with all its packets and bytes, and v5's header tells nfdump the
# interval; random:10 (v9) and hash:10 (IPFIX) export 100 +- 30, hash keeping the others
# out of the table altogether; tshark decodes v9's sampler options and IPFIX's selector
# options and statistics (RFC 7014), and each data record names its sampler; bad values
# are refused by sysctl (EINVAL, old value kept) and insmod (dmesg names the parameter);
# switching the sampler under traffic from two CPUs is clean and loses no packet count.
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"

flowsum() { python3 "$REPO/tests/tools/flowsum.py" "$@"; }
sampling_line() { grep '^Flow sampling' $PROC; }
active() { proc_field '^Flows: active ([0-9]+) .*'; }
# tshark's decoded lines of a capture (cflow on port 2055), trimmed.
decoded() { tshark -r "$1" -d udp.port==2055,cflow -V 2>/dev/null | sed 's/^ *//'; }
# data_records FILE LINE: data records whose sampler/selector ID line is LINE. An options
# record has the same line, followed by its mode / algorithm / statistics.
data_records() {
	awk -v id="$2" 'seen { if ($0 !~ /^(SamplerMode|Flow_Selector_Algorithm|Selectorid_Total|Selector Id Total)/) n++; seen = 0 }
		$0 == id { seen = 1 } END { print n + 0 }' "$1"
}

for bad in sampler=hash:1 sampler=random:16384 sampler=foo:10 sampler=deterministic:; do
	dmesg -C
	if load "$bad" 2>/dev/null; then
		fail "insmod $bad succeeded"; unload
	else
		check "insmod $bad: dmesg names the parameter" sh -c "dmesg | grep -q 'parameter sampler: .* refused: '"
	fi
done

sysctl -qw net.core.rmem_default=16777216 net.core.rmem_max=16777216
nf=/tmp/nf5
start_nfcapd $nf
load protocol=5 sampler=deterministic:10 inactive_timeout=300 active_timeout=600
make_router
iptables -A FORWARD -j NETFLOW
ip6tables -A FORWARD -j NETFLOW
ip netns exec ns2 iptables -A INPUT -p udp -j DROP
ip netns exec ns2 ip6tables -A INPUT -p udp -j DROP
check_eq "the parameter reads back" "$(cat $CTL/sampler)" deterministic:10
check "the features line names the sampler" grep -q '^ipt_NETFLOW .*; .*sampler' $PROC
refuse sampler hash:1 random:16384 foo:10 deterministic: 10 hash:-3

log "deterministic:10, v5: 1000 new flows of 2 packets"
send 10.2.0.2 9000 1000 2 40 20000
check_eq "every flow is in the table (kept or not)" "$(active)" 1000
sysctl -qw net.netflow.flush=1
check_eq "/proc: 100 selected, 900 discarded, with their packets" "$(sampling_line)" \
	"Flow sampling mode deterministic one-out-of 10. Flows selected 100, discarded 900. Pkts selected 200, discarded 1800."
sleep 1
stop_nfcapd $nf
check_eq "collector: exactly 100 flows" "$(nfdump_csv $nf | wc -l)" 100
# nfdump scales by the interval v5's header gives: 2 packets of 68 bytes, times 10.
check_eq "collector: each flow whole (2 packets, 136 bytes) scaled by 10" \
	"$(flowsum nfdump $nf | awk '{ print $6, $7 }' | sort -u)" "20 1360"
check_match "nfdump read the interval from v5's header" "$(for f in $nf/nfcapd.2*; do nfdump -E $f; done 2>/dev/null | grep -i sampler | head -1)" \
	'algorithm: 1, packet interval: 1, packet space: 9'
check_eq "collector: no sequence failure" "$(seq_failures $nf)" 0

log "random:10, v9: options and samplerId decoded by tshark"
# Captured from before the change: the sampler's options go out at once, then every 5 min.
start_dumpcap /tmp/v9.pcap 2055
sysctl -qw net.netflow.protocol=9
sysctl -qw net.netflow.sampler=random:10
check_eq "sysctl reads back" "$(cat $CTL/sampler)" random:10
sysctl -qw net.netflow.flush=2
send 10.2.0.2 9000 1000 1 40 22000
sysctl -qw net.netflow.flush=1
sleep 2
stop_dumpcap /tmp/v9.pcap
decoded /tmp/v9.pcap >/tmp/v9.txt
# The capture began under deterministic:10, whose options went out with the new lane.
check_ge "tshark: options of the random sampler (ID 2, mode random, interval 10)" \
	"$(grep -A2 '^SamplerID: 2$' /tmp/v9.txt | grep -A1 '^SamplerMode: Random (2)$' | grep -c '^SamplerRandomInterval: 10$')" 1
kept=$(data_records /tmp/v9.txt 'SamplerID: 2')
check_ge "random: kept flows >= 70" "$kept" 70
check_le "random: kept flows <= 130" "$kept" 130
check_match "/proc agrees" "$(sampling_line)" "^Flow sampling mode random one-out-of 10\. Flows selected $kept, discarded $((1000 - kept))\. Pkts selected $kept, discarded $((1000 - kept))\.$"
check_eq "tshark: no malformed packet" "$(grep -c Malformed /tmp/v9.txt)" 0

log "hash:10, IPFIX: unselected flows never enter the table"
start_dumpcap /tmp/v10.pcap 2055
sysctl -qw net.netflow.protocol=10
sysctl -qw net.netflow.sampler=hash:10
sysctl -qw net.netflow.flush=2
send 10.2.0.2 9000 1000 3 40 24000
send fd02::2 9000 200 2 40 26000
kept=$(active)
check_ge "hash: flows in the table >= 84 (of 1200)" "$kept" 84
check_le "hash: flows in the table <= 156" "$kept" 156
sysctl -qw net.netflow.flush=1
check_match "/proc: the kept flows are all the table had" "$(sampling_line)" "^Flow sampling mode hash one-out-of 10\. Flows selected $kept\. Pkts selected [0-9]+, discarded [0-9]+\.$"
sel=$(sampling_line | sed -E 's/.*Pkts selected ([0-9]+), discarded ([0-9]+)\./\1 \2/')
check_eq "/proc: selected + discarded packets = all 3400" "$(echo $sel | awk '{ print $1 + $2 }')" 3400
sleep 2
stop_dumpcap /tmp/v10.pcap
decoded /tmp/v10.pcap >/tmp/v10.txt
check_eq "tshark: every kept flow exported, naming selector 3" \
	"$(data_records /tmp/v10.txt 'Selector Id: 3')" "$kept"
check_ge "tshark: selector options (random n-out-of-N, 1 of 10)" "$(grep -c '^Flow_Selector_Algorithm: 3$' /tmp/v10.txt)" 1
check_ge "tshark: sampling size 1" "$(grep -c '^Sampling Size: 1$' /tmp/v10.txt)" 1
check_ge "tshark: selector statistics" "$(grep -c '^Selectorid_Total_Flows_Selected: ' /tmp/v10.txt)" 1
check_eq "tshark: no malformed packet" "$(grep -c Malformed /tmp/v10.txt)" 0
check_eq "tshark: IPFIX sequence" "$(ipfix_seq_failures /tmp/v10.pcap 2055)" 0

log "deterministic:10, IPFIX: systematic selector"
start_dumpcap /tmp/v10d.pcap 2055
sysctl -qw net.netflow.flush=2
sysctl -qw net.netflow.sampler=deterministic:10
send 10.2.0.2 9000 200 1 40 30000
sysctl -qw net.netflow.flush=1
sleep 2
stop_dumpcap /tmp/v10d.pcap
decoded /tmp/v10d.pcap >/tmp/v10d.txt
check_ge "tshark: systematic count-based selector" "$(grep -c '^Flow_Selector_Algorithm: 1$' /tmp/v10d.txt)" 1
check_ge "tshark: 1 flow kept, 9 skipped" "$(grep -A1 '^Sampling_Flow_Interval: 1$' /tmp/v10d.txt | grep -c '^Sampling_Flow_Spacing: 9$')" 1
check_eq "/proc: 20 of 200 (counters reset by flush=2)" "$(sampling_line)" \
	"Flow sampling mode deterministic one-out-of 10. Flows selected 20, discarded 180. Pkts selected 20, discarded 180."

log "the sampler switched under traffic from two CPUs"
iptables -Z FORWARD
sysctl -qw net.netflow.flush=2
for cpu in 0 1; do
	ip netns exec ns1 taskset -c $cpu python3 "$REPO/tests/tools/udp_flows.py" 10.2.0.2 9000 300 3 40 $((32000 + cpu * 1000)) >/dev/null &
done
for s in hash:5 deterministic:3 random:7 "" hash:2 0 deterministic:2 random:3 hash:16383 ""; do
	echo "$s" >$CTL/sampler
	sleep 0.3
done
wait
check_eq "sampler off reads back empty" "$(cat $CTL/sampler)" ""
check "no sampling line when off" sh -c "! grep -q '^Flow sampling' $PROC"
read_total
check_eq "every packet reached the target and was counted (Total = rule counter)" "$t_pkts" "$(rule_pkts iptables FORWARD)"
sysctl -qw net.netflow.flush=1
iptables -F FORWARD; ip6tables -F FORWARD
unload
finish
