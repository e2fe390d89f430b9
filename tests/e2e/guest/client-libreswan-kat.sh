# shellcheck shell=sh
# guest/client-libreswan-kat.sh -- client "libreswan-kat": the Libreswan
# initiator of guest/client-libreswan.sh, for recording known-answer
# vectors (tests/vectors/record-lab-kat.sh) only:
#   KAT_IKE  replaces the phase 1 proposal (ike=, Libreswan syntax, e.g.
#            "aes256-sha2_256;modp2048"); default: ref/client-libreswan's
#   KAT_ESP  replaces the ESP proposal (esp=); default: unchanged
# and pluto logs its crypto with secrets (plutodebug crypt,private), a
# second independent record of SKEYID & co. next to charon's.
# shellcheck source=tests/e2e/guest/client-libreswan.sh
. "$E2E_GUEST/client-libreswan.sh"

client_stage() {
	"$TOPO" etc client "$E2E_DIR/ref/client/etc" &&
		"$TOPO" etc client "$E2E_DIR/ref/client-libreswan/etc" || return 1
	chmod 600 "$E2E_STATE/client/etc/ipsec.secrets" "$E2E_STATE/client/etc/ppp/chap-secrets"
	_conf=$E2E_STATE/client/etc/ipsec.conf
	sed -i 's/^\( *plutodebug=\).*/\1"base crypt private"/' "$_conf" || return 1
	if [ -n "${KAT_IKE:-}" ]; then
		sed -i "s/^\( *ike=\).*/\1$KAT_IKE/" "$_conf" || return 1
	fi
	if [ -n "${KAT_ESP:-}" ]; then
		sed -i "s/^\( *esp=\).*/\1$KAT_ESP/" "$_conf" || return 1
	fi
	grep -E '^ *(plutodebug|ike|esp)=' "$_conf" | sed 's/^ */  client-libreswan-kat: /'
}
