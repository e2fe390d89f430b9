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
#   client_set_cert PKI NAME:DIR...  certificate authentication instead of
#                     the PSK (guest/cert.sh): one connection per NAME,
#                     DIR/clients/NAME.{crt,key}, PKI/ca.crt trusted
#   client_set_frag BYTES        fragment every IKE message over BYTES
# They act on lab host $CLIENT_HOST (default "client"); the restart2
# scenario (guest/second-client.sh) runs them once more for "client2".

CLIENT_HOST=${CLIENT_HOST:-client}
# the connection client_ike_up/down use (guest/cert.sh sets another)
CLIENT_CONN=${CLIENT_CONN:-L2TP-PSK}

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
	in_host "$CLIENT_HOST" timeout 60 ipsec up "$CLIENT_CONN" > "$E2E_STATE/$CLIENT_HOST/ipsec-up.log" 2>&1
}

client_ike_down() {
	in_host "$CLIENT_HOST" timeout 20 ipsec down "$CLIENT_CONN" > "$E2E_STATE/$CLIENT_HOST/ipsec-down.log" 2>&1
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

# Certificates: ipsec.conf and ipsec.secrets rewritten (the same
# proposals as the PSK connection), one conn per certificate. The server
# is known by its certificate's subject; charon sends its own certificate
# when the server asks (CERTREQ in MM4; leftsendcert=ifasked, the
# default), with its subject DN as ID.
client_set_cert() { # PKI NAME:DIR...
	_e=$E2E_STATE/$CLIENT_HOST/etc
	_st=$E2E_STATE/$CLIENT_HOST/cert-etc
	rm -rf "$_st"
	mkdir -p "$_st/ipsec.d/cacerts" "$_st/ipsec.d/certs" "$_st/ipsec.d/private" || return 1
	cp "$1/ca.crt" "$_st/ipsec.d/cacerts/e2e-ca.crt" || return 1
	shift
	cat > "$_e/ipsec.conf" << 'EOF'
# the L2TP-PSK connection (ref/client/etc/ipsec.conf) with certificates
# instead of the PSK (guest/cert.sh): one conn per client certificate
config setup
    uniqueids=no

conn %default
    keyexchange=ikev1
    authby=rsasig
    type=transport
    left=%any
    leftprotoport=17/1701
    right=192.0.2.1
    rightprotoport=17/1701
    rightid="CN=vpn.e2e.test"
    ike=aes256-sha1-modp1024,3des-sha1-modp1024!
    esp=aes256-sha1,3des-sha1!
    auto=add
EOF
	echo "# test-only keys of guest/cert.sh's PKI" > "$_e/ipsec.secrets"
	for _nd in "$@"; do
		_n=${_nd%%:*}
		_d=${_nd#*:}
		cp "$_d/clients/$_n.crt" "$_st/ipsec.d/certs/" &&
			cp "$_d/clients/$_n.key" "$_st/ipsec.d/private/" || return 1
		# an ECDSA key signs with authby=ecdsasig (RFC 4754 methods)
		if openssl pkey -in "$_d/clients/$_n.key" -noout -text 2> /dev/null | grep -q 'ASN1 OID'; then
			printf '\nconn %s\n    leftcert=%s.crt\n    authby=ecdsasig\n' "$_n" "$_n" >> "$_e/ipsec.conf"
			echo ": ECDSA $_n.key" >> "$_e/ipsec.secrets"
		else
			printf '\nconn %s\n    leftcert=%s.crt\n' "$_n" "$_n" >> "$_e/ipsec.conf"
			echo ": RSA $_n.key" >> "$_e/ipsec.secrets"
		fi
	done
	chmod 600 "$_e/ipsec.secrets" "$_st/ipsec.d/private/"*
	"$TOPO" etc "$CLIENT_HOST" "$_st"
}

# after client_set_cert: IKE fragments of at most BYTES for every message
# (IKEv1: fragmentation=force also fragments MM1)
client_set_frag() { # BYTES
	_e=$E2E_STATE/$CLIENT_HOST/etc
	sed -i 's/^conn %default$/&\n    fragmentation=force/' "$_e/ipsec.conf" &&
		sed -i "s/^charon {\$/&\n    fragment_size = $1/" "$_e/strongswan.conf" &&
		grep -q '^    fragmentation=force$' "$_e/ipsec.conf" &&
		grep -q "^    fragment_size = $1\$" "$_e/strongswan.conf"
}

client_collect() {
	in_host "$CLIENT_HOST" ipsec statusall > "$1/ipsec-statusall.txt" 2>&1
	return 0
}
