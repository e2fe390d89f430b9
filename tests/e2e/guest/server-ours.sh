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
	hello_interval = $([ "${PEER_DEAD:-0}" = 1 ] && echo 5 || echo 30);
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
	: > "$E2E_STATE/server/run/ikd.log"
	if [ "${NO_IKD:-0}" = 0 ]; then
		"$TOPO" exec server "$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
			> "$E2E_STATE/server/run/ikd.log" 2>&1 &
		IKD_PID=$!
	fi
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
	if [ "${NO_IKD:-0}" = 1 ]; then
		wait_for 15 "server l2tpd (no ikd)" l2tpd_ready || return 1
		return 0
	fi
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

# ---- the JSON session log (lib/sesslog.c) ----
# JSON value of KEY in the last line of the session log with event EV
slog_get() { # EV KEY
	grep "\"event\":\"$1\"" "$SESSLOG" 2> /dev/null | tail -n 1 |
		jq -r --arg k "$2" '.[$k] | if . == null then "" else tostring end' 2> /dev/null
}

slog_count() { # EV: records with event EV
	_n=$(grep -c "\"event\":\"$1\"" "$SESSLOG" 2> /dev/null)
	echo "${_n:-0}"
}

# JSON value of KEY in record LINE ("" for null or absent)
rec_get() { # LINE KEY
	printf '%s\n' "$1" | jq -r --arg k "$2" '.[$k] | if . == null then "" else tostring end' 2> /dev/null
}

# every record of the session with local tunnel/session TID/SID carries
# the session's identifiers, the same in each record, and they are the
# real ones (one jq over the log: each exec costs ~0.1 s in UML)
# shellcheck disable=SC2016 # a jq program
slog_ids_jq='
	map(select(.local_tunnel == $t and .local_session == $s)) as $recs
	| if ($recs | length) == 0 then "FAIL no record of session \($t)/\($s)" else
	( $recs[] | . as $r
	  | (["ts", "peer", "peer_port", "icookie", "rcookie", "spi_in", "spi_out",
	      "local_tunnel", "remote_tunnel", "local_session", "remote_session", "pppd_pid"]
	     + (if .event == "start" then [] else ["user"] end)
	     + (if .event == "ip-up" then ["ifname", "address"] else [] end))[]
	  | select($r[.] == null or $r[.] == "")
	  | "FAIL \($r.event) record of \($t)/\($s) has no \(.)" ),
	( $recs | map([.peer, .peer_port, .icookie, .rcookie, .spi_in, .spi_out,
	      .remote_tunnel, .remote_session, .pppd_pid]) | unique
	  | if length != 1 then "FAIL the records of \($t)/\($s) differ in their identifiers" else empty end ),
	"IDS \($recs[0].peer) \($recs[0].icookie) \($recs[0].spi_in) \($recs[0].spi_out) \($recs[0].remote_tunnel) \($recs[0].pppd_pid) \($recs | map(.event) | join(","))"
	end'
