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

SERVER_PPP_IP=203.0.113.1
IKD_BIN=${IKD_BIN:-$E2E_REPO/build/ikd}
VPNCTL=${VPNCTL:-$E2E_REPO/build/vpnctl}
IKD_DIR=$E2E_STATE/server/ikd
IKD_PID=

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

server_start() {
	# ikd itself, in host "server" (topology exec and nsenter exec: $!
	# is ikd's PID)
	"$TOPO" exec server "$IKD_BIN" -d -v -v -f "$IKD_DIR/vpn.conf" \
		> "$E2E_STATE/server/run/ikd.log" 2>&1 &
	IKD_PID=$!
	in_host server sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
	return 0
}

ikd_ready() {
	grep -q 'ikd started' "$E2E_STATE/server/run/ikd.log" 2> /dev/null
}

server_wait_ready() {
	wait_for 15 "server ikd" ikd_ready || {
		tail -n 20 "$E2E_STATE/server/run/ikd.log" 2> /dev/null
		return 1
	}
	wait_for 15 "server xl2tpd" test -p "$E2E_STATE/server/run/xl2tpd/l2tp-control"
}

server_info() {
	grep -E 'ISAKMP SA established|ESP SAs installed|NAT detected|MM1:' \
		"$E2E_STATE/server/run/ikd.log" 2> /dev/null |
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
