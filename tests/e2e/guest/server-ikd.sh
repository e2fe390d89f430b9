# shellcheck shell=sh
# shellcheck disable=SC2034 # SERVER_PPP_IP is read by guest/scenario.sh
# guest/server-ikd.sh -- server side "ikd": OUR IKEv1 responder (build/ikd
# from the work tree, kernel = "xfrm", its own L2TP policies from
# policy.h) for IKE, and the reference xl2tpd LNS + pppd
# (ref/server/etc) for L2TP/PPP. Same functions as guest/server-ref.sh.
#
# Unlike the reference server there is NO iptables rule for UDP/1701: the
# policies ikd installs must be what makes cleartext L2TP impossible
# (scenario `cleartext`).
#
# Beyond the common interface (guest/server-ref.sh), for the ikd
# scenarios of guest/scenario.sh:
#   SERVER_L2TP_DROP=xfrm  cleartext L2TP is dropped by XFRM policy (so
#                      XfrmInTmplMismatch counts it), not by iptables
#   SERVER_IKE_LOG     the IKE daemon's log of the current instance
#   server_negotiated  prints "IKE ESP": the last phase-1 and ESP proposal
#                      the server chose (from its log)
#   server_ike_restart_prepare  start a launcher in host "server" that
#                      waits on a FIFO and then execs the IKE daemon (log:
#                      ikd-restart.log), so the restart moment does not
#                      include the lab's own process start-up (topology
#                      exec, nsenter: ~0.3 s in UML)
#   server_ike_kill    SIGKILL the IKE daemon (no cleanup runs)
#   server_ike_restart release the launcher: a write to the FIFO (a shell
#                      built-in), the launcher execs ikd
#   server_ike_ready   0 once the current instance is up
#   server_set_cert PKI, server_cert_refused_check ...: certificates
#                      (guest/cert.sh)

SERVER_PPP_IP=203.0.113.1
SERVER_L2TP_DROP=xfrm
IKD_BIN=${IKD_BIN:-$E2E_REPO/build/ikd}
VPNCTL=${VPNCTL:-$E2E_REPO/build/vpnctl}
IKD_DIR=$E2E_STATE/server/ikd
IKD_PID=
IKD_NEXT_PID=
SERVER_IKE_LOG=$E2E_STATE/server/run/ikd.log

server_stage() {
	"$TOPO" etc server "$E2E_DIR/ref/server/etc" || return 1
	chmod 600 "$E2E_STATE/server/etc/ppp/chap-secrets"
	[ -x "$IKD_BIN" ] || {
		fail "server: no ikd binary at $IKD_BIN (make first)"
		return 1
	}
	mkdir -p "$IKD_DIR" || return 1
	cat > "$IKD_DIR/vpn.conf" << 'EOF'
# ikd for the e2e lab: every local address, kernel SAs and policies
secrets_file = "secrets.conf";
run_dir = "/run/l2tp-ipsec";
ike = {
	kernel = "xfrm";
};
log = {
	level = "debug";
	syslog = false;
};
EOF
	# the lab's test-only PSK (ref/server/etc/ipsec.secrets), mode 0600
	(umask 077 && cat > "$IKD_DIR/secrets.conf") << 'EOF'
ike = { psk = "e2e-lab-psk-not-secret"; };
EOF
	chmod 600 "$IKD_DIR/secrets.conf"
}

ikd_start() {
	# ikd itself, in host "server" (topology exec and nsenter exec: $!
	# is ikd's PID)
	"$TOPO" exec server "$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		> "$SERVER_IKE_LOG" 2>&1 &
	IKD_PID=$!
}

server_start() {
	ikd_start
	in_host server sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
	return 0
}

ikd_ready() {
	grep -q 'ikd started' "$SERVER_IKE_LOG" 2> /dev/null
}

server_ike_ready() {
	ikd_ready
}

server_ike_kill() {
	[ -n "$IKD_PID" ] || return 1
	kill -KILL "$IKD_PID" || return 1
	wait "$IKD_PID" 2> /dev/null
	IKD_PID=
	return 0
}

server_ike_restart_prepare() {
	_go=$E2E_STATE/server/run/ikd-go
	mkfifo "$_go" || return 1
	# shellcheck disable=SC2016 # expanded by the inner sh
	"$TOPO" exec server sh -c 'read -r _ < /run/ikd-go && exec "$@"' launch \
		"$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		> "$E2E_STATE/server/run/ikd-restart.log" 2>&1 &
	IKD_NEXT_PID=$!
}

server_ike_restart() {
	[ -n "$IKD_NEXT_PID" ] || return 1
	echo go > "$E2E_STATE/server/run/ikd-go" || return 1
	IKD_PID=$IKD_NEXT_PID
	IKD_NEXT_PID=
	SERVER_IKE_LOG=$E2E_STATE/server/run/ikd-restart.log
}

