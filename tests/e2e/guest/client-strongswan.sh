# shellcheck shell=sh
# guest/client-strongswan.sh -- IKE side of the client "strongswan":
# strongSwan charon as IKEv1 PSK initiator standing in for the Windows
# built-in client (modp1024 proposals only), configs in
# tests/e2e/ref/client/etc. The L2TP/PPP part (xl2tpd LAC + pppd MS-CHAPv2)
# is common to all clients and lives in guest/scenario.sh.
#
# A client module is sourced by guest/scenario.sh (--client NAME loads
# guest/client-NAME.sh) and provides, all run from the root namespace:
#   client_stage      stage the client's /etc (before `topology up client`)
#   client_prepare    anything needed in the client namespace after `up`
#   client_ike_start  start the IKE daemon and wait (deadline) until it answers
#   client_ike_up     bring the L2TP-PSK connection up; non-zero = failure
#                     (the scenario then also requires ESP SAs in the kernel)
#   client_collect DIR  copy logs and state into DIR
#   client_ike_down   take the connection down (its SAs gone); for re-dials
#   client_set_proposal IKE ESP  propose exactly these (after client_stage)
#   client_set_psk PSK           use this PSK instead (after client_stage)
# They act on lab host $CLIENT_HOST (default "client"); the restart2
# scenario (guest/second-client.sh) runs them once more for "client2".

CLIENT_HOST=${CLIENT_HOST:-client}

client_stage() {
	"$TOPO" etc "$CLIENT_HOST" "$E2E_DIR/ref/client/etc" || return 1
	chmod 600 "$E2E_STATE/$CLIENT_HOST/etc/ipsec.secrets" "$E2E_STATE/$CLIENT_HOST/etc/ppp/chap-secrets"
}

client_prepare() {
	return 0
}

client_ike_start() {
	in_host "$CLIENT_HOST" ipsec start > "$E2E_STATE/$CLIENT_HOST/ipsec-start.log" 2>&1 || {
		fail "$CLIENT_HOST: ipsec start"
		return 1
	}
	wait_for 15 "$CLIENT_HOST charon" in_host "$CLIENT_HOST" ipsec status
}

client_ike_up() {
	# `ipsec up` (stroke) exits 0 even when IKE failed: the scenario counts
	# the ESP SAs afterwards.
	in_host "$CLIENT_HOST" timeout 60 ipsec up L2TP-PSK > "$E2E_STATE/$CLIENT_HOST/ipsec-up.log" 2>&1
}

client_ike_down() {
	in_host "$CLIENT_HOST" timeout 20 ipsec down L2TP-PSK > "$E2E_STATE/$CLIENT_HOST/ipsec-down.log" 2>&1
}

# the staged copies are edited before `topology up` binds them
client_set_proposal() {
	_cf=$E2E_STATE/$CLIENT_HOST/etc/ipsec.conf
	sed -i -e "s/^\([[:space:]]*\)ike=.*/\1ike=$1!/" \
		-e "s/^\([[:space:]]*\)esp=.*/\1esp=$2!/" "$_cf" &&
		grep -q "^[[:space:]]*ike=$1!\$" "$_cf" && grep -q "^[[:space:]]*esp=$2!\$" "$_cf"
}

# Rekey ESP (Quick Mode) 20 s and the ISAKMP SA (charon's IKEv1 reauth, a
# new Main Mode) 30 s after they are up; ikd's lifetime floor is 300 s.
# Equal times make charon drop the CHILD_SA rekey during the reauth.
client_set_rekey() {
	_cf=$E2E_STATE/$CLIENT_HOST/etc/ipsec.conf
	sed -i "/^conn L2TP-PSK/a\\
    ikelifetime=310s\\
    keylife=300s\\
    margintime=280s\\
    rekeyfuzz=0%" "$_cf" && grep -q '^    margintime=280s$' "$_cf"
}

client_set_psk() {
	sed -i "s/: PSK \".*\"/: PSK \"$1\"/" "$E2E_STATE/$CLIENT_HOST/etc/ipsec.secrets" &&
		grep -q ": PSK \"$1\"" "$E2E_STATE/$CLIENT_HOST/etc/ipsec.secrets"
}

client_collect() {
	in_host "$CLIENT_HOST" ipsec statusall > "$1/ipsec-statusall.txt" 2>&1
	return 0
}
