#!/bin/sh
# guest/plugin-pppd.sh -- our pppd plugin (build/pppd-plugin/l2tp_ipsec.so)
# in a real pppd against a real pppd peer, inside the UML guest (the host
# kernel has no PPP):
#
#   make all
#   tests/e2e/uml-run -o build/e2e/runs/plugin tests/e2e/guest/plugin-pppd.sh
#
# The server pppd (root namespace) runs with exactly the argv l2tpd would
# exec (l2tpd/pppd_args.c via build/tests/e2e/pppd_argv: the plugin and
# its options, MS-CHAPv2 only, ms-dns, local address only) minus the
# pppol2tp.so part: instead of an L2TP session its link is a pty whose
# other end is the client pppd,
# started by the server's `pty` option inside network namespace "cli"
# with `notty`. build/tests/e2e/plugin_listener stands in for l2tpd on
# the plugin socket, answers HELLO and ADDR_REQ (203.0.113.10) and records
# every message. Users and passwords come from the one config file (mode
# 0600, secrets inline); there is no chap-secrets entry.
#
# Runs:
#   good     labuser/labpass: auth-ok, addr-req, ip-up (ppp0, addresses,
#            DNS), 5 pings over ppp0, periodic counters every 2 s (the
#            one after the pings counts them); then the listener asks for
#            a disconnect: ip-down, final counters, exit user-request (5)
#   badpass  labuser/wrong: auth-fail bad-secret with the user, no ip-up,
#            exit peer-auth-failed (11)
#   nouser   nosuchuser/labpass: auth-fail unknown-user, no ip-up
#   pap      ppp.auth = [ "pap" ]: require-pap in the argv, auth-ok pap,
#            ip-up
#   badkey   session key l2tpd does not know: pppd ends before LCP (1)
# and no password appears in the server's logs or the records.
# Results: $E2E_OUT/metrics.txt (result=PASS/FAIL, fail=... lines),
# <run>-events.txt, <run>-server.log, <run>-client.log.
set -u

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
E2E_REPO=${E2E_REPO:-$(cd "$E2E_DIR/../.." && pwd)}
E2E_OUT=${E2E_OUT:-/tmp/e2e-out}
. "$E2E_DIR/guest/lib.sh"
mkdir -p "$E2E_OUT"
: > "$METRICS"
rm -f "$E2E_OUT"/*-events.txt "$E2E_OUT"/*-server.log \
	"$E2E_OUT"/*-client.log "$E2E_OUT"/good-*.txt

PLUGIN=$E2E_REPO/build/pppd-plugin/l2tp_ipsec.so
LISTENER=$E2E_REPO/build/tests/e2e/plugin_listener
ARGV=$E2E_REPO/build/tests/e2e/pppd_argv
PPPD=/usr/sbin/pppd
W=/tmp/plugin-e2e
RUN=/run/l2tp-ipsec-test
CONF=$W/vpn.conf
SOCK=$RUN/l2tpd-plugin.sock
LOCAL=203.0.113.1
REMOTE=203.0.113.10
PASSWORD=labpass
T_START=$(now_cs)

for f in "$PLUGIN" "$LISTENER" "$ARGV"; do
	if [ ! -e "$f" ]; then
		fail "missing $f (make all)"
		echo "result=FAIL" >> "$METRICS"
		exit 1
	fi
done

log "kernel $(uname -r), $($PPPD --version 2>&1)"
for m in ppp_generic ppp_async; do
	modprobe "$m" || fail "modprobe $m"
done
ip netns add cli || fail "netns cli"
ip -n cli link set lo up

mkdir -p "$W" "$RUN"
chmod 700 "$RUN"
# write_conf FILE AUTH: the one config file (test-only secrets inline,
# so mode 0600), ppp.auth = [ AUTH ]
write_conf() {
	umask 077
	cat > "$1" <<- EOF
		secrets_file = "";
		run_dir = "$RUN";
		ike = { psk = "e2e-plugin-test-psk-not-a-secret"; };
		l2tp = { hostname = "e2e-lns"; };
		ppp = {
			auth = [ "$2" ];
			dns = [ "192.0.2.53", "192.0.2.54" ];
			local_address = "$LOCAL";
			plugin = "$PLUGIN";
		};
		pool = { start = "$REMOTE"; end = "203.0.113.20"; };
		users = ( { name = "labuser"; password = "$PASSWORD"; } );
	EOF
	umask 022
}
write_conf "$CONF" mschapv2
write_conf "$W/pap.conf" pap

# start_listener RUN: plugin_listener in the background, ready
start_listener() {
	"$LISTENER" -s "$SOCK" -o "$E2E_OUT/$1-events.txt" -l "$LOCAL" \
		-r "$REMOTE" -t "$W/$1-disconnect" -n 1 &
	LISTENER_PID=$!
	wait_for 5 "listener $1" grep -q listening "$E2E_OUT/$1-events.txt"
}

# start_pair RUN KEY USER PASS [CONF [CLIENT_REFUSE]]: the server pppd
# with exactly the argv l2tpd/pppd_args.c builds (tests/e2e/pppd_argv),
# its pppol2tp.so part replaced by a pty running the client pppd (which
# refuses CLIENT_REFUSE, default all but MS-CHAPv2); sets SERVER_PID
start_pair() {
	_run=$1 _key=$2 _user=$3 _pass=$4 _conf=${5:-$CONF}
	_refuse=${6:-"refuse-pap refuse-chap refuse-mschap refuse-eap"}
	# The client's password in a file: pppd logs its pty command.
	umask 077
	{
		echo "notty nodetach noauth user $_user name $_user"
		echo "password $_pass"
		echo "$_refuse"
		echo "noccp noipdefault ipcp-accept-local ipcp-accept-remote"
		echo "nodefaultroute noipv6 mtu 1400 mru 1400"
		echo "lcp-echo-interval 0 debug"
		echo "logfile $E2E_OUT/$_run-client.log"
	} > "$W/$_run-client.opts"
	umask 022
	_client="ip netns exec cli $PPPD file $W/$_run-client.opts"
	: > "$E2E_OUT/$_run-server.log"
	"$ARGV" "$_conf" "$_key" "$SOCK" 2 > "$E2E_OUT/$_run-argv.txt" ||
		fail "$_run: pppd_argv"
	# Drop pppol2tp.so and its 7 option words; keep the rest in order.
	awk '
		$0 == "plugin" { getline n; if (n == "pppol2tp.so") { d += 2; next }
			print; print n; next }
		/^pppol2tp_lns_mode$/ { d++; next }
		$0 == "pppol2tp" || $0 == "pppol2tp_tunnel_id" ||
		    $0 == "pppol2tp_session_id" { getline; d += 2; next }
		{ print }
		END { if (d != 9) exit 1 }' "$E2E_OUT/$_run-argv.txt" \
		> "$W/$_run-argv" || fail "$_run: argv has no pppol2tp.so part"
	set --
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done < "$W/$_run-argv"
	"$@" pty "$_client" debug logfile "$E2E_OUT/$_run-server.log" \
		> /dev/null 2>&1 &
	SERVER_PID=$!
}

# finish RUN SECS: wait for the server pppd and the listener; sets RC
finish() {
	wait_for "$2" "$1: server pppd exits" sh -c "! kill -0 $SERVER_PID"
	kill -0 "$SERVER_PID" 2> /dev/null && kill "$SERVER_PID"
	wait "$SERVER_PID"
	RC=$?
	wait_for 5 "$1: listener exits" sh -c "! kill -0 $LISTENER_PID"
	kill -0 "$LISTENER_PID" 2> /dev/null && kill "$LISTENER_PID"
	wait "$LISTENER_PID" || fail "$1: listener status $?"
	metric "${1}_pppd_exit" "$RC"
}

# has RUN REGEX: the run's records have a line matching REGEX
has() {
	grep -Eq "$2" "$E2E_OUT/$1-events.txt"
}

# periodic RUN: number of periodic COUNTERS records so far
periodic() {
	grep -c '^1 counters final=0 ' "$E2E_OUT/$1-events.txt"
}

# more_periodic RUN N: more than N periodic COUNTERS records by now
more_periodic() {
	[ "$(periodic "$1")" -gt "$2" ]
}

expect() {
	has "$1" "$2" || fail "$1: no record matching /$2/"
}

expect_not() {
	! has "$1" "$2" || fail "$1: unexpected record /$2/"
}

# ---- good: MS-CHAPv2 with a config user, address, counters, disconnect
t0=$(now_cs)
start_listener good
start_pair good t-good labuser "$PASSWORD"
if wait_for 30 "good: ip-up" has good '^1 ip-up '; then
	metric good_start_to_ip_up_s "$(since "$t0")"
	IFN=$(sed -n 's/^1 ip-up ifname=\([^ ]*\) .*/\1/p' "$E2E_OUT/good-events.txt")
	ip -o addr show dev "$IFN" > "$E2E_OUT/good-ifaddr.txt" 2>&1
	grep -q "inet $LOCAL peer $REMOTE/32" "$E2E_OUT/good-ifaddr.txt" ||
		fail "good: $IFN does not have $LOCAL peer $REMOTE"
	ip -n cli -o addr show > "$E2E_OUT/good-client-ifaddr.txt" 2>&1
	grep -q "inet $REMOTE peer $LOCAL/32" "$E2E_OUT/good-client-ifaddr.txt" ||
		fail "good: the client did not get $REMOTE"
	{ ip link show; ip route show table all; ip -n cli route; } \
		> "$E2E_OUT/good-routes.txt" 2>&1
	ping -c 5 -i 0.2 -W 2 "$REMOTE" > "$E2E_OUT/good-ping.txt" 2>&1 ||
		fail "good: ping over $IFN"
	# Counters are sent every 2 s: one more must come before the
	# disconnect, and it has the pings in it.
	NPER=$(periodic good)
	touch "$W/good-disconnect"
	wait_for 15 "good: counters after the pings" more_periodic good "$NPER"
