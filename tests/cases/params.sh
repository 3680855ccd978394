# Module parameters: visible in modinfo and /sys/module, defaults as C ipt_NETFLOW,
# values given to insmod shown back; a malformed value fails insmod, naming the parameter.
# timeout: 600
. "$NETFLOW_REPO/tests/lib.sh"

params="destination inactive_timeout active_timeout debug sndbuf hashsize maxflows aggregation protocol refresh_rate timeout_rate scan_min engine_id exportcpu sampler natevents"
# Descriptions hold quotes and parentheses: matched in bash, never through a shell string.
info=$'\n'$(modinfo -F parm "$KO")
for p in $params; do
	check_match "modinfo lists $p" "$info" $'\n'"$p:"
done

load
sysp=/sys/module/ipt_NETFLOW/parameters
check_eq "default destination" "$(cat $sysp/destination)" "127.0.0.1:2055"
check_eq "default inactive_timeout" "$(cat $sysp/inactive_timeout)" 15
check_eq "default active_timeout" "$(cat $sysp/active_timeout)" 1800
check_eq "default maxflows" "$(cat $sysp/maxflows)" 2000000
check_eq "default protocol" "$(cat $sysp/protocol)" 5
unload

load destination=127.0.0.1:2055,127.0.0.2:9995 inactive_timeout=7 maxflows=1000 debug=1 exportcpu=1
check_eq "destination given" "$(cat $sysp/destination)" "127.0.0.1:2055,127.0.0.2:9995"
check_eq "inactive_timeout given" "$(cat $sysp/inactive_timeout)" 7
check_eq "maxflows given" "$(cat $sysp/maxflows)" 1000
check_eq "exportcpu given, and its sysctl" "$(cat $sysp/exportcpu) $(cat $CTL/exportcpu)" "1 1"
unload

log "the parameters C makes writable at run time"
live="inactive_timeout active_timeout debug refresh_rate timeout_rate scan_min maxflows engine_id exportcpu"
load
for p in $params; do
	case " $live " in *" $p "*) want=644 ;; *) want=444 ;; esac
	check_eq "$p mode" "$(stat -c %a $sysp/$p)" $want
done
# pw NAME VALUE: a write to /sys/module/ipt_NETFLOW/parameters/NAME; its error, if any.
pw() { (echo "$2" >$sysp/$1) 2>&1; }
check_eq "inactive_timeout=9 written" "$(pw inactive_timeout 9)" ""
check_eq "it is the sysctl's value, and /proc's" "$(cat $CTL/inactive_timeout) $(grep -o 'inactive [0-9]*s' $PROC)" "9 inactive 9s"
echo 12 >$CTL/inactive_timeout
check_eq "a sysctl write shows in /sys/module" "$(cat $sysp/inactive_timeout)" 12
# Refused as the sysctl refuses: EINVAL, old value kept, dmesg names the parameter.
for bad in "inactive_timeout 0" "active_timeout x" "debug 4" "refresh_rate 4294967296" "timeout_rate -1" \
	"scan_min 1001" "maxflows -1" "engine_id 4294967296" "exportcpu 2" "exportcpu -2"; do
	read -r p v <<<"$bad"
	before=$(cat $sysp/$p)
	dmesg -C
	err=$(pw $p "$v")
	case "$err" in *"Invalid argument"*) ok "$p=$v: EINVAL" ;; *) fail "$p=$v: not EINVAL: '$err'" ;; esac
	check_eq "$p=$v: value kept" "$(cat $sysp/$p)" "$before"
	check "$p=$v: dmesg names the parameter" sh -c "dmesg | grep -q 'parameter $p: .* refused: '"
done
check "exportcpu=2: dmesg says why" sh -c "echo 2 >$sysp/exportcpu 2>/dev/null; dmesg | grep -q 'parameter exportcpu: .2. refused: CPU 2 is not online'"
case "$(pw hashsize 512)" in *"Permission denied"*) ok "hashsize is read-only at run time" ;; *) fail "hashsize writable" ;; esac

log "a parameter write changes behaviour: maxflows and exportcpu"
iptables -A INPUT -p udp --dport 9000:9099 -j NETFLOW
check_eq "inactive_timeout=600 written" "$(pw inactive_timeout 600)" ""
check_eq "maxflows=3 written" "$(pw maxflows 3)" ""
python3 "$REPO/tests/tools/udp_ports.py" 127.0.0.1 9000 6 10 40000 >/dev/null
check_eq "maxflows=3 caps the table" "$(sed -n 's/^Flows: active \([0-9]*\) .*/\1/p' $PROC)" 3
check "Timeouts line shows Maxflows 3" grep -q "Maxflows 3$" $PROC
check_eq "exportcpu=1 written" "$(pw exportcpu 1)" ""
sleep 1
check_match "the work runs on CPU 1" "$(grep -o '\[cpu[0-9]*\])' $PROC)" '^\[cpu1\]\)$'
check_eq "exportcpu=0 written" "$(pw exportcpu 0)" ""
sleep 1
check_match "then on CPU 0" "$(grep -o '\[cpu[0-9]*\])' $PROC)" '^\[cpu0\]\)$'
check_eq "engine_id=300 written" "$(pw engine_id 300)" ""
check_eq "engine_id's sysctl" "$(cat $CTL/engine_id)" 300
iptables -F INPUT
unload

for bad in maxflows=abc inactive_timeout=-5 hashsize=99999999999999999999 debug=1x exportcpu=7 exportcpu=-2; do
	name=${bad%%=*}
	dmesg -C
	if load "$bad" 2>/dev/null; then
		fail "insmod $bad succeeded"; unload
	else
		check "insmod $bad: dmesg names '$name'" sh -c "dmesg | grep -q \"parameter \\\`$name'\""
	fi
done
check "no module left loaded" sh -c '! grep -q "^ipt_NETFLOW " /proc/modules'
finish