server_negotiated() {
	_ike=$(sed -n 's/.*: MM1: .* proposal \([^ ]*\) .*/\1/p' "$SERVER_IKE_LOG" 2> /dev/null | tail -n 1)
	_esp=$(sed -n 's/.*: ESP SAs installed: \([^ ]*\) .*/\1/p' "$SERVER_IKE_LOG" 2> /dev/null | tail -n 1)
	echo "${_ike:-none} ${_esp:-none}"
}

server_wait_ready() {
	wait_for 15 "server ikd" ikd_ready || {
		tail -n 20 "$SERVER_IKE_LOG" 2> /dev/null
		return 1
	}
	wait_for 15 "server xl2tpd" test -p "$E2E_STATE/server/run/xl2tpd/l2tp-control"
}

server_info() {
	grep -E 'ISAKMP SA established|ESP SAs installed|NAT detected|MM1:' \
		"$SERVER_IKE_LOG" 2> /dev/null |
		sed 's/^[^ ]* [^ ]* [^ ]* /  server ikd: /'
	ikd_checks
	return 0
}

# vpnctl CMD...: ikd's control socket, in host "server"
ikd_ctl() {
	in_host server "$VPNCTL" "$@"
}

# sum of KEY=<n> over the lines on stdin
sum_key() {
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

# Privilege separation and the control socket, while the tunnel is up:
# the IKE process (ikd's child) runs unprivileged, vpnctl lists the
# client's ISAKMP and ESP SAs, and the ESP counters it reads from the
# kernel rise while the client pings.
ikd_checks() {
	_st=$(grep -l "^PPid:[[:space:]]*$IKD_PID\$" /proc/[0-9]*/status 2> /dev/null | head -n 1)
	if [ -z "$_st" ]; then
		fail "ikd: no IKE process (child of $IKD_PID)"
	else
		_uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "$_st")
		_cap=$(sed -n 's/^CapEff:[[:space:]]*//p' "$_st")
		_nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$_st")
		metric ikd_ike_process_uid_capeff_nnp "$_uid/$_cap/$_nnp"
		[ "$_uid" != 0 ] || fail "ikd: the IKE process runs as root"
		[ "$_cap" = 0000000000000000 ] || fail "ikd: the IKE process has capabilities $_cap"
		[ "$_nnp" = 1 ] || fail "ikd: the IKE process lacks no_new_privs"
	fi
	_puid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$IKD_PID/status" 2> /dev/null)
	[ "$_puid" = 0 ] || fail "ikd: the privileged parent is not root ($_puid)"
	_sock=$(in_host server stat -c '%a %U' /run/l2tp-ipsec/ikd.sock 2> /dev/null)
	metric ikd_ctl_socket_mode_owner "$(echo "$_sock" | tr ' ' /)"
	[ "$_sock" = "600 root" ] || fail "ikd: control socket mode/owner '$_sock'"

	ikd_ctl ike-sas > "$E2E_STATE/server/run/vpnctl-ike-sas.txt" 2>&1 ||
		fail "vpnctl ike-sas failed"
	sed 's/^/  server vpnctl: /' "$E2E_STATE/server/run/vpnctl-ike-sas.txt"
	grep -q '^ike-sa .* state=ESTABLISHED .*client=' \
		"$E2E_STATE/server/run/vpnctl-ike-sas.txt" ||
		fail "vpnctl ike-sas: no established ISAKMP SA"
	_peer=$(sed -n 's/^ike-sa .* peer=\([^ ]*\).* state=ESTABLISHED.*/\1/p' \
		"$E2E_STATE/server/run/vpnctl-ike-sas.txt" | head -n 1)
	ikd_ctl policies > "$E2E_STATE/server/run/vpnctl-policies.txt" 2>&1 ||
		fail "vpnctl policies failed"
	grep -q '^policy dir=in .*dport=1701 .*installed=yes' \
		"$E2E_STATE/server/run/vpnctl-policies.txt" ||
		fail "vpnctl policies: no installed inbound L2TP policy"
	ikd_ctl register l2tp 1701 > /dev/null 2>&1 || fail "vpnctl register l2tp 1701"
	ikd_ctl peer "${_peer%:*}" "${_peer##*:}" > "$E2E_STATE/server/run/vpnctl-peer.txt" 2>&1 &&
		grep -q '^ipsec-sa ' "$E2E_STATE/server/run/vpnctl-peer.txt" ||
		fail "vpnctl peer ${_peer%:*} ${_peer##*:}: no ESP SA"

	_a=$(ikd_ctl ipsec-sas | sum_key in-packets)
	_ab=$(ikd_ctl ipsec-sas | sum_key out-bytes)
	in_host client ping -n -c 5 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > /dev/null 2>&1
	ikd_ctl ipsec-sas > "$E2E_STATE/server/run/vpnctl-ipsec-sas.txt" 2>&1 ||
		fail "vpnctl ipsec-sas failed"
	sed 's/^/  server vpnctl: /' "$E2E_STATE/server/run/vpnctl-ipsec-sas.txt"
	_b=$(sum_key in-packets < "$E2E_STATE/server/run/vpnctl-ipsec-sas.txt")
	_bb=$(sum_key out-bytes < "$E2E_STATE/server/run/vpnctl-ipsec-sas.txt")
	metric ikd_ctl_in_packets_before_after_5_pings "$_a/$_b"
	metric ikd_ctl_out_bytes_before_after_5_pings "$_ab/$_bb"
	[ "$_b" -ge $((_a + 5)) ] || fail "vpnctl ipsec-sas: in-packets rose by $((_b - _a)) for 5 pings"
	[ "$_bb" -gt "$_ab" ] || fail "vpnctl ipsec-sas: out-bytes did not rise"
}