fi
finish good 30
expect good "^1 hello pid=$SERVER_PID key=t-good$"
expect good '^1 sent hello-ack$'
expect good '^1 phase authenticate$'
expect good '^1 auth-ok method=mschapv2 user=labuser$'
expect good '^1 addr-req user=labuser$'
expect good '^1 sent addr$'
expect good "^1 ip-up ifname=ppp[0-9]+ local=$LOCAL remote=$REMOTE dns=192.0.2.53,192.0.2.54$"
expect good '^1 phase running$'
expect good '^1 counters final=0 seconds=[0-9]+ '
expect good '^1 sent disconnect$'
expect good '^1 ip-down ifname=ppp[0-9]+$'
expect good '^1 counters final=1 '
expect good '^1 exit code=5 text=user-request$'
expect good '^1 eof$'
for w in require-mschap-v2 refuse-pap refuse-eap auth noccp; do
	grep -qx -- "$w" "$E2E_OUT/good-argv.txt" || fail "good: argv has no $w"
done
expect_not good 'auth-fail'
[ "$RC" = 5 ] || fail "good: pppd exit $RC, wanted 5 (user request)"
# The final counters hold the 5 pings each way (plus LCP echoes).
FINAL=$(grep '^1 counters final=1 ' "$E2E_OUT/good-events.txt")
PIN=$(echo "$FINAL" | sed -n 's/.* pkts_in=\([0-9]*\).*/\1/p')
POUT=$(echo "$FINAL" | sed -n 's/.* pkts_out=\([0-9]*\).*/\1/p')
BIN=$(echo "$FINAL" | sed -n 's/.* bytes_in=\([0-9]*\).*/\1/p')
SECS=$(echo "$FINAL" | sed -n 's/.* seconds=\([0-9]*\).*/\1/p')
[ "${PIN:-0}" -ge 5 ] && [ "${POUT:-0}" -ge 5 ] && [ "${BIN:-0}" -ge 420 ] ||
	fail "good: final counters too low: $FINAL"
