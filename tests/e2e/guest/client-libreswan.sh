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
}

client_ike_start() {
	in_host client ipsec pluto --config /etc/ipsec.conf > "$E2E_STATE/client/ipsec-start.log" 2>&1 || {
		fail "client: pluto start"
		return 1
	}
	wait_for 15 "client pluto" in_host client ipsec whack --status || return 1
	in_host client ipsec auto --add L2TP-PSK >> "$E2E_STATE/client/ipsec-start.log" 2>&1 || {
		fail "client: ipsec auto --add"
		return 1
	}
}

client_ike_up() {
	in_host client timeout 60 ipsec auto --up L2TP-PSK > "$E2E_STATE/client/ipsec-up.log" 2>&1
}

client_ike_down() {
	in_host client timeout 20 ipsec auto --down L2TP-PSK > "$E2E_STATE/client/ipsec-down.log" 2>&1
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

client_collect() {
	in_host client ipsec status > "$1/ipsec-status.txt" 2>&1
	in_host client ipsec trafficstatus > "$1/ipsec-trafficstatus.txt" 2>&1
	return 0
}
