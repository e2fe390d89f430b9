# shellcheck shell=sh
# guest/second-client.sh -- the second client of the `restart2` scenario
# (scenario.sh --restart --second-client, topology `direct --client2`):
# issue 4's acceptance "ikd killed and restarted while a session is up:
# the policy comes back, a second client can then dial in". Sourced by
# guest/scenario.sh; needs --server ours (l2tpd's JSON session log and
# its registration with ikd) and --client strongswan (a client module
# that honours CLIENT_HOST).
#
# Host client2 (192.0.2.3, same Ethernet as client 192.0.2.2 and server
# 192.0.2.1) runs the same client as host client: ref/client/etc staged
# as its own /etc (same PSK, same PPP account e2euser: l2tpd and the
# plugin allow several sessions of one user), its own /run, its own
# charon, xl2tpd (LAC) and pppd.
#
#   second_client_stage  stage client2's /etc (before `topology up`)
#   second_client_check  after scenario.sh 9b (ikd SIGKILLed and
#                        restarted, policy back, no orphan SAs, client 1
#                        re-dialled IKE and pings again over its ppp0):
#     - l2tpd registered again with the restarted ikd (exactly 2
#       "registered with ikd" lines), <= 1 s after that ikd was ready;
#     - session 1 survived: no "end" record in the session log, client
#       1's ppp0 address unchanged;
#     - client2 dials from scratch: IKE (2 ESP SAs in its kernel, 4 SAs of
#       ikd's reqid range in the server's), L2TP + PPP (ppp0 address),
#       first ping reply; 5 pings without loss, its ESP counters rise;
#     - client2's pppd negotiated MS-CHAPv2 and got a pool address other
#       than client 1's; the restarted ikd logs an ISAKMP SA of 192.0.2.3;
#     - the session log has a start and an ip-up record of peer
#       192.0.2.3 with client2's address, and client 1's ip-up record
#       (peer 192.0.2.2) has another address;
#     - with both sessions up, client 1 still pings (5, no loss).
#   Metrics: client2_ike_up_s, client2_dial_to_ppp_s (L2TP dial to
#   address), client2_dial_to_ping_s (`ipsec up` to the first ping reply:
#   the whole dial from scratch), client2_start_to_ping_s (from its
#   charon's start), client1_client2_addr, session1_end_records.

# as_client2 CMD...: run a client module function for host client2
as_client2() {
	_c2_save=$CLIENT_HOST
	CLIENT_HOST=client2
	"$@"
	_c2_rc=$?
	CLIENT_HOST=$_c2_save
	return $_c2_rc
}

second_client_stage() {
	command -v l2tpd_registered > /dev/null 2>&1 || {
		fail "restart2 needs --server ours (l2tpd's session log and registration)"
		return 1
	}
	[ "$CLIENT" = strongswan ] || {
		fail "restart2 needs --client strongswan (client module with CLIENT_HOST)"
		return 1
	}
	as_client2 client_stage
}

# ppp0_addr H: the local IPv4 address of H's ppp0 (empty if none)
ppp0_addr() {
	in_host "$1" ip -4 -o addr show dev ppp0 2> /dev/null |
		sed -n 's/.* inet \([0-9.]*\) .*/\1/p'
}

c2_has_ppp0() { [ -n "$(ppp0_addr client2)" ]; }
c2_first_ping() { in_host client2 ping -n -c 1 -W 1 -I ppp0 "$SERVER_PPP_IP"; }
server_has_4_sas() { [ "$(ours_sa_count)" -ge 4 ]; }

