# shellcheck shell=sh
# shellcheck disable=SC2034,SC2317 # WP_* read by scenario.sh; wp_ping through wait_for
# guest/wrong-password.sh -- scenario.sh --wrong-password, sourced by
# guest/scenario.sh (kept apart from its other sections).
#
# IKE comes up as usual; the client's pppd then offers a wrong MS-CHAPv2
# password. Passes only if the client is refused (no address on ppp0,
# pppd logs the CHAP failure), the server module's
# server_wrong_password_check accepts its own evidence (server-ours.sh:
# an auth-fail record with user and cause, no ip-up, an end record
# without address, l2tpd's log line naming peer, tunnel, session and
# user, no pool address on any server interface), and a following dial
# with the right password gets the pool's first address (nothing was
# handed out or leaked) and pings.

WP_WRONG=e2e-pass-WRONG
WP_RIGHT=e2e-pass

# the client's MS-CHAPv2 secret (/etc/ppp is a bind of the staged copy)
client_set_ppp_password() { # PASSWORD
	_cs=$E2E_STATE/client/etc/ppp/chap-secrets
	sed -i "s/^\(e2euser[[:space:]]*\*[[:space:]]*\)\"[^\"]*\"/\1\"$1\"/" "$_cs" &&
		grep -q "^e2euser[[:space:]]*\*[[:space:]]*\"$1\"" "$_cs"
}

# xl2tpd keeps the LAC's tunnel after its pppd exits and refuses "c e2e"
# ("Session 'e2e' already active!"): close it first, then dial
client_l2tp_redial() {
	_xl=$E2E_STATE/client/run/xl2tpd.log
	_n=$(grep -c 'Connection closed to' "$_xl" 2> /dev/null)
	in_host client sh -c 'echo "d e2e" > /run/xl2tpd/l2tp-control' || return 1
	_end=$(($(now_cs) + 500))
	while [ "$(grep -c 'Connection closed to' "$_xl" 2> /dev/null)" -le "${_n:-0}" ] &&
		[ "$(now_cs)" -lt "$_end" ]; do
		sleep 0.2
	done
	in_host client sh -c 'echo "c e2e" > /run/xl2tpd/l2tp-control'
}

wp_client_refused() { grep -q 'CHAP authentication failed' "$E2E_STATE/client/run/pppd.log" 2> /dev/null; }
wp_client_pppd_gone() { ! in_host client pgrep -x pppd > /dev/null 2>&1; }

wrong_password_run() {
	command -v server_wrong_password_check > /dev/null 2>&1 ||
		die_now "server $SERVER keeps no session log to check a wrong password against (wrong-password needs --server ours)"
	in_host client sh -c 'echo "c e2e" > /run/xl2tpd/l2tp-control' || die_now "dial (l2tp-control)"
	TD=$(now_cs)
	wait_for 30 "client pppd: CHAP authentication failed" wp_client_refused || exit 1
	metric dial_to_auth_fail_s "$(since "$TD")"
	grep -m1 'rcvd \[CHAP Failure' "$E2E_STATE/client/run/pppd.log" | sed 's/^/  client pppd: /'
	wait_for 15 "client pppd exits" wp_client_pppd_gone || fail "client pppd still running after the CHAP failure"
	ppp0_has_addr && fail "client ppp0 has an address after a wrong password"
	server_wrong_password_check || fail "server: no evidence of the failed login"
	# the right password: the pool's first address, i.e. none was taken
	client_set_ppp_password "$WP_RIGHT" || die_now "client: cannot restore the password"
	client_l2tp_redial || die_now "re-dial (l2tp-control)"
	TD=$(now_cs)
	wait_for 30 "client ppp0 address (right password)" ppp0_has_addr || exit 1
	metric dial_to_ppp_s "$(since "$TD")"
	_a=$(in_host client ip -4 -o addr show dev ppp0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
	metric address_after_auth_fail "$_a"
	[ "$_a" = "${SERVER_POOL_FIRST:-203.0.113.10}" ] ||
		fail "the right password got $_a, want the pool's first address ${SERVER_POOL_FIRST:-203.0.113.10} (the failed login took one)"
	wp_ping() { in_host client ping -n -c 1 -W 1 -I ppp0 "$SERVER_PPP_IP"; }
	wait_for 20 "ping over ppp0 (right password)" wp_ping || exit 1
	metric dial_to_ping_s "$(since "$TD")"
	server_info
}
