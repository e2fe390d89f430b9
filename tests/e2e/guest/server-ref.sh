# shellcheck shell=sh
# shellcheck disable=SC2034 # SERVER_PPP_IP is read by guest/scenario.sh
# guest/server-ref.sh -- server side "ref": the reference stack, i.e.
# strongSwan charon (IKEv1 PSK responder, transport mode, UDP/1701) +
# xl2tpd LNS + pppd (require-mschap-v2), configs in tests/e2e/ref/server/etc.
#
# A server module is sourced by guest/scenario.sh (--server NAME loads
# guest/server-NAME.sh) and provides, all run from the root namespace:
#   SERVER_PPP_IP      the server's PPP address (the client pings it)
#   server_stage       stage the server's /etc (topology etc server DIR);
#                      called before `topology up server`
#   server_start       start the daemons in host "server"; non-zero = failure
#   server_wait_ready  poll (deadline) until they accept clients; non-zero = failure
#   server_info        print what was negotiated (informational)
#   server_collect DIR copy logs and state into DIR
#   server_stop        graceful stop, if the daemons need one; called before
#                      server_collect (the scenario then SIGTERMs/SIGKILLs
#                      whatever still runs in the host)
# Our own daemons (ikd + l2tpd) get a guest/server-ikd.sh with the same
# functions; the scenario's checks stay the same.

SERVER_PPP_IP=203.0.113.1

server_stage() {
	"$TOPO" etc server "$E2E_DIR/ref/server/etc" || return 1
	chmod 600 "$E2E_STATE/server/etc/ipsec.secrets" "$E2E_STATE/server/etc/ppp/chap-secrets"
}

server_start() {
	# The reference LNS accepts L2TP that bypassed IPsec (a transport policy
	# with auto=add protects nothing until an SA exists, and xl2tpd does not
	# check). Harden it the usual way: drop UDP/1701 that xfrm did not decrypt.
	in_host server iptables-legacy -A INPUT -p udp --dport 1701 \
		-m policy --dir in --pol none -j DROP || {
		fail "server: iptables policy rule"
		return 1
	}
	in_host server ipsec start > "$E2E_STATE/server/ipsec-start.log" 2>&1 || {
		fail "server: ipsec start"
		return 1
	}
	in_host server sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
	return 0
}

server_wait_ready() {
	wait_for 15 "server charon" in_host server ipsec status &&
		wait_for 15 "server xl2tpd" test -p "$E2E_STATE/server/run/xl2tpd/l2tp-control"
}

server_info() {
	grep -o 'selected proposal: .*' "$E2E_STATE/server/run/charon.log" 2> /dev/null |
		sort -u | sed 's/^/  server charon: /'
	grep -m1 'remote host is behind NAT' "$E2E_STATE/server/run/charon.log" 2> /dev/null |
		sed 's/^.*\] /  server charon: /'
	return 0
}

# ---- certificates (guest/cert.sh), to try the clients' side against
# the reference: charon authenticates with the server certificate, trusts
# the CA, loads the CRL (/etc/ipsec.d/crls) and takes any subject ----
server_set_cert() { # PKI
	_e=$E2E_STATE/server/etc
	_st=$E2E_STATE/server/cert-etc
	rm -rf "$_st"
	mkdir -p "$_st/ipsec.d/cacerts" "$_st/ipsec.d/certs" "$_st/ipsec.d/private" "$_st/ipsec.d/crls" &&
		cp "$1/ca.crt" "$_st/ipsec.d/cacerts/e2e-ca.crt" &&
		cp "$1/server.crt" "$_st/ipsec.d/certs/" &&
		cp "$1/server.key" "$_st/ipsec.d/private/" &&
		cp "$1/crl.pem" "$_st/ipsec.d/crls/e2e.crl" || return 1
	sed -i -e 's/^conn L2TP-PSK$/conn L2TP-CERT/' -e 's/^    authby=secret$/    authby=rsasig\n    leftcert=server.crt\n    leftid="CN=vpn.e2e.test"/' \
		"$_e/ipsec.conf" && grep -q '^    leftcert=server.crt$' "$_e/ipsec.conf" || return 1
	echo ': RSA server.key' > "$_e/ipsec.secrets"
	chmod 600 "$_e/ipsec.secrets"
	"$TOPO" etc server "$_st"
}

server_collect() {
	in_host server ipsec statusall > "$1/ipsec-statusall.txt" 2>&1
	return 0
}

# nothing to do for the reference stack: the scenario stops every process of
# the host after collecting (SIGTERM, then SIGKILL)
server_stop() {
	return 0
}

# cert-refused against the reference (guest/cert.sh; a try-out of the
# client side only: charon has no cert_allow, so it accepts "intruder"
# and the scenario fails there): charon's refusal, and the client's
# certificate did arrive
SERVER_CERT_LOG=$E2E_STATE/server/run/charon.log
SERVER_CERT_REFUSED="no trusted RSA public key found for"
SERVER_CERT_ESTABLISHED="IKE_SA L2TP-CERT\[[0-9]*\] established"
server_cert_refused_check() { # LINE COOKIES SUBJECT ISSUER REASON
	case $1 in *"found for '$3'"*) ;; *) fail "$3: charon's refusal names another peer: $1" ;; esac
	grep -q "received end entity cert \"$3\"" "$SERVER_CERT_LOG" ||
		fail "$3: the client did not send its certificate"
	grep "$3\"\\|'$3'" "$SERVER_CERT_LOG" | sed 's/^/  server charon: /'
}
