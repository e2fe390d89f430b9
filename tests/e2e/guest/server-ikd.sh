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
	return 0
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
