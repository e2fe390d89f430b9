# shellcheck shell=sh
# shellcheck disable=SC2034 # SERVER_PPP_IP is read by guest/scenario.sh
# guest/server-ours.sh -- server side "ours": the whole server is ours.
# ikd (IKEv1 responder, kernel "xfrm", its L2TP policies) + l2tpd (the
# LNS, build/l2tpd, kernel data path "pppox" in this UML kernel) + pppd
# started by l2tpd with pppol2tp.so and our plugin
# (build/pppd-plugin/l2tp_ipsec.so), one configuration file for all.
#
# On top of the scenario's checks (client address, ping, iperf3, ESP,
# no cleartext L2TP on the wire) and ikd's (guest/server-ikd.sh:
# privsep, control socket), this module checks at the end:
#   - l2tpd registered with ikd ("register l2tp 1701");
#   - the client's pppd hangs up (SIGTERM): xl2tpd sends CDN, l2tpd
#     stops our pppd and waits for it; the JSON session log has a start
#     and an end record of the session, with the user, the pool address
#     and pppd's final byte counts (through the plugin), which must cover
#     what iperf3 moved each way;
#   - ikd restarts: l2tpd registers again within 2 s;
#   - l2tpd exits cleanly on SIGTERM, its pppd children gone.
#
# Like server-ikd.sh there is NO iptables rule for UDP/1701.

# shellcheck source=tests/e2e/guest/server-ikd.sh
. "$E2E_GUEST/server-ikd.sh"

L2TPD_BIN=${L2TPD_BIN:-$E2E_REPO/build/l2tpd}
PLUGIN_SO=$E2E_REPO/build/pppd-plugin/l2tp_ipsec.so
L2TPD_PID=
SESSLOG=$E2E_STATE/server/run/l2tp-ipsec/sessions.jsonl

server_stage() {
	"$TOPO" etc server "$E2E_DIR/ref/server/etc" || return 1
	for b in "$IKD_BIN" "$L2TPD_BIN" "$PLUGIN_SO"; do
		[ -e "$b" ] || {
			fail "server: no $b (make first)"
			return 1
		}
	done
	mkdir -p "$IKD_DIR" || return 1
	cat > "$IKD_DIR/vpn.conf" << EOF
# ikd + l2tpd + plugin for the e2e lab (server-ours.sh)
secrets_file = "secrets.conf";
run_dir = "/run/l2tp-ipsec";
ike = {
	kernel = "xfrm";
};
l2tp = {
	hostname = "e2e-lns";
	hello_interval = 30;
};
ppp = {
	auth = [ "mschapv2" ];
	local_address = "$SERVER_PPP_IP";
	plugin = "$PLUGIN_SO";
	mtu = 1400;
	mru = 1400;
};
pool = {
	start = "203.0.113.10";
	end = "203.0.113.50";
};
users = ( { name = "e2euser"; } );
log = {
	level = "debug";
	syslog = false;
	session_log = "/run/l2tp-ipsec/sessions.jsonl";
};
EOF
	# the lab's test-only PSK and PPP password, mode 0600
	(umask 077 && cat > "$IKD_DIR/secrets.conf") << 'EOF'
ike = { psk = "e2e-lab-psk-not-secret"; };
users = ( { name = "e2euser"; password = "e2e-pass"; } );
EOF
	chmod 600 "$IKD_DIR/secrets.conf"
}

server_start() {
	"$TOPO" exec server "$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		> "$E2E_STATE/server/run/ikd.log" 2>&1 &
	IKD_PID=$!
	"$TOPO" exec server "$L2TPD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		> "$E2E_STATE/server/run/l2tpd.log" 2>&1 &
	L2TPD_PID=$!
	return 0
}

l2tpd_ready() {
	grep -q 'l2tpd started' "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null
}

l2tpd_registered() { # N: at least N registrations logged
	[ "$(grep -c 'registered with ikd' "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null)" -ge "$1" ]
}

server_wait_ready() {
	wait_for 15 "server ikd" ikd_ready || {
		tail -n 20 "$E2E_STATE/server/run/ikd.log" 2> /dev/null
		return 1
	}
	wait_for 15 "server l2tpd" l2tpd_ready || {
		tail -n 20 "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null
		return 1
	}
	wait_for 5 "l2tpd registered with ikd" l2tpd_registered 1
}

server_info() {
	grep -E 'ISAKMP SA established|ESP SAs installed|NAT detected' \
		"$E2E_STATE/server/run/ikd.log" 2> /dev/null |
		sed 's/^[^ ]* [^ ]* [^ ]* /  server ikd: /'
	grep -E 'tunnel up|event=start|ICCN' \
		"$E2E_STATE/server/run/l2tpd.log" 2> /dev/null |
		sed 's/^[^ ]* [^ ]* [^ ]* /  server l2tpd: /'
	ikd_checks
	return 0
}

