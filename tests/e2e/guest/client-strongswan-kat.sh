# shellcheck shell=sh
# guest/client-strongswan-kat.sh -- client "strongswan-kat": the strongSwan
# initiator of guest/client-strongswan.sh (Windows-like proposals,
# ref/client/etc) with charon logging its IKEv1 key material, using the
# strongswan.conf of ref/server-kat/etc. Only for recording known-answer
# vectors against our own ikd (tests/vectors/record-lab-kat.sh, run
# "ikd-*"): charon's logged SKEYID & co. must equal what ikd derived.
#   KAT_IKE  replaces the phase 1 proposal (ike=, strongSwan syntax, e.g.
#            "3des-sha1-modp1024!"); default: ref/client's
#   KAT_ESP  replaces the ESP proposal (esp=); default: unchanged
# shellcheck source=tests/e2e/guest/client-strongswan.sh
. "$E2E_GUEST/client-strongswan.sh"

client_stage() {
	"$TOPO" etc client "$E2E_DIR/ref/client/etc" || return 1
	cp "$E2E_DIR/ref/server-kat/etc/strongswan.conf" "$E2E_STATE/client/etc/strongswan.conf" || return 1
	chmod 600 "$E2E_STATE/client/etc/ipsec.secrets" "$E2E_STATE/client/etc/ppp/chap-secrets"
	_conf=$E2E_STATE/client/etc/ipsec.conf
	if [ -n "${KAT_IKE:-}" ]; then
		sed -i "s/^\( *ike=\).*/\1$KAT_IKE/" "$_conf" || return 1
	fi
	if [ -n "${KAT_ESP:-}" ]; then
		sed -i "s/^\( *esp=\).*/\1$KAT_ESP/" "$_conf" || return 1
	fi
	grep -E '^ *(ike|esp)=' "$_conf" | sed 's/^ */  client-strongswan-kat: /'
}