[ "${SECS:-0}" -ge 2 ] || fail "good: connected ${SECS:-?} s, wanted >= 2"
LASTP=$(grep '^1 counters final=0 ' "$E2E_OUT/good-events.txt" | tail -1)
LPIN=$(echo "$LASTP" | sed -n 's/.* pkts_in=\([0-9]*\).*/\1/p')
[ "${LPIN:-0}" -ge 5 ] || fail "good: last periodic counters miss the pings: $LASTP"
metric good_final_pkts_in "${PIN:-0}"
metric good_final_pkts_out "${POUT:-0}"
metric good_final_bytes_in "${BIN:-0}"
metric good_connected_s "${SECS:-0}"
metric good_periodic_counters "$(periodic good)"
metric good_run_s "$(since "$t0")"

# ---- badpass: wrong password
t0=$(now_cs)
start_listener badpass
start_pair badpass t-badpass labuser wrongpass
finish badpass 30
expect badpass '^1 hello pid=[0-9]+ key=t-badpass$'
expect badpass '^1 auth-fail method=mschapv2 cause=bad-secret user=labuser text="wrong password"$'
expect badpass '^1 exit code=11 text=peer-auth-failed$'
expect_not badpass 'auth-ok|addr-req|ip-up|counters'
[ "$RC" = 11 ] || fail "badpass: pppd exit $RC, wanted 11 (peer auth failed)"
metric badpass_run_s "$(since "$t0")"