# JSON value of KEY in the last line of the session log with event EV
slog_get() { # EV KEY
	grep "\"event\":\"$1\"" "$SESSLOG" 2> /dev/null | tail -n 1 |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# bytes iperf3 moved (receiver line, "-f m": MBytes) -> integer bytes
iperf_bytes() { # NAME
	awk '/receiver/ { printf "%d\n", $5 * 1048576 }' \
		"$E2E_OUT/iperf3-$1.txt" 2> /dev/null
}

session_ended() { grep -q '"event":"end"' "$SESSLOG"; }

ours_checks() {
	# no session (the cleartext scenario): nothing to account for; the
	# scenario's own checks decide whether there should have been one
	if ! grep -q '"event":"start"' "$SESSLOG" 2> /dev/null; then
		log "server l2tpd: no session was started"
		metric l2tpd_sessions_started 0
		ours_reregister
		return 0
	fi
	# the client's pppd hangs up; ours follows, then l2tpd sends CDN
	_pid=$(cat "$E2E_STATE/client/run/ppp0.pid" 2> /dev/null)
	if [ -z "$_pid" ] || ! kill "$_pid" 2> /dev/null; then
		fail "client: no pppd to hang up"
	fi
	wait_for 15 "session end record" session_ended || return 0
	_cause=$(slog_get end cause)
	metric l2tpd_end_cause "$_cause"
	case $_cause in pppd*) ;; *) fail "session end cause '$_cause'" ;; esac
	cp "$SESSLOG" "$E2E_OUT/sessions.jsonl" 2> /dev/null
	sed 's/^/  server sessions: /' "$SESSLOG"
	_user=$(slog_get end user)
	_addr=$(slog_get end address)
	_in=$(slog_get end bytes_in)
	_out=$(slog_get end bytes_out)
	metric l2tpd_end_user_addr "$_user/$_addr"
	metric l2tpd_end_bytes_in_out "$_in/$_out"
	[ "$_user" = e2euser ] || fail "session log: user '$_user'"
	case $_addr in 203.0.113.*) ;; *) fail "session log: address '$_addr'" ;; esac
	_ipf_up=$(iperf_bytes up)
	_ipf_down=$(iperf_bytes down)
	if [ -n "$_ipf_up" ] && [ -n "$_ipf_down" ]; then
		metric iperf_up_down_bytes "$_ipf_up/$_ipf_down"
		# the session carried iperf3's payload plus ping and PPP framing
		[ "${_in:-0}" -ge "$_ipf_up" ] || fail "session bytes_in $_in < iperf3 up $_ipf_up"
		[ "${_out:-0}" -ge "$_ipf_down" ] || fail "session bytes_out $_out < iperf3 down $_ipf_down"
		[ "${_in:-0}" -le $((_ipf_up + _ipf_up / 5 + 1000000)) ] ||
			fail "session bytes_in $_in far above iperf3 up $_ipf_up"
		[ "${_out:-0}" -le $((_ipf_down + _ipf_down / 5 + 1000000)) ] ||
			fail "session bytes_out $_out far above iperf3 down $_ipf_down"
	else
		if [ "${_in:-0}" -eq 0 ] || [ "${_out:-0}" -eq 0 ]; then
			fail "session log: no byte counts ($_in/$_out)"
		fi
	fi
	ours_reregister
}

# ikd restarts: l2tpd registers again at once
ours_reregister() {
	# registrations so far (2 after a restart scenario's restart)
	_nreg=$(grep -c 'registered with ikd' "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null)
	kill "$IKD_PID" 2> /dev/null
	wait "$IKD_PID" 2> /dev/null
	_t=$(now_cs)
	"$TOPO" exec server "$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		>> "$E2E_STATE/server/run/ikd.log" 2>&1 &
	IKD_PID=$!
	wait_for 5 "l2tpd re-registered with ikd" l2tpd_registered $((_nreg + 1)) || return 0
	metric l2tpd_reregister_cs "$(($(now_cs) - _t))"
	# from the new ikd serving its control socket to l2tpd's registration
	_a=$(grep 'ikd started' "$E2E_STATE/server/run/ikd.log" | log_ms)
	_b=$(grep 'registered with ikd' "$E2E_STATE/server/run/l2tpd.log" | log_ms)
	if [ -n "$_a" ] && [ -n "$_b" ]; then
		metric l2tpd_reregister_after_ikd_ready_ms "$((_b - _a))"
		[ $((_b - _a)) -le 1000 ] ||
			fail "l2tpd re-registered $((_b - _a)) ms after ikd was ready"
	else
		fail "no timestamps for the re-registration"
	fi
}

# the time of day of the last log line on stdin, in ms
log_ms() {
	sed -n 's/^[0-9-]* \([0-9]*\):\([0-9]*\):\([0-9]*\)\.\([0-9]*\) .*/\1 \2 \3 \4/p' |
		tail -n 1 | awk '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'
}

server_stop() {
	if [ -n "$L2TPD_PID" ]; then
		ours_checks
		kill "$L2TPD_PID" 2> /dev/null
		_end=$(($(now_cs) + 500))
		while kill -0 "$L2TPD_PID" 2> /dev/null && [ "$(now_cs)" -lt "$_end" ]; do
			sleep 0.1
		done
		kill -0 "$L2TPD_PID" 2> /dev/null && fail "l2tpd did not exit on SIGTERM"
		wait "$L2TPD_PID" 2> /dev/null
		_rc=$?
		metric l2tpd_exit_status "$_rc"
		[ "$_rc" = 0 ] || fail "l2tpd exit status $_rc"
		L2TPD_PID=
		grep -q 'l2tpd stopped' "$E2E_STATE/server/run/l2tpd.log" ||
			fail "l2tpd: no clean-exit line"
	fi
	[ -n "$IKD_PID" ] || return 0
	in_host server sh -c 'ip -s xfrm state; ip xfrm policy' \
		> "$E2E_STATE/server/run/xfrm-before-stop.log" 2>&1
	kill "$IKD_PID" 2> /dev/null
	_end=$(($(now_cs) + 300))
	while kill -0 "$IKD_PID" 2> /dev/null && [ "$(now_cs)" -lt "$_end" ]; do
		sleep 0.1
	done
	wait "$IKD_PID" 2> /dev/null
	IKD_PID=
	return 0
}