slog_check_ids() { # TID SID
	_o=$(jq -s -r --argjson t "${1:-0}" --argjson s "${2:-0}" "$slog_ids_jq" "$SESSLOG" 2>&1)
	echo "$_o" | sed -n 's/^FAIL /session log: /p' | while IFS= read -r _l; do fail "$_l"; done
	# shellcheck disable=SC2046 # seven words
	set -- $(echo "$_o" | sed -n 's/^IDS //p')
	[ $# -eq 7 ] || { fail "session log: no identifiers of session ${1:-?}"; return; }
	metric slog_session_ids "peer=$1 icookie=$2 spi=$3/$4 remote_tunnel=$5 pppd=$6 events=$7"
	# ikd installed these SPIs; the cookies are on the wire; l2tpd
	# logged the tunnel with this peer and started this pppd
	_ikl=$E2E_STATE/server/run/ikd.log
	grep -q "esp in 0x$3 out 0x$4: ESP SAs installed" "$_ikl" ||
		fail "session log: SPIs $3/$4 are not a pair ikd installed"
	tcpdump -n -vv -r "$E2E_OUT/server-eth0.pcap" 'udp port 500 or udp port 4500' 2> /dev/null |
		grep -q "cookie $2->" || fail "session log: icookie $2 not on the wire"
	grep -q "pppd=$6 " "$E2E_STATE/server/run/l2tpd.log" ||
		fail "session log: pppd_pid $6 not in l2tpd's log"
	grep -q "tunnel=[0-9]*/$5 session=" "$E2E_STATE/server/run/l2tpd.log" ||
		fail "session log: remote tunnel $5 not in l2tpd's log"
}

# hang up the client's pppd and wait for end record number N
client_hangup() { # N
	_pid=$(cat "$E2E_STATE/client/run/ppp0.pid" 2> /dev/null)
	if [ -z "$_pid" ] || ! kill "$_pid" 2> /dev/null; then
		fail "client: no pppd to hang up"
	fi
	wait_for 15 "session end record $1" slog_has_ends "$1"
}
slog_has_ends() { [ "$(slog_count end)" -ge "$1" ]; }

# bytes iperf3 moved (receiver line, "-f m": MBytes) -> integer bytes
iperf_bytes() { # NAME
	awk '/receiver/ { printf "%d\n", $5 * 1048576 }' \
		"$E2E_OUT/iperf3-$1.txt" 2> /dev/null
}

ours_checks() {
	# no session (the cleartext scenario): nothing to account for; the
	# scenario's own checks decide whether there should have been one
	if ! grep -q '"event":"start"' "$SESSLOG" 2> /dev/null; then
		log "server l2tpd: no session was started"
		metric l2tpd_sessions_started 0
		ours_reregister
		return 0
	fi
	if [ "${PEER_DEAD:-0}" = 1 ]; then
		# the client vanished; the session ended without it
		wait_for 15 "session end record" slog_has_ends 1 || return 0
		_cause=$(slog_get end cause)
		metric l2tpd_end_cause "$_cause"
		case $_cause in "peer dead"*) ;; *) fail "session end cause '$_cause', want 'peer dead ...'" ;; esac
	else
		# the client's pppd hangs up; ours follows, then l2tpd sends CDN
		_ends=$(($(slog_count end) + 1))
		client_hangup "$_ends" || return 0
		_cause=$(slog_get end cause)
		metric l2tpd_end_cause "$_cause"
		case $_cause in pppd*) ;; *) fail "session end cause '$_cause'" ;; esac
	fi
	_user=$(slog_get end user)
	_addr=$(slog_get end address)
	_in=$(slog_get end bytes_in)
	_out=$(slog_get end bytes_out)
	metric l2tpd_end_user_addr "$_user/$_addr"
	metric l2tpd_end_bytes_in_out "$_in/$_out"
	[ "$_user" = e2euser ] || fail "session log: user '$_user'"
	case $_addr in 203.0.113.*) ;; *) fail "session log: address '$_addr'" ;; esac
	slog_check_ids "$(slog_get end local_tunnel)" "$(slog_get end local_session)"
	_ipf_up=$(iperf_bytes up)
	_ipf_down=$(iperf_bytes down)
	if [ -n "$_ipf_up" ] && [ -n "$_ipf_down" ]; then
		metric iperf_up_down_bytes "$_ipf_up/$_ipf_down"
		# TCP: the session carried iperf3's payload plus headers, ACKs,
		# pings; the exact comparison is the UDP session below
		[ "${_in:-0}" -ge "$_ipf_up" ] || fail "session bytes_in $_in < iperf3 up $_ipf_up"
		[ "${_out:-0}" -ge "$_ipf_down" ] || fail "session bytes_out $_out < iperf3 down $_ipf_down"
		ours_acct_session
	else
		if [ "${_in:-0}" -eq 0 ] || [ "${_out:-0}" -eq 0 ]; then
			fail "session log: no byte counts ($_in/$_out)"
		fi
	fi
	cp "$SESSLOG" "$E2E_OUT/sessions.jsonl" 2> /dev/null
	sed 's/^/  server sessions: /' "$SESSLOG"
	ours_reregister
}