# ---- nouser: a user the config does not have
t0=$(now_cs)
start_listener nouser
start_pair nouser t-nouser nosuchuser "$PASSWORD"
finish nouser 30
expect nouser '^1 auth-fail method=mschapv2 cause=unknown-user user=nosuchuser text="no such user"$'
expect nouser '^1 exit code=11 text=peer-auth-failed$'
expect_not nouser 'auth-ok|addr-req|ip-up|counters'
[ "$RC" = 11 ] || fail "nouser: pppd exit $RC, wanted 11"
metric nouser_run_s "$(since "$t0")"

# ---- pap: ppp.auth = [ "pap" ]: pppd_args asks require-pap, the
# plugin checks the password from the config
t0=$(now_cs)
start_listener pap
start_pair pap t-pap labuser "$PASSWORD" "$W/pap.conf" \
	"refuse-mschap-v2 refuse-chap refuse-mschap refuse-eap"
if wait_for 30 "pap: ip-up" has pap '^1 ip-up '; then
	metric pap_start_to_ip_up_s "$(since "$t0")"
	touch "$W/pap-disconnect"
fi
finish pap 30
grep -qx require-pap "$E2E_OUT/pap-argv.txt" || fail "pap: no require-pap"
grep -qx refuse-mschap-v2 "$E2E_OUT/pap-argv.txt" ||
	fail "pap: no refuse-mschap-v2"
expect pap '^1 auth-ok method=pap user=labuser$'
expect pap "^1 ip-up ifname=ppp[0-9]+ local=$LOCAL remote=$REMOTE "
expect pap '^1 exit code=5 text=user-request$'
grep -q 'rcvd \[PAP AuthReq' "$E2E_OUT/pap-server.log" ||
	fail "pap: no PAP exchange in the server log"
[ "$RC" = 5 ] || fail "pap: pppd exit $RC, wanted 5"
metric pap_run_s "$(since "$t0")"

# ---- badkey: l2tpd does not know the session: pppd ends before LCP
t0=$(now_cs)
start_listener badkey
start_pair badkey unknown-key labuser "$PASSWORD"
finish badkey 15
expect badkey '^1 hello pid=[0-9]+ key=unknown-key$'
expect badkey '^1 sent disconnect$'
expect_not badkey 'phase|auth|ip-up'
[ "$RC" = 1 ] || fail "badkey: pppd exit $RC, wanted 1 (fatal)"
grep -q 'l2tpd refused this pppd: unknown-key' "$E2E_OUT/badkey-server.log" ||
	fail "badkey: no refusal in the server log"
metric badkey_run_s "$(since "$t0")"

# ---- secrets never logged by the server side
for f in "$E2E_OUT"/*-server.log "$E2E_OUT"/*-events.txt; do
	if grep -q -e "$PASSWORD" -e wrongpass "$f"; then
		fail "a password appears in $(basename "$f")"
	fi
done

metric total_s "$(since "$T_START")"
probe_exit
