# One settings table: for every setting that is both a module parameter and a sysctl, a
# bad value is refused by insmod and by the sysctl with the same message (after the
# setting's name), and a good one is taken by both. Also shows scan_min=0 and a hashsize
# above the table's limit refused at load as at run time.
# timeout: 1200
. "$NETFLOW_REPO/tests/lib.sh"
ctl=/proc/sys/net/netflow

# param sysctl bad-value good-value
cases=(
	"destination destination 127.0.0.1:0 127.0.0.1:2056"
	"protocol protocol 7 9"
	"inactive_timeout inactive_timeout 0 20"
	"active_timeout active_timeout 2147483649 600"
	"refresh_rate refresh-rate 4294967296 7"
	"timeout_rate timeout-rate x 9"
	"scan_min scan-min 0 2"
	"sndbuf sndbuf 2147483648 65536"
	"hashsize hashsize 255 512"
	"hashsize hashsize 67108865 1024"
	"maxflows maxflows 4294967296 1000"
	"engine_id engine_id -1 7"
	"debug debug 4 1"
	"aggregation aggregation 10.0.0.0/33=8 10.0.0.0/8=16"
	"exportcpu exportcpu 9 1"
)

# The text of the refusal after "parameter NAME: " / "net.netflow.NAME: ".
refusal() { dmesg | sed -n "s/.*$1: \(.* refused: .*\)$/\1/p" | head -1; }

for c in "${cases[@]}"; do
	read -r param sysctl bad good <<<"$c"
	dmesg -C
	if load "$param=$bad" 2>/dev/null; then
		fail "insmod $param=$bad accepted"; unload; continue
	fi
	at_load=$(refusal "parameter $param")
	check "insmod $param=$bad: the kernel names the parameter too" sh -c "dmesg | grep -q \"invalid for parameter \\\`$param'\""
	load
	before=$(cat $ctl/$sysctl)
	dmesg -C
	if echo "$bad" >$ctl/$sysctl 2>/dev/null; then fail "sysctl $sysctl=$bad accepted"; fi
	at_run=$(refusal "net.netflow.$sysctl")
	check_eq "sysctl $sysctl=$bad keeps the value" "$(cat $ctl/$sysctl)" "$before"
	if [ -n "$at_load" ] && [ "$at_load" = "$at_run" ]; then
		ok "$param=$bad refused alike by insmod and sysctl: $at_load"
	else
		fail "$param=$bad: insmod said '$at_load', sysctl said '$at_run'"
	fi
	check "sysctl $sysctl=$good accepted" sh -c "echo '$good' > $ctl/$sysctl"
	unload
	if load "$param=$good"; then
		ok "insmod $param=$good accepted"
		check_eq "$param=$good shown in /sys/module" "$(cat /sys/module/ipt_NETFLOW/parameters/$param)" "$good"
		unload
	else
		fail "insmod $param=$good refused"
	fi
done

log "engine_id: a sysctl change reaches the next export packet (tshark)"
socat -u UDP-RECV:2055,reuseaddr /dev/null &
sink=$!
dumpcap -q -i lo -f "udp port 2055" -w /tmp/engine.pcap 2>/tmp/engine.pcap.log &
cap=$!
sleep 3
load protocol=9 engine_id=3
iptables -A INPUT -p udp --dport 9000 -j NETFLOW
one_flow() { echo x | socat -u - UDP-SENDTO:127.0.0.1:9000,sourceport=$1; echo 1 >$ctl/flush; sleep 1; }
one_flow 40001
echo 77 >$ctl/engine_id
check_eq "engine_id reads back" "$(cat $ctl/engine_id)" 77
one_flow 40002
sleep 2
kill -INT $cap; wait $cap 2>/dev/null
kill $sink 2>/dev/null
iptables -F INPUT
unload
ids=$(tshark -r /tmp/engine.pcap -d udp.port==2055,cflow -T fields -e cflow.source_id 2>/dev/null | uniq | tr '\n' ' ')
check_eq "v9 source ids of the export packets, in order" "$ids" "3 77 "
check "no module left loaded" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'
finish