# --no-ikd (scenario cleartext-noikd): l2tpd ran without ikd, so no L2TP
# policy of ours existed; the cleartext L2TP must still have been dropped
# by the kernel (l2tpd's socket policy, kdp_require_esp), and l2tpd must
# have said loudly that ikd is missing.
server_no_ikd_checks() { # MISMATCH_DELTA TRIED
	_np=$(in_host server ip xfrm policy 2> /dev/null | grep -c 'dport 1701')
	metric server_l2tp_policies_without_ikd "$_np"
	[ "$_np" -eq 0 ] || fail "$_np L2TP policies in the kernel although ikd never ran (test broken)"
	[ "$1" -ge "$2" ] ||
		fail "XfrmInTmplMismatch rose by $1 for $2 cleartext L2TP packets: l2tpd's socket did not drop them"
	_w=$(grep -c 'ikd is not reachable' "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null)
	metric l2tpd_ikd_absent_warnings "${_w:-0}"
	[ "${_w:-0}" -ge 1 ] || fail "l2tpd did not warn that ikd is absent"
}

# --peer-dead: within $1 s of the client vanishing, l2tpd ends the session
# (end record), asks ikd to drop the peer and ikd does so; l2tpd's pppd
# for the session is gone
server_peer_dead_wait() { # SECS
	wait_for "$1" "session end record (peer dead)" slog_has_ends 1 || return 1
	_l=$E2E_STATE/server/run/l2tpd.log
	grep -q 'peer does not acknowledge' "$_l" ||
		fail "l2tpd did not log the dead peer"
	dropped() { grep -q 'ikd dropped the dead peer' "$_l"; }
	wait_for 5 "l2tpd: ikd dropped the peer's SAs" dropped ||
		fail "l2tpd: no answer from ikd to the drop"
	grep 'dead peer\|does not acknowledge' "$_l" | sed 's/^/  server l2tpd: /'
	grep 'dropped on request\|drop .*: dropped' "$E2E_STATE/server/run/ikd.log" |
		sed 's/^/  server ikd: /'
	_p=$(slog_get end pppd_pid)
	metric peer_dead_pppd_pid "$_p"
	pppd_gone() { ! kill -0 "$_p" 2> /dev/null; }
	[ -n "$_p" ] && wait_for 10 "server pppd $_p gone" pppd_gone ||
		fail "the server's pppd ${_p:-?} of the dead session is still running"
	return 0
}

# ---- accounting: a second session that carries only iperf3 UDP ----
# Hang-up done, the client dials again (a new L2TP session, a new pppd);
# iperf3 sends datagrams of ACCT_LEN bytes at ACCT_RATE for ACCT_SECS
# each way and nothing else runs over the session but iperf3's own TCP
# control connection and PPP's IPCP. pppd's counters (ppp_generic: IP
# bytes, the 2-byte PPP protocol field not counted) must then match
#   expected = datagrams * (ACCT_LEN + 28)      (IPv4 20 + UDP 8)
# within 1 % each way: bytes_in against what the client sent (up),
# bytes_out against what the server sent (down, -R). Lost datagrams
# widen the window down to what arrived (iperf3's receiver numbers).
# packets_in/out: the datagrams plus at most ACCT_PKTS_EXTRA others
# (iperf3's TCP control connections, one ping, IPCP). In UML iperf3's
# UDP reaches only 1300-6700 datagrams in 4 s whatever the rate, so
# those ~40 packets are ~2 % of the count, a fixed allowance instead.
ACCT_LEN=1200
ACCT_RATE=${E2E_ACCT_RATE:-40M}
ACCT_SECS=4
ACCT_PKTS_EXTRA=100
SERVER_POOL_FIRST=203.0.113.10

acct_iperf() { # NAME [-R]
	in_host client timeout $((ACCT_SECS + 20)) iperf3 -c "$SERVER_PPP_IP" -u \
		-l "$ACCT_LEN" -b "$ACCT_RATE" -t "$ACCT_SECS" -J "$@" \
		> "$E2E_OUT/iperf3-acct-$1.json" 2>&1
}

# acct_compare DIR COUNTED_BYTES COUNTED_PKTS JSON
acct_compare() {
	_j=$E2E_OUT/iperf3-acct-$1.json
	# shellcheck disable=SC2046 # four numbers
	set -- "$1" "$2" "$3" $(jq -r '.end | "\(.sum_sent.packets) \(.sum_received.packets) \(.sum_sent.bytes) \(.sum_received.bytes)"' "$_j" 2> /dev/null)
	if [ $# -ne 7 ] || [ "$4" = null ] || [ "$5" = null ]; then
		fail "accounting: no iperf3 result for $1 ($_j)"
		return
	fi
	_hi=$(($6 + 28 * $4)) # what the sender sent
	_lo=$(($7 + 28 * $5)) # what the receiver got
	metric "acct_${1}_iperf_sent_recv_dgrams" "$4/$5"
	metric "acct_${1}_expected_ip_bytes" "$_hi"
	metric "acct_${1}_session_bytes_pkts" "$2/$3"
	metric "acct_${1}_ratio" "$(awk -v a="$2" -v b="$_hi" 'BEGIN { printf "%.4f", a / b }')"
	metric "acct_${1}_pkts_ratio" "$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.4f", a / b }')"
	[ "$4" -gt 1000 ] || fail "accounting $1: only $4 datagrams sent (test broken)"
	# within 1 %: 100 * counted in [99 * lo, 101 * hi]
	if [ $((100 * $2)) -lt $((99 * _lo)) ] || [ $((100 * $2)) -gt $((101 * _hi)) ]; then
		fail "accounting $1: session counted $2 bytes, iperf3 $_lo..$_hi IP bytes (not within 1 %)"
	fi
	# packets: the datagrams plus the few of iperf3's two TCP control
	# connections, the ping and IPCP (~40 each way in the lab): at most
	# ACCT_PKTS_EXTRA more, none fewer (less 1 %)
	metric "acct_${1}_pkts_extra" "$(($3 - $4))"
	if [ $((100 * $3)) -lt $((99 * $5)) ] || [ "$3" -gt $(($4 + ACCT_PKTS_EXTRA)) ]; then
		fail "accounting $1: session counted $3 packets, iperf3 $5..$4 datagrams (+ at most $ACCT_PKTS_EXTRA others)"
	fi
}

ours_acct_session() {
	_ends=$(slog_count end)
	_starts=$(slog_count start)
	_old_ifaddr=$(slog_get end address)
	# the old session's interface and address are gone on the server
	if in_host server ip -4 -o addr 2> /dev/null | grep -q "peer $_old_ifaddr/"; then
		fail "server: a ppp interface still peers with $_old_ifaddr after the hang-up"
	fi
	client_l2tp_redial || { fail "re-dial (l2tp-control)"; return; }
	wait_for 30 "client ppp0 address (second session)" ppp0_has_addr || return
	_addr2=$(in_host client ip -4 -o addr show dev ppp0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
	metric acct_session2_address "$_addr2"
	[ "$(slog_count start)" -eq $((_starts + 1)) ] || fail "session log: no start record of the second session"
	# the user's address came back to the pool and is handed out again
	[ "$_addr2" = "$_old_ifaddr" ] || fail "second session got $_addr2, want $_old_ifaddr back (released by the first)"
	first_ping || { fail "no ping over the second session"; return; }
	"$TOPO" exec server iperf3 -s -B "$SERVER_PPP_IP" > "$E2E_STATE/server/iperf3-acct-server.log" 2>&1 &
	_ipid=$!
	if wait_for 10 "iperf3 server (accounting)" iperf_listening; then
		acct_iperf up || fail "iperf3 UDP up"
		acct_iperf down -R || fail "iperf3 UDP down"
	fi
	kill "$_ipid" 2> /dev/null
	wait "$_ipid" 2> /dev/null
	client_hangup $((_ends + 1)) || return
	acct_compare up "$(slog_get end bytes_in)" "$(slog_get end packets_in)"
	acct_compare down "$(slog_get end bytes_out)" "$(slog_get end packets_out)"
	[ "$(slog_get end address)" = "$_addr2" ] || fail "session log: second end record address '$(slog_get end address)', client had $_addr2"
	slog_check_ids "$(slog_get end local_tunnel)" "$(slog_get end local_session)"
}

# ---- wrong-password (scenario.sh --wrong-password): the client's pppd
# failed MS-CHAPv2; called before its correct re-dial ----
server_wrong_password_check() {
	wait_for 15 "session log: auth-fail record" slog_has_auth_fail || return 1
	wait_for 15 "session log: end record of the failed session" slog_has_ends 1 || return 1
	_r=$(grep '"event":"auth-fail"' "$SESSLOG" | tail -n 1)
	_u=$(rec_get "$_r" user)
	_c=$(rec_get "$_r" cause)
	metric auth_fail_user_cause "$_u/$_c"
	[ "$_u" = e2euser ] || fail "auth-fail record: user '$_u', want e2euser"
	[ -n "$_c" ] || fail "auth-fail record has no cause"
	[ -z "$(rec_get "$_r" address)" ] || fail "auth-fail record carries an address"
	[ "$(slog_count ip-up)" -eq 0 ] || fail "session log: an ip-up record after a wrong password"
	[ "$(slog_count auth-ok)" -eq 0 ] || fail "session log: an auth-ok record after a wrong password"
	_e=$(grep '"event":"end"' "$SESSLOG" | tail -n 1)
	_ea=$(rec_get "$_e" address)
	metric auth_fail_end_address "${_ea:-none}"
	metric auth_fail_end_cause "$(rec_get "$_e" cause)"
	[ -z "$_ea" ] || fail "the failed session's end record has address $_ea"
	slog_check_ids "$(rec_get "$_r" local_tunnel)" "$(rec_get "$_r" local_session)"
	# l2tpd's text line: peer, tunnel and session ids, user
	_l=$(grep 'event=auth-fail' "$E2E_STATE/server/run/l2tpd.log" | tail -n 1)
	echo "  server l2tpd: ${_l#* * }"
	_lt=$(rec_get "$_r" local_tunnel) _rt=$(rec_get "$_r" remote_tunnel)
	_ls=$(rec_get "$_r" local_session) _rs=$(rec_get "$_r" remote_session)
	case $_l in *" peer=$(rec_get "$_r" peer):"*) ;; *) fail "l2tpd's auth-fail line does not name the peer" ;; esac
	case $_l in *" tunnel=$_lt/$_rt "*) ;; *) fail "l2tpd's auth-fail line does not carry tunnel $_lt/$_rt" ;; esac
	case $_l in *" session=$_ls/$_rs "*) ;; *) fail "l2tpd's auth-fail line does not carry session $_ls/$_rs" ;; esac
	case $_l in *" user=e2euser"*) ;; *) fail "l2tpd's auth-fail line does not name the user" ;; esac
	case $_l in *e2e-pass*) fail "l2tpd's auth-fail line contains a password" ;; esac
	grep -q 'e2e-pass' "$SESSLOG" && fail "the session log contains a password"
	# nothing of the pool in use: no ppp interface with a pool address
	if in_host server ip -4 -o addr 2> /dev/null | grep -q ' peer 203\.0\.113\.'; then
		fail "server: a ppp interface with a pool address after the failed login"
	fi
	return 0
}
slog_has_auth_fail() { grep -q '"event":"auth-fail"' "$SESSLOG" 2> /dev/null; }

# ikd restarts: l2tpd registers again at once (with --no-ikd: ikd starts
# for the first time and l2tpd registers)
ours_reregister() {
	# registrations so far (0 with --no-ikd, 2 after a restart scenario)
	_nreg=$(grep -c 'registered with ikd' "$E2E_STATE/server/run/l2tpd.log" 2> /dev/null)
	if [ -n "$IKD_PID" ]; then
		kill "$IKD_PID" 2> /dev/null
		wait "$IKD_PID" 2> /dev/null
	fi
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
