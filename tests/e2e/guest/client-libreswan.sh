# shellcheck shell=sh
# guest/client-libreswan.sh -- IKE side of the client "libreswan": Debian's
# Libreswan 4.10 pluto as a second, independent IKEv1 PSK initiator.
# Interface: see guest/client-strongswan.sh.
#
# Debian's libreswan conflicts with strongswan, so it is not installed:
# tests/e2e/setup-libreswan unpacks it into build/e2e/libreswan-root, and
# client_prepare bind-mounts its /usr/libexec/ipsec and /usr/sbin/ipsec into
# the client's mount namespace only. Configs: tests/e2e/ref/client/etc with
# tests/e2e/ref/client-libreswan/etc laid over it.
# Debian's 4.10 has no modp1024 at all; it offers modp2048, which the
# reference server accepts after its Windows (modp1024) proposals.

# the connection client_ike_start/up/down use (guest/cert.sh sets another)
CLIENT_CONN=${CLIENT_CONN:-L2TP-PSK}
LSROOT=${E2E_BUILD:-$E2E_DIR/../../build/e2e}/libreswan-root

client_stage() {
	"$TOPO" etc client "$E2E_DIR/ref/client/etc" &&
		"$TOPO" etc client "$E2E_DIR/ref/client-libreswan/etc" || return 1
	chmod 600 "$E2E_STATE/client/etc/ipsec.secrets" "$E2E_STATE/client/etc/ppp/chap-secrets"
}

client_prepare() {
	if [ ! -x "$LSROOT/usr/libexec/ipsec/pluto" ]; then
		fail "Libreswan not unpacked in $LSROOT (run tests/e2e/setup-libreswan on the host)"
		return 1
	fi
	# mount points, in the guest's overlay root (never on the host)
	mkdir -p /usr/libexec/ipsec /var/lib/ipsec/nss
	# shellcheck disable=SC2016 # expanded by the inner sh
	in_host client sh -c '
		set -e
		mount --bind "$1/usr/libexec/ipsec" /usr/libexec/ipsec
		mount --bind "$1/usr/sbin/ipsec" /usr/sbin/ipsec
		mount -t tmpfs tmpfs /var/lib/ipsec/nss
		# pluto wants an NSS database even for PSK
		certutil -N -d sql:/var/lib/ipsec/nss --empty-password
	' prepare "$LSROOT" || {
		fail "client: Libreswan bind mounts / NSS database"
		return 1
	}
	[ -z "$CLIENT_CERT_IMPORT" ] || client_cert_import || {
		fail "client: certificates into the NSS database"
		return 1
	}
}

client_ike_start() {
	in_host client ipsec pluto --config /etc/ipsec.conf > "$E2E_STATE/client/ipsec-start.log" 2>&1 || {
		fail "client: pluto start"
		return 1
	}
	wait_for 15 "client pluto" in_host client ipsec whack --status || return 1
	in_host client ipsec auto --add "$CLIENT_CONN" >> "$E2E_STATE/client/ipsec-start.log" 2>&1 || {
		fail "client: ipsec auto --add"
		return 1
	}
}

client_ike_up() {
	in_host client timeout 60 ipsec auto --up "$CLIENT_CONN" > "$E2E_STATE/client/ipsec-up.log" 2>&1
}

client_ike_down() {
	in_host client timeout 20 ipsec auto --down "$CLIENT_CONN" > "$E2E_STATE/client/ipsec-down.log" 2>&1
}

# the staged copies are edited before `topology up` binds them; Libreswan
# takes the same "cipher-hash-group" strings (ipsec algparse), without "!"
client_set_proposal() {
	_cf=$E2E_STATE/client/etc/ipsec.conf
	sed -i -e "s/^\([[:space:]]*\)ike=.*/\1ike=$1/" \
		-e "s/^\([[:space:]]*\)esp=.*/\1esp=$2/" "$_cf" &&
		grep -q "^[[:space:]]*ike=$1\$" "$_cf" && grep -q "^[[:space:]]*esp=$2\$" "$_cf"
}

client_set_psk() {
	sed -i "s/: PSK \".*\"/: PSK \"$1\"/" "$E2E_STATE/client/etc/ipsec.secrets" &&
		grep -q ": PSK \"$1\"" "$E2E_STATE/client/etc/ipsec.secrets"
}

# Certificates (guest/cert.sh): one conn per NAME, authby=rsasig with
# NAME's certificate from the NSS database (client_prepare imports
# DIR/clients/NAME.p12 with pk12util and trusts PKI/ca.crt as a CA); the
# server is known by its certificate's subject.
CLIENT_CERT_IMPORT=
client_set_cert() { # PKI NAME:DIR...
	_e=$E2E_STATE/client/etc
	CLIENT_CERT_CA=$1
	shift
	CLIENT_CERT_IMPORT="$*"
	cat > "$_e/ipsec.conf" << 'EOF'
# ref/client-libreswan/etc/ipsec.conf with certificates instead of the
# PSK (guest/cert.sh): one conn per client certificate
config setup
    logfile=/run/pluto.log
    logtime=yes
    logappend=no
    plutodebug=none
    uniqueids=no
    ikev1-policy=accept

conn e2e-common
    keyexchange=ike
    ikev2=no
    authby=rsasig
    type=transport
    left=%defaultroute
    leftid=%fromcert
    leftsendcert=always
    leftprotoport=17/1701
    right=192.0.2.1
    rightid="CN=vpn.e2e.test"
    rightprotoport=17/1701
    ike=aes256-sha1;modp2048
    esp=aes256-sha1,3des-sha1
    pfs=no
    rekey=no
    encapsulation=auto
    auto=ignore
EOF
	for _nd in "$@"; do
		printf '\nconn %s\n    also=e2e-common\n    leftcert=%s\n    auto=add\n' "${_nd%%:*}" "${_nd%%:*}" >> "$_e/ipsec.conf"
	done
	echo "# certificates only: the keys are in the NSS database" > "$_e/ipsec.secrets"
	chmod 600 "$_e/ipsec.secrets"
}

# in the client's namespace, after the NSS database exists
client_cert_import() {
	_nss=sql:/var/lib/ipsec/nss
	in_host client certutil -A -d "$_nss" -n e2e-ca -t CT,, -i "$CLIENT_CERT_CA/ca.crt" ||
		return 1
	for _nd in $CLIENT_CERT_IMPORT; do
		in_host client pk12util -d "$_nss" -i "${_nd#*:}/clients/${_nd%%:*}.p12" \
			-w "$CERT_PW" > "$E2E_STATE/client/pk12util-${_nd%%:*}.log" 2>&1 || return 1
	done
	in_host client certutil -L -d "$_nss" > "$E2E_STATE/client/nss-certs.txt" 2>&1
	sed 's/^/  client NSS: /' "$E2E_STATE/client/nss-certs.txt"
}

client_collect() {
	in_host client ipsec status > "$1/ipsec-status.txt" 2>&1
	in_host client ipsec trafficstatus > "$1/ipsec-trafficstatus.txt" 2>&1
	return 0
}