# slog_peer EV PEER KEY: KEY of the last EV record of PEER in the session log
slog_peer() {
	grep "\"event\":\"$1\"" "$SESSLOG" 2> /dev/null | grep "\"peer\":\"$2\"" |
		tail -n 1 | sed -n "s/.*\"$3\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

second_client_check() {
	_l2log=$E2E_STATE/server/run/l2tpd.log
	# ---- l2tpd and the restarted ikd ----
	wait_for 5 "l2tpd registered with the restarted ikd" l2tpd_registered 2 || return 1
	_nreg=$(grep -c 'registered with ikd' "$_l2log")
	metric l2tpd_registrations "$_nreg"
	[ "$_nreg" -eq 2 ] || fail "l2tpd registered $_nreg times, want 2 (start, restart)"
	_a=$(grep 'ikd started' "$SERVER_IKE_LOG" | log_ms)
	_b=$(grep 'registered with ikd' "$_l2log" | log_ms)
	if [ -n "$_a" ] && [ -n "$_b" ]; then
		metric l2tpd_reregister_after_restart_ms "$((_b - _a))"
		[ $((_b - _a)) -le 1000 ] ||
			fail "l2tpd re-registered $((_b - _a)) ms after the restarted ikd was ready"
	else
		fail "no timestamps for l2tpd's re-registration with the restarted ikd"
	fi

	# ---- session 1 across the restart ----
	_a1=$(ppp0_addr client)
	_ends=$(grep -c '"event":"end"' "$SESSLOG" 2> /dev/null)
	metric session1_end_records "$_ends"
	[ "$_ends" -eq 0 ] || fail "session 1 ended across the restart ($_ends end records)"
	_ip1=$(slog_peer ip-up 192.0.2.2 address)
	{ [ -n "$_a1" ] && [ "$_a1" = "$_ip1" ]; } ||
		fail "client 1's ppp0 address '$_a1' is not its ip-up address '$_ip1'"

	# ---- client2 dials from scratch: IKE, L2TP, PPP ----
	_t0=$(now_cs)
	as_client2 client_ike_start || return 1
	in_host client2 sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
	wait_for 15 "client2 xl2tpd" test -p "$E2E_STATE/client2/run/xl2tpd/l2tp-control" || return 1
	_ti=$(now_cs)
	as_client2 client_ike_up || {
		tail -n 5 "$E2E_STATE/client2/ipsec-up.log" 2> /dev/null
		fail "client2: IKE up failed"
		return 1
	}
	_n=$(esp_sa_count client2)
	[ "$_n" -ge 2 ] || {
		tail -n 5 "$E2E_STATE/client2/ipsec-up.log" 2> /dev/null
		fail "client2: $_n ESP SAs in its kernel, want 2"
		return 1
	}
	metric client2_ike_up_s "$(since "$_ti")"
	wait_for 5 "4 SAs of ours in the server's kernel (client 1 and client2)" server_has_4_sas || return 1
	_td=$(now_cs)
	in_host client2 sh -c 'echo "c e2e" > /run/xl2tpd/l2tp-control' || {
		fail "client2: dial (l2tp-control)"
		return 1
	}
	wait_for 30 "client2 ppp0 address" c2_has_ppp0 || return 1
	metric client2_dial_to_ppp_s "$(since "$_td")"
	wait_for 20 "client2: first ping reply over ppp0" c2_first_ping || return 1
	metric client2_dial_to_ping_s "$(since "$_ti")"
	metric client2_start_to_ping_s "$(since "$_t0")"

	# ---- client2's session: addresses, pings, ESP, MS-CHAPv2 ----
	_a2=$(ppp0_addr client2)
	in_host client2 ip -4 -o addr show dev ppp0 | awk '{ print "  client2 ppp0: " $4 " peer " $6 }'
	metric client1_client2_addr "$_a1/$_a2"
	case $_a2 in 203.0.113.*) ;; *) fail "client2: ppp0 address '$_a2' not from the pool" ;; esac
	[ "$_a2" != "$_a1" ] || fail "client2 got client 1's address $_a1"
	_e0=$(esp_counter client2 2)
	in_host client2 ping -n -c 5 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > "$E2E_OUT/ping-client2.txt" 2>&1 ||
		fail "client2: ping -c 5 over ppp0"
	_e1=$(esp_counter client2 2)
	metric client2_esp_pkts_before_after_5_pings "$_e0/$_e1"
	[ "$_e1" -ge $((_e0 + 10)) ] || fail "client2: ESP packet counters rose by $((_e1 - _e0)) for 5 pings, want >= 10"
	_ppp2=$E2E_STATE/client2/run/pppd.log
	grep -q 'auth chap MS-v2' "$_ppp2" 2> /dev/null || fail "client2: MS-CHAPv2 not negotiated"
	grep -q 'CHAP authentication succeeded' "$_ppp2" 2> /dev/null || fail "client2: no CHAP success"
	grep -q 'ike#.* 192\.0\.2\.3:[0-9]*: ISAKMP SA established' "$SERVER_IKE_LOG" ||
		fail "the restarted ikd logs no ISAKMP SA of 192.0.2.3"

	# ---- the session log: client2's start and ip-up, another address ----
	grep -q '"event":"start".*"peer":"192.0.2.3"' "$SESSLOG" 2> /dev/null ||
		fail "session log: no start record of peer 192.0.2.3"
	_ip2=$(slog_peer ip-up 192.0.2.3 address)
	_u2=$(slog_peer ip-up 192.0.2.3 user)
	metric session_log_ip_up_addr_client1_client2 "${_ip1:-none}/${_ip2:-none}"
	[ "$_ip2" = "$_a2" ] || fail "session log: ip-up of 192.0.2.3 has address '$_ip2', client2's ppp0 has '$_a2'"
	[ "$_u2" = e2euser ] || fail "session log: ip-up of 192.0.2.3 has user '$_u2'"
	{ [ -n "$_ip1" ] && [ "$_ip1" != "$_ip2" ]; } ||
		fail "session log: ip-up addresses of 192.0.2.2 ('$_ip1') and 192.0.2.3 ('$_ip2') not distinct"
	grep '"peer":"192.0.2.3"' "$SESSLOG" | sed 's/^/  server sessions (client2): /'

	# ---- both sessions at once: client 1 still answers ----
	in_host client ping -n -c 5 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > "$E2E_OUT/ping-client1-with-client2.txt" 2>&1 ||
		fail "client 1: ping -c 5 over ppp0 with client2 connected"
	return 0
}
