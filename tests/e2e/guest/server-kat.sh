# shellcheck shell=sh
# guest/server-kat.sh -- server side "kat": the reference stack of
# guest/server-ref.sh (strongSwan responder + xl2tpd + pppd), with
# ref/server-kat/etc laid over ref/server/etc: charon logs its IKEv1 key
# material (DH secret, SKEYID*, Ka, IVs, HASH_I/R, KEYMAT) and accepts a
# few more suites. Used only to record known-answer vectors
# (tests/vectors/record-lab-kat.sh); the default scenarios never load it.
# Every other function is server-ref.sh's.
# shellcheck source=tests/e2e/guest/server-ref.sh
. "$E2E_GUEST/server-ref.sh"

server_stage() {
	"$TOPO" etc server "$E2E_DIR/ref/server/etc" &&
		"$TOPO" etc server "$E2E_DIR/ref/server-kat/etc" || return 1
	chmod 600 "$E2E_STATE/server/etc/ipsec.secrets" "$E2E_STATE/server/etc/ppp/chap-secrets"
}