# ---- certificates (guest/cert.sh) ----
# server_set_cert PKI: after server_stage, the staged vpn.conf gets the
# CA, the server certificate and key, the CRL (copied to pki/ next to
# it, paths relative to the config file) and ike.cert_allow "CN=e2e-*";
# the PSK goes: certificate-only. E2E_CERT_BREAK (guest/cert.sh) can
# drop the CRL or cert_allow, or make the server trust the other CA too.
server_set_cert() { # PKI
	mkdir -p "$IKD_DIR/pki" &&
		cp "$1/server.crt" "$1/crl.pem" "$IKD_DIR/pki/" &&
		(umask 077 && cp "$1/server.key" "$IKD_DIR/pki/") || return 1
	if cert_broken ca; then
		cat "$1/ca.crt" "$CERT_OTHER/ca.crt" > "$IKD_DIR/pki/ca.crt" || return 1
	elif [ "${CERT_ECDSA:-0}" = 1 ]; then
		# both CAs; our ECDSA certificate next to the RSA one
		cat "$1/ca.crt" "$CERT_EC/ca.crt" > "$IKD_DIR/pki/ca.crt" &&
			mkdir -p "$IKD_DIR/pki-ec" &&
			cp "$CERT_EC/server.crt" "$IKD_DIR/pki-ec/" &&
			(umask 077 && cp "$CERT_EC/server.key" "$IKD_DIR/pki-ec/") || return 1
	else
		cp "$1/ca.crt" "$IKD_DIR/pki/ca.crt" || return 1
	fi
	_crl='\n\tcrl_file = "pki/crl.pem";'
	_allow='\n\tcert_allow = ( { subject = "CN=e2e-*"; } );'
	cert_broken crl && _crl=
	cert_broken allow && _allow=
	[ "${CERT_ECDSA:-0}" = 0 ] ||
		_allow="$_allow"'\n\tserver_certs = ( { cert_file = "pki-ec/server.crt"; key_file = "pki-ec/server.key"; } );'
	sed -i "s|^\\tkernel = \"xfrm\";\$|&\\n\\tca_file = \"pki/ca.crt\";\\n\\tcert_file = \"pki/server.crt\";\\n\\tkey_file = \"pki/server.key\";$_crl$_allow|" \
		"$IKD_DIR/vpn.conf" || return 1
	grep -q 'cert_file = "pki/server.crt";' "$IKD_DIR/vpn.conf" || return 1
	sed -i '/^ike = { psk = /d' "$IKD_DIR/secrets.conf" || return 1
	! grep -q 'psk' "$IKD_DIR/secrets.conf" || return 1
	cp "$IKD_DIR/vpn.conf" "$E2E_OUT/vpn.conf"
	sed -n '/^ike = {/,/^};/p' "$IKD_DIR/vpn.conf" | sed 's/^/  server vpn.conf: /'
}

# server_cert_refused_check LINE COOKIES SUBJECT ISSUER REASON: ikd's
# refusal line names the peer, the exchange's cookies, the certificate's
# subject and issuer and exactly this reason
server_cert_refused_check() {
	case $1 in *" 192.0.2.2:"*) ;; *) fail "$3: the refusal line does not name the peer 192.0.2.2:PORT" ;; esac
	case $1 in
	*": certificate refused (cookies $2): subject \"$3\", issuer \"$4\": $5") ;;
	*) fail "$3: refusal line is not 'certificate refused (cookies $2): subject \"$3\", issuer \"$4\": $5'" ;;
	esac
}

server_collect() {
	in_host server ip xfrm policy > "$1/xfrm-policy-after-stop.txt" 2>&1
	in_host server ip xfrm state > "$1/xfrm-state-after-stop.txt" 2>&1
	return 0
}

# SIGTERM ikd and give it a moment: it sends Deletes and removes its SAs
# and policies, and its exit lines land in the collected log
server_stop() {
	[ -n "$IKD_PID" ] || return 0
	# what ikd installed, before it removes it (collect runs after us)
	in_host server sh -c 'ip -s xfrm state; ip xfrm policy' \
		> "$E2E_STATE/server/run/xfrm-before-stop.log" 2>&1
	kill "$IKD_PID" 2> /dev/null
	_end=$(($(now_cs) + 300))
	while kill -0 "$IKD_PID" 2> /dev/null && [ "$(now_cs)" -lt "$_end" ]; do
		sleep 0.1
	done
	wait "$IKD_PID" 2> /dev/null
	IKD_PID=
	return 0
}
