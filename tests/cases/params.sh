# Module parameters: visible in modinfo and /sys/module, defaults as C ipt_NETFLOW,
# values given to insmod shown back; a malformed value fails insmod, naming the parameter.
# timeout: 600
. "$NETFLOW_REPO/tests/lib.sh"

params="destination inactive_timeout active_timeout debug sndbuf hashsize maxflows aggregation protocol refresh_rate timeout_rate scan_min engine_id"
info=$(modinfo -F parm "$KO")
for p in $params; do
	check "modinfo lists $p" sh -c "echo '$info' | grep -q '^$p:'"
done

load
sysp=/sys/module/ipt_NETFLOW/parameters
check_eq "default destination" "$(cat $sysp/destination)" "127.0.0.1:2055"
check_eq "default inactive_timeout" "$(cat $sysp/inactive_timeout)" 15
check_eq "default active_timeout" "$(cat $sysp/active_timeout)" 1800
check_eq "default maxflows" "$(cat $sysp/maxflows)" 2000000
check_eq "default protocol" "$(cat $sysp/protocol)" 5
unload

load destination=127.0.0.1:2055,127.0.0.2:9995 inactive_timeout=7 maxflows=1000 debug=1
check_eq "destination given" "$(cat $sysp/destination)" "127.0.0.1:2055,127.0.0.2:9995"
check_eq "inactive_timeout given" "$(cat $sysp/inactive_timeout)" 7
check_eq "maxflows given" "$(cat $sysp/maxflows)" 1000
unload

for bad in maxflows=abc inactive_timeout=-5 hashsize=99999999999999999999 debug=1x; do
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
