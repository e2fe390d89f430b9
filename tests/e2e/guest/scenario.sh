#!/bin/sh
# guest/scenario.sh -- one L2TP/IPsec end-to-end scenario, INSIDE the UML
# guest (started by tests/e2e/run.sh through tests/e2e/uml-run).
#
# usage: scenario.sh [--topo direct|nat|nat-random] [--server NAME]
#                    [--client strongswan|libreswan] [--iperf SECS] [--quick]
#                    [--proposal SET] [--cleartext | --wrong-psk | --restart]
#                    [--rekey | --peer-dead | --wrong-password] [--no-ikd]
#                    [--second-client] [--cert | --cert-refused | --cert-frag |
#                    --cert-ecdsa]
#   --topo    direct: client 192.0.2.2 <-> server 192.0.2.1 (default)
#             nat: client 198.51.100.2 behind a MASQUERADE router (NAT-T,
#             ESP in UDP 4500); nat-random: MASQUERADE --random
#   --server  which server side runs in host "server": guest/server-NAME.sh
#             (default ref: strongSwan + xl2tpd + pppd)
#   --client  which IKE initiator runs in host "client": guest/client-NAME.sh
#             (default strongswan; libreswan needs tests/e2e/setup-libreswan)
#   --iperf   iperf3 seconds in each direction over ppp0 (default
#             $E2E_IPERF_SECS or 4; 0 = skip)
#   --quick   5 steady pings instead of 20 (with --iperf 0: IKE + L2TP +
#             ping only, for the proposal matrix in CI)
#   --proposal SET  the client proposes exactly one IKE and one ESP
#             proposal (guest/proposals.sh: win-ecp384 win-ecp256
#             win-modp2048 apple android-aes android-3des); checks that the
#             server's log and kernel SAs show exactly those algorithms
#   --cleartext  negative test instead: the client skips IKE and dials L2TP
#             in clear; passes only if the server refuses (no PPP session
#             within 15 s, no UDP/1701 answer on the wire; for a server
#             with SERVER_L2TP_DROP=xfrm also XfrmInTmplMismatch rose)
#   --wrong-psk  the client has a wrong PSK: passes only if IKE fails, the
#             server logs exactly one "authentication failed" line naming
#             the peer, the cookies seen on the wire and the cause (also
#             after the client's retransmissions), and no SA of the
#             server's reqid range (0x4c32xxxx) is in the server's kernel
#   --restart after the session is up: SIGKILL the server's IKE daemon,
#             start it again, dump the XFRM policies every 50 ms
#             (tests/e2e/policy_poll.c, started before the kill) until the
#             L2TP policy (in, UDP 1701, ESP template of ours) is back
#             (policy_back_ms <= 1000), check that no SA of the killed
#             instance is left, then the client re-dials IKE and pings
#             over the same ppp0 again (no iperf3)
#   --second-client  with --restart and --topo direct (restart2 in run.sh):
#             topology `direct --client2`; after the restart a second
#             client (host client2, 192.0.2.3) dials in from scratch
#             (guest/second-client.sh; needs --server ours)
#   --rekey   the client (strongSwan) rekeys ESP 20 s and the ISAKMP SA 30 s
#             after they are up (lifetimes 300/310 s, margin 280 s): a ping
#             every 0.1 s runs
#             across both rekeys and must lose nothing; the server must log
#             a second ISAKMP SA and second ESP SAs (no iperf3)
#   --peer-dead after the session is up the client vanishes (its firewall
#             drops everything, as a laptop whose lid closes): the server's
#             HELLO goes unacknowledged, and it must end the session (end
#             record, cause "peer dead ..."), stop its pppd and have ikd
#             drop the peer's ISAKMP and ESP SAs: none of ours is left in
#             the server's kernel (--server ours; no iperf3)
#   --wrong-password  the client's pppd offers a wrong MS-CHAPv2 password
#             (guest/wrong-password.sh): refused, the server module's
#             session log shows it, then the right one gets the pool's
#             first address (needs a server with server_wrong_password_check)
#   --cert    certificate authentication instead of the PSK (issue 5,
#             guest/cert.sh): a fresh PKI from build/vpn-pki, the server
#             certificate-only, the client sends CN=e2e-client; the
#             server's log must show the ISAKMP SA with that peer ID
#   --cert-refused  --cert, and first four certificates the server must
#             refuse (another CA, expired, revoked, subject not allowed),
#             each with its precise log line and no kernel state, each
#             followed by a good IKE dial (strongSwan; guest/cert.sh)
#   --cert-frag  --cert with the client sending IKE fragments of <= 200
#             bytes: MM5 must reach the server as several fragments
#   --cert-ecdsa  --cert with an ECDSA (P-256) client certificate from a
#             second CA; the server has an RSA and an ECDSA certificate
#             (ike.server_certs) and must answer with the ECDSA one
# The client always dials with xl2tpd (LAC) + pppd offering only MS-CHAPv2.
#
# Checks (exit 1 if any fails): modules loaded; server ready; IKE up with
# ESP SAs in both kernels; client ppp0 gets an address; ping over ppp0
# without loss; ESP packet counters rise; the server's wire capture has no
# cleartext UDP/1701 and has ESP (direct) or ESP-in-UDP/4500 (NAT); the
# client pppd log shows MS-CHAPv2 success; iperf3 both ways.
# Results in $E2E_OUT: metrics.txt (name=value), logs/<host>/,
# server-eth0.pcap (the wire), server-l2tp-plain.pcap (L2TP/PPP after ESP
# decryption, as the server's stack sees it, via NFLOG), ping.txt, iperf3-*.txt
# shellcheck disable=SC2317 # functions called through trap and wait_for
set -u
E2E_DIR=${E2E_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=tests/e2e/guest/lib.sh
. "$E2E_DIR/guest/lib.sh"

TOPOLOGY=direct
SERVER=ref
CLIENT=strongswan
IPERF_SECS=${E2E_IPERF_SECS:-4}
CLEARTEXT=0
NO_IKD=0
WRONG_PSK=0
RESTART=0
REKEY=0
PEER_DEAD=0
WRONG_PASSWORD=0
QUICK=0
PROPOSAL=
SECOND_CLIENT=0
CERT=0
CERT_REFUSED=0
CERT_FRAG=0
CERT_ECDSA=0
usage() {
	sed -n '5,74p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--topo) TOPOLOGY=${2:-}; shift ;;
	--server) SERVER=${2:-}; shift ;;
	--client) CLIENT=${2:-}; shift ;;
	--iperf) IPERF_SECS=${2:-}; shift ;;
	--cleartext) CLEARTEXT=1 ;;
	--no-ikd) NO_IKD=1 ;; # the server module starts no IKE daemon
	--wrong-psk) WRONG_PSK=1 ;;
	--restart) RESTART=1 ;;
	--rekey) REKEY=1 ;;
	--peer-dead) PEER_DEAD=1 ;;
	--wrong-password) WRONG_PASSWORD=1 ;;
	--second-client) SECOND_CLIENT=1 ;;
	--cert) CERT=1 ;;
	--cert-refused) CERT=1 CERT_REFUSED=1 ;;
	--cert-frag) CERT=1 CERT_FRAG=1 ;;
	--cert-ecdsa) CERT=1 CERT_ECDSA=1 ;;
	--quick) QUICK=1 ;;
	--proposal) PROPOSAL=${2:-}; shift ;;
	direct | nat | nat-random) TOPOLOGY=$1 ;;
	*) usage ;;
	esac
	shift
done
case $TOPOLOGY in direct | nat | nat-random) ;; *) usage ;; esac
case $IPERF_SECS in '' | *[!0-9]*) usage ;; esac
[ -f "$E2E_GUEST/server-$SERVER.sh" ] || { echo "no server module guest/server-$SERVER.sh" >&2; exit 2; }
[ -f "$E2E_GUEST/client-$CLIENT.sh" ] || { echo "no client module guest/client-$CLIENT.sh" >&2; exit 2; }
# shellcheck source=tests/e2e/guest/server-ref.sh
. "$E2E_GUEST/server-$SERVER.sh"
# shellcheck source=tests/e2e/guest/client-strongswan.sh
. "$E2E_GUEST/client-$CLIENT.sh"
# shellcheck source=tests/e2e/guest/proposals.sh
. "$E2E_GUEST/proposals.sh"
# shellcheck source=tests/e2e/guest/wrong-password.sh
. "$E2E_GUEST/wrong-password.sh"
# shellcheck source=tests/e2e/guest/cert.sh
. "$E2E_GUEST/cert.sh"
if [ -n "$PROPOSAL" ]; then
	why=$(proposal_client_ok "$PROPOSAL" "$CLIENT") || { echo "$why" >&2; exit 2; }
	proposal_set "$PROPOSAL" # (the line above ran in a subshell)
	PSET_KERNEL=$(proposal_kernel_algs "$PSET_ESP") || { echo "no kernel names for $PSET_ESP" >&2; exit 2; }
fi
case $((CLEARTEXT + WRONG_PSK + RESTART + REKEY + PEER_DEAD + WRONG_PASSWORD)) in 0 | 1) ;; *) usage ;; esac
case $((CERT_REFUSED + CERT_FRAG + CERT_ECDSA)) in 0 | 1) ;; *) usage ;; esac
# the second client (restart2): its own file, guest/second-client.sh
TOPO_OPT=
if [ "$SECOND_CLIENT" = 1 ]; then
	{ [ "$RESTART" = 1 ] && [ "$TOPOLOGY" = direct ]; } || usage
	TOPO_OPT=--client2
	# shellcheck source=tests/e2e/guest/second-client.sh
	. "$E2E_GUEST/second-client.sh"
fi

mkdir -p "$E2E_OUT" "$E2E_STATE"
: > "$METRICS"
echo "scenario=$TOPOLOGY server=$SERVER client=$CLIENT cleartext=$CLEARTEXT wrong_psk=$WRONG_PSK restart=$RESTART wrong_password=$WRONG_PASSWORD proposal=${PROPOSAL:-default} cert=$CERT cert_refused=$CERT_REFUSED cert_frag=$CERT_FRAG cert_ecdsa=$CERT_ECDSA" >> "$METRICS"
log "scenario: topology=$TOPOLOGY server=$SERVER client=$CLIENT iperf=${IPERF_SECS}s cleartext=$CLEARTEXT wrong_psk=$WRONG_PSK restart=$RESTART proposal=${PROPOSAL:-default}${PROPOSAL:+ ($PSET_IKE / $PSET_ESP)}"

# words LIST: LIST on one line
words() {
	echo "$1" | tr '\n' ' ' | sed 's/ *$//'
}

# ours_awk: prints the SPI of each ESP state of `ip xfrm state` whose
# reqid is in ikd's range 0x4c32xxxx (ikd/xfrm.h XFRM_REQID_BASE; `ip`
# prints the reqid in decimal, with -s also in hex)
# shellcheck disable=SC2016 # an awk program
ours_awk='
	/proto esp/ {
		spi = ""; r = -1
		for (i = 1; i < NF; i++) {
			if ($i == "spi") { spi = $(i + 1); sub(/\(.*/, "", spi) }
			if ($i == "reqid") { r = $(i + 1); sub(/\(.*/, "", r); r += 0 }
		}
		if (spi != "" && int(r / 65536) == 19506) print spi # 0x4c32
	}'

# ours_sa_count: ESP states of ikd's reqid range in the server's kernel
ours_sa_count() {
	in_host server ip xfrm state 2> /dev/null | awk "$ours_awk" | wc -l
}

# xfrm_stat NAME: a counter of the server's /proc/net/xfrm_stat (per netns)
xfrm_stat() {
	in_host server cat /proc/net/xfrm_stat 2> /dev/null | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# server_sa_algs: "ENC/KEYBITS AUTH/TRUNCBITS" of each of ikd's ESP states
# in the server's kernel, one line per state
server_sa_algs() {
	in_host server ip xfrm state 2> /dev/null | awk '
		function out() { if (ours) print enc " " auth; ours = 0; enc = "-"; auth = "-" }
		/^src / { out() }
		/proto esp/ {
			for (i = 1; i < NF; i++) if ($i == "reqid") { r = $(i + 1); sub(/\(.*/, "", r) }
			ours = (/ spi / && int(r / 65536) == 19506) # 0x4c32xxxx
		}
		$1 == "enc" { enc = $2 "/" (length($3) - 2) * 4 } # hex key: 0x...
		$1 == "auth-trunc" { auth = $2 "/" $NF }
		$1 == "aead" { enc = $2 "/aead"; auth = "-" }
		END { out() }'
}

die_now() {
	fail "$*"
	exit 1
}

WIRE_PID=
PLAIN_PID=
IPERF_PID=
stop_captures() {
	for p in $WIRE_PID $PLAIN_PID; do kill "$p" 2> /dev/null; done
	for p in $WIRE_PID $PLAIN_PID; do wait "$p" 2> /dev/null; done
	WIRE_PID=
	PLAIN_PID=
}

collect() {
	for h in $("$TOPO" hosts); do
		d=$E2E_OUT/logs/$h
		mkdir -p "$d"
		cp -a "$E2E_STATE/$h/run/"*.log "$E2E_STATE/$h/"*.log "$d/" 2> /dev/null
		# one process chain per host: every exec costs ~0.1 s in UML
		# shellcheck disable=SC2016 # expanded by the inner sh
		in_host "$h" sh -c '
			ip -s xfrm state > "$1/xfrm-state.txt" 2>&1
			ip xfrm policy > "$1/xfrm-policy.txt" 2>&1
			ip -s addr > "$1/addr.txt" 2>&1
			ip route > "$1/route.txt" 2>&1
			iptables-legacy-save > "$1/iptables.txt" 2>&1
		' collect "$d"
	done
	[ -d "$E2E_OUT/logs/server" ] && server_collect "$E2E_OUT/logs/server"
	[ -d "$E2E_OUT/logs/client" ] && client_collect "$E2E_OUT/logs/client"
	cut -d' ' -f1 /proc/modules | sort > "$E2E_OUT/logs/lsmod.txt" 2> /dev/null
	return 0
}

finish() {
	rc=$?
	trap - EXIT
	stop_captures
	[ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2> /dev/null
	# a graceful stop first, if the server module wants one (so that what
	# its daemons log at exit is collected), then logs, then the rest
	server_stop 2> /dev/null
	collect
	# shellcheck disable=SC2046 # host names, one word each
	E2E_STOP_SECS=1 "$TOPO" stop $("$TOPO" hosts)
	if [ "$rc" = 0 ] && [ "$FAILED" = 0 ]; then
		echo "result=PASS" >> "$METRICS"
		log "PASS (topology=$TOPOLOGY server=$SERVER client=$CLIENT)"
		exit 0
	fi
	echo "result=FAIL" >> "$METRICS"
	log "FAIL (topology=$TOPOLOGY server=$SERVER client=$CLIENT)"
	exit 1
}

# ---- 1. kernel modules (crypto ones preloaded: the first SA install would
#         otherwise modprobe them on demand, slowly) ----
T0=$(now_cs)
modprobe -a esp4 xfrm_user l2tp_ppp ppp_generic veth \
	authenc cbc hmac sha1_generic sha512_generic echainiv seqiv drbg \
	jitterentropy_rng des_generic \
	ip_tables iptable_filter iptable_mangle iptable_nat xt_policy xt_MASQUERADE \
	nf_conntrack nfnetlink_log xt_NFLOG 2> /dev/null
for m in esp4 xfrm_user l2tp_ppp ppp_generic veth xt_policy; do
	grep -q "^$m " /proc/modules || { fail "module $m not loaded"; exit 1; }
done
log "modules loaded: esp4 xfrm_user l2tp_ppp ppp_generic veth xt_policy"
# The kernel's first ESP SA costs ~1.3 s in UML (crypto instances, default
# RNG seeded from jitterentropy); pay it here, not in whoever installs the
# first real SA, so ike_up_s measures IKE. A throw-away SA in the root netns.
TW=$(now_cs)
ip xfrm state add src 192.0.2.254 dst 192.0.2.253 proto esp spi 0x1 mode transport \
	auth 'hmac(sha1)' 0x0000000000000000000000000000000000000000 \
	enc 'cbc(aes)' 0x0000000000000000000000000000000000000000000000000000000000000000 &&
	ip xfrm state flush
metric crypto_warmup_s "$(since "$TW")"

# ---- 2. hosts ----
# (client_set_* edit the staged copies: before `topology up` binds them)
# shellcheck disable=SC2086 # $TOPO_OPT: empty or one word
case $TOPOLOGY in
direct) "$TOPO" direct $TOPO_OPT ;;
nat) "$TOPO" nat ;;
nat-random) "$TOPO" nat --random ;;
esac || die_now "topology $TOPOLOGY"
trap finish EXIT
server_stage || die_now "server_stage"
client_stage || die_now "client_stage"
[ "$SECOND_CLIENT" = 0 ] || second_client_stage || die_now "second_client_stage"
if [ "$CERT" = 1 ]; then
	cert_setup || die_now "certificates (guest/cert.sh)"
fi
if [ -n "$PROPOSAL" ]; then
	client_set_proposal "$PSET_IKE" "$PSET_ESP" || die_now "client: cannot set proposal $PSET_IKE / $PSET_ESP"
	log "client proposes only: IKE $PSET_IKE, ESP $PSET_ESP"
fi
if [ "$REKEY" = 1 ]; then
	command -v client_set_rekey > /dev/null 2>&1 || die_now "client $CLIENT cannot be told to rekey early (rekey needs --client strongswan)"
	client_set_rekey || die_now "client: cannot set the rekey timers"
fi
if [ "$WRONG_PSK" = 1 ]; then
	client_set_psk "e2e-lab-psk-WRONG" || die_now "client: cannot set the wrong PSK"
	log "client PSK set to a wrong value"
fi
if [ "$WRONG_PASSWORD" = 1 ]; then
	client_set_ppp_password "$WP_WRONG" || die_now "client: cannot set the wrong PPP password"
	log "client PPP password set to a wrong value"
fi
for h in $("$TOPO" hosts); do "$TOPO" up "$h" || die_now "topology up $h"; done
client_prepare || exit 1
metric setup_s "$(since "$T0")"

# ---- 3. captures on the server: the wire, and L2TP after decryption ----
start_capture server eth0 "$E2E_OUT/server-eth0.pcap" "$E2E_STATE/server/tcpdump-eth0.log" ||
	exit 1
WIRE_PID=$CAPTURE_PID
if in_host server iptables-legacy -t mangle -A INPUT -p udp --dport 1701 -j NFLOG --nflog-group 5 &&
	in_host server iptables-legacy -t mangle -A OUTPUT -p udp --sport 1701 -j NFLOG --nflog-group 5; then
	start_capture server nflog:5 "$E2E_OUT/server-l2tp-plain.pcap" "$E2E_STATE/server/tcpdump-nflog.log" &&
		PLAIN_PID=$CAPTURE_PID
else
	log "note: no NFLOG capture of the decrypted L2TP"
fi

# ---- 4. server ----
server_start || exit 1
server_wait_ready || exit 1
log "server ($SERVER) ready"

ppp0_has_addr() { in_host client ip -4 -o addr show dev ppp0 2> /dev/null | grep -q ' inet '; }

# ---- negative test: L2TP that bypasses IPsec must be refused ----
if [ "$CLEARTEXT" = 1 ]; then
	in_host client sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
	wait_for 15 "client xl2tpd" test -p "$E2E_STATE/client/run/xl2tpd/l2tp-control" || exit 1
	# the evidence of the drop: the server's XFRM counters (they only
	# observe; an inbound UDP/1701 packet without ESP that meets a policy
	# requiring an ESP template counts as XfrmInTmplMismatch)
	MISMATCH0=$(xfrm_stat XfrmInTmplMismatch)
	NOPOLS0=$(xfrm_stat XfrmInNoPols)
	in_host client sh -c 'echo "c e2e" > /run/xl2tpd/l2tp-control' || die_now "dial (l2tp-control)"
	log "client dialled L2TP without IPsec; waiting 15 s for the server to (not) accept"
	end=$(($(now_cs) + 1500))
	while [ "$(now_cs)" -lt "$end" ]; do
		if ppp0_has_addr; then
			fail "the server ACCEPTED cleartext L2TP: client ppp0 came up"
			break
		fi
		sleep 0.5
	done
	stop_captures
	TRIED=$(pcap_count "$E2E_OUT/server-eth0.pcap" 'udp dst port 1701')
	ANSWERED=$(pcap_count "$E2E_OUT/server-eth0.pcap" 'udp src port 1701 and src host 192.0.2.1')
	metric wire_cleartext_l2tp_to_server_pkts "$TRIED"
	metric wire_cleartext_l2tp_from_server_pkts "$ANSWERED"
	MISMATCH=$(($(xfrm_stat XfrmInTmplMismatch) - MISMATCH0))
	NOPOLS=$(($(xfrm_stat XfrmInNoPols) - NOPOLS0))
	metric server_xfrm_in_tmpl_mismatch_delta "$MISMATCH"
	metric server_xfrm_in_no_pols_delta "$NOPOLS"
	in_host server ip -s xfrm policy > "$E2E_OUT/server-xfrm-policy-stats.txt" 2>&1
	[ "$TRIED" -gt 0 ] || fail "the client sent no cleartext L2TP (test broken)"
	[ "$ANSWERED" -eq 0 ] || fail "the server answered cleartext L2TP ($ANSWERED packets)"
	if [ "$NO_IKD" = 1 ]; then
		command -v server_no_ikd_checks > /dev/null 2>&1 || die_now "server $SERVER cannot run without its IKE daemon (--no-ikd needs --server ours)"
		server_no_ikd_checks "$MISMATCH" "$TRIED"
	elif [ "${SERVER_L2TP_DROP:-}" = xfrm ] && [ "$MISMATCH" -lt "$TRIED" ]; then
		fail "XfrmInTmplMismatch rose by $MISMATCH for $TRIED cleartext L2TP packets: not dropped by the L2TP policy"
	fi
	exit 0
fi

# ---- negative test: a client with the wrong PSK ----
if [ "$WRONG_PSK" = 1 ]; then
	[ -n "${SERVER_IKE_LOG:-}" ] || die_now "server $SERVER has no SERVER_IKE_LOG (wrong-psk needs --server ikd)"
	client_ike_start || exit 1
	# in the background: strongSwan's `ipsec up` waits for all its
	# retransmissions; Libreswan's also
	client_ike_up &
	UP_PID=$!
	TI=$(now_cs)
	auth_failed_logged() { grep -q 'authentication failed' "$SERVER_IKE_LOG"; }
	wait_for 30 "server log: authentication failed" auth_failed_logged || exit 1
	metric ike_fail_s "$(since "$TI")"
	# the client retransmits MM5 (strongSwan after 4 s and 7.2 s more,
	# Libreswan after 0.5 s, 1 s, ...): let at least two arrive
	sleep 12
	stop_captures
	kill "$UP_PID" 2> /dev/null
	LINES=$(grep -c 'authentication failed' "$SERVER_IKE_LOG")
	LINE=$(grep -m1 'authentication failed' "$SERVER_IKE_LOG")
	echo "  server ikd: ${LINE#* * * }"
	metric ikd_auth_failed_lines "$LINES"
	[ "$LINES" -eq 1 ] || fail "ikd logged $LINES 'authentication failed' lines, want exactly 1"
	# the cookies of the failed exchange as the wire shows them (client ->
	# server packets with a responder cookie)
	COOKIES=$(tcpdump -n -vv -r "$E2E_OUT/server-eth0.pcap" 'dst host 192.0.2.1 and (udp port 500 or udp port 4500)' 2> /dev/null |
		sed -n 's/.* cookie \([0-9a-f]\{16\}\)->\([0-9a-f]\{16\}\).*/\1\/\2/p' | grep -v '/0000000000000000$' | sort -u)
	metric wire_cookies "$(words "$COOKIES")"
	[ "$(echo "$COOKIES" | wc -w)" -eq 1 ] || fail "want one cookie pair on the wire, got: $(words "$COOKIES")"
	case $LINE in *" 192.0.2.2:"*) ;; *) fail "the auth failure line does not name the peer 192.0.2.2:PORT" ;; esac
	case $LINE in *"(cookies $COOKIES)"*) ;; *) fail "the auth failure line does not carry the cookies $COOKIES" ;; esac
	case $LINE in *"authentication failed"*": "*"wrong PSK"*) ;; *) fail "the auth failure line gives no cause" ;; esac
	case $LINE in *e2e-lab-psk*) fail "the auth failure line contains a PSK" ;; esac
	! grep -q 'ISAKMP SA established' "$SERVER_IKE_LOG" || fail "the server established an ISAKMP SA with a wrong PSK"
	WIKE=$(pcap_count "$E2E_OUT/server-eth0.pcap" 'dst host 192.0.2.1 and (udp dst port 500 or (udp dst port 4500 and udp[8:4] = 0))')
	metric wire_ike_from_client_pkts "$WIKE"
	# MM1, MM3, MM5 and at least one retransmission that ikd must not log
	[ "$WIKE" -ge 4 ] || fail "no MM5 retransmission seen ($WIKE IKE packets from the client): the one-line check was not exercised"
	N=$(ours_sa_count)
	metric server_ours_sas "$N"
	[ "$N" -eq 0 ] || fail "$N SAs of ikd's reqid range left in the server's kernel"
	N=$(esp_sa_count client)
	metric client_esp_sas "$N"
	[ "$N" -eq 0 ] || fail "$N ESP SAs in the client's kernel after a wrong PSK"
	exit 0
fi

# ---- 5. client: IKE, then L2TP/PPP ----
TC=$(now_cs)
client_ike_start || exit 1
in_host client sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
wait_for 15 "client xl2tpd" test -p "$E2E_STATE/client/run/xl2tpd/l2tp-control" || exit 1
# ---- negative test: certificates the server must refuse (guest/cert.sh) ----
[ "$CERT_REFUSED" = 1 ] && cert_refused_run
TI=$(now_cs)
client_ike_up || {
	tail -n 5 "$E2E_STATE/client/ipsec-up.log" 2> /dev/null
	die_now "IKE up ($CLIENT) failed"
}
IKE_UP_S=$(since "$TI")
n=$(esp_sa_count client)
if [ "$n" -lt 2 ]; then
	tail -n 5 "$E2E_STATE/client/ipsec-up.log" 2> /dev/null
	die_now "IKE: $n ESP SAs in the client's kernel, want 2"
fi
metric ike_up_s "$IKE_UP_S"
server_has_sas() { [ "$(esp_sa_count server)" -ge 2 ]; }
wait_for 5 "2 ESP SAs in the server's kernel" server_has_sas || exit 1
log "IKE up: ESP SAs in both kernels"
[ "$CERT" = 0 ] || cert_dial_check

# ---- negative test: a wrong PPP password (guest/wrong-password.sh) ----
if [ "$WRONG_PASSWORD" = 1 ]; then
	wrong_password_run
	exit 0
fi

in_host client sh -c 'echo "c e2e" > /run/xl2tpd/l2tp-control' || die_now "dial (l2tp-control)"
TD=$(now_cs)
wait_for 30 "client ppp0 address" ppp0_has_addr || exit 1
metric dial_to_ppp_s "$(since "$TD")"
in_host client ip -4 -o addr show dev ppp0 | awk '{ print "  client ppp0: " $4 " peer " $6 }'

first_ping() { in_host client ping -n -c 1 -W 1 -I ppp0 "$SERVER_PPP_IP"; }
wait_for 20 "first ping reply over ppp0" first_ping || exit 1
metric client_start_to_ping_s "$(since "$TC")"
metric dial_to_ping_s "$(since "$TD")"
server_info

# ---- 5b. the negotiated algorithms are the proposed ones ----
if [ -n "$PROPOSAL" ]; then
	if command -v server_negotiated > /dev/null 2>&1; then
		NEG=$(server_negotiated)
	else
		NEG="unknown unknown"
	fi
	ALGS=$(server_sa_algs)
	metric negotiated_algs "ike=${NEG% *} esp=${NEG#* } kernel=$(echo "$ALGS" | sort -u | tr ' \n' '+,' | sed 's/,$//')"
	[ "${NEG% *}" = "$PSET_IKE" ] || fail "server negotiated IKE ${NEG% *}, the client proposed only $PSET_IKE"
	[ "${NEG#* }" = "$PSET_ESP" ] || fail "server negotiated ESP ${NEG#* }, the client proposed only $PSET_ESP"
	N=$(echo "$ALGS" | grep -c .)
	M=$(echo "$ALGS" | grep -cxF "$PSET_KERNEL")
	if [ "$N" -ne 2 ] || [ "$M" -ne 2 ]; then
		fail "server kernel: $M of $N ESP SAs of ours use $PSET_KERNEL (want 2 of 2): $(words "$ALGS")"
	fi
fi

# ---- 6. steady ping ----
NPING=20
[ "$QUICK" = 1 ] && NPING=5
in_host client ping -n -c "$NPING" -i 0.2 -I ppp0 "$SERVER_PPP_IP" > "$E2E_OUT/ping.txt" 2>&1 ||
	fail "ping -c $NPING over ppp0"
tail -n 2 "$E2E_OUT/ping.txt" | sed 's/^/  /'
metric ping_loss_pct "$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$E2E_OUT/ping.txt")"
metric ping_rtt_ms "$(sed -n 's/^rtt .* = \([0-9.\/]*\) ms.*/\1/p' "$E2E_OUT/ping.txt")"

# ---- 7. is it really ESP? kernel counters, both ends ----
esp_rise_check() { # TAG: 5 pings, both kernels' ESP packet counters rise
	A=$(esp_counter client 2)
	SA=$(esp_counter server 2)
	in_host client ping -n -c 5 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > /dev/null 2>&1 || fail "ping -c 5 over ppp0$1"
	B=$(esp_counter client 2)
	SB=$(esp_counter server 2)
	metric "client_esp_pkts_before_after_5_pings$1" "$A/$B"
	metric "server_esp_pkts_before_after_5_pings$1" "$SA/$SB"
	[ "$B" -ge $((A + 10)) ] || fail "client ESP packet counters rose by $((B - A)) for 5 pings$1, want >= 10"
	[ "$SB" -ge $((SA + 10)) ] || fail "server ESP packet counters rose by $((SB - SA)) for 5 pings$1, want >= 10"
}
esp_rise_check ""

# ---- 8. ... and on the wire ----
sleep 0.3
stop_captures
# the NFLOG rule costs throughput: gone before iperf3
in_host server iptables-legacy -t mangle -F 2> /dev/null
PCAP=$E2E_OUT/server-eth0.pcap
PLAIN=$(pcap_count "$PCAP" 'udp port 1701')
ESP=$(pcap_count "$PCAP" 'esp')
NATT=$(pcap_count "$PCAP" 'udp port 4500 and udp[8:4] != 0')
IKE=$(pcap_count "$PCAP" 'udp port 500 or (udp port 4500 and udp[8:4] = 0)')
metric wire_cleartext_l2tp_pkts "$PLAIN"
metric wire_esp_pkts "$ESP"
metric wire_esp_in_udp4500_pkts "$NATT"
metric wire_ike_pkts "$IKE"
if [ -s "$E2E_OUT/server-l2tp-plain.pcap" ]; then
	DEC=$(pcap_count "$E2E_OUT/server-l2tp-plain.pcap" '')
	metric server_decrypted_l2tp_pkts "$DEC"
	# UDP 1701 flowed inside the ESP whose counters rose (step 7)
	[ -z "$PROPOSAL" ] || [ "$DEC" -gt 0 ] || fail "no decrypted L2TP (UDP/1701) seen by the server's stack"
fi
[ "$PLAIN" -eq 0 ] || fail "cleartext L2TP (UDP/1701) on the server's wire: $PLAIN packets"
if [ "$TOPOLOGY" = direct ]; then
	[ "$ESP" -gt 0 ] || fail "no ESP on the server's wire"
else
	[ "$NATT" -gt 0 ] || fail "no ESP-in-UDP/4500 on the server's wire behind NAT"
	tcpdump -n -r "$PCAP" udp 2> /dev/null | awk '{ print $3 }' | sort | uniq -c |
		sed 's/^ */  server sees udp from: /'
fi

# ---- 8b. the client's MM5 came as IKE fragments (guest/cert.sh) ----
[ "$CERT_FRAG" = 0 ] || cert_frag_check

# ---- 9. MS-CHAPv2 ----
PPPLOG=$E2E_STATE/client/run/pppd.log
grep -q 'auth chap MS-v2' "$PPPLOG" 2> /dev/null || fail "MS-CHAPv2 not negotiated (client pppd log)"
grep -q 'CHAP authentication succeeded' "$PPPLOG" 2> /dev/null || fail "no CHAP success in the client pppd log"
grep -m1 'rcvd \[CHAP Success' "$PPPLOG" 2> /dev/null | sed 's/^/  client pppd: /'

# ---- 9b. restart of the server's IKE daemon with a session up ----
# the indexes of the server's inbound L2TP policies of ours (IPv4, UDP
# dport 1701, ESP template with a reqid of ikd's range)
# shellcheck disable=SC2016 # an awk program
l2tp_in_policy_awk='
	/^src / { blk = ($0 ~ /^src 0\.0\.0\.0\/0 dst 0\.0\.0\.0\/0 proto udp dport 1701/); idx = "" }
	blk && /index/ { for (i = 1; i < NF; i++) if ($i == "index") idx = $(i + 1) }
	blk && /reqid/ {
		for (i = 1; i < NF; i++) if ($i == "reqid") { r = $(i + 1); sub(/\(.*/, "", r) }
		if (int(r / 65536) == 19506) { print idx; blk = 0 } # 0x4c32xxxx
	}'
if [ "$RESTART" = 1 ]; then
	command -v server_ike_kill > /dev/null 2>&1 || die_now "server $SERVER cannot kill/restart its IKE daemon (restart needs --server ikd or ours)"
	OLD_SPIS=$(in_host server ip xfrm state 2> /dev/null | awk "$ours_awk")
	OLD_IDX=$(in_host server ip -s xfrm policy list dir in 2> /dev/null | awk "$l2tp_in_policy_awk")
	log "before the kill: SAs $(words "$OLD_SPIS"), L2TP in-policy index $(words "$OLD_IDX")"
	[ -n "$OLD_IDX" ] || fail "no L2TP in-policy of ours before the kill"
	# the stop-watch first (its own start is not measured): a dump of the
	# policies every 50 ms, tests/e2e/policy_poll.c
	POLLOUT=$E2E_STATE/server/run/policy-poll.txt
	POLL_BIN=${E2E_POLICY_POLL:-$E2E_REPO/build/tests/e2e/policy_poll}
	[ -x "$POLL_BIN" ] || die_now "no $POLL_BIN (make first)"
	"$TOPO" exec server "$POLL_BIN" "$(words "$OLD_IDX")" /run/policy-poll.txt 60 \
		> "$E2E_STATE/server/run/policy-poll.log" 2>&1 &
	POLL_PID=$!
	wait_for 10 "policy poller running" grep -q " old " "$POLLOUT" || exit 1
	server_ike_restart_prepare || die_now "IKE daemon launcher"
	server_ike_kill || die_now "SIGKILL of the IKE daemon"
	N=$(ours_sa_count)
	metric orphan_sas_after_kill "$N"
	# the precondition of the check below: SIGKILL leaves them behind
	[ "$N" -ge 2 ] || fail "only $N SAs of ours left after SIGKILL: the orphan check would prove nothing"
	TR=$(now_cs)
	server_ike_restart || die_now "restart of the IKE daemon"
	# the poller stops at its first "new" look; with make before break
	# there is none: stop it 1 s after the restarted daemon is ready
	# (waiting its full 60 s left the clients without SAs long enough for
	# our l2tpd to declare the tunnel dead)
	wait_for 10 "restarted IKE daemon ready" server_ike_ready
	TP=$(($(now_cs) + 100))
	while kill -0 "$POLL_PID" 2> /dev/null && [ "$(now_cs)" -lt "$TP" ]; do
		sleep 0.1
	done
	kill "$POLL_PID" 2> /dev/null
	wait "$POLL_PID"
	cp "$POLLOUT" "$E2E_OUT/policy-poll.txt" 2> /dev/null
	# first "new" look after the restart, the looks, the looks without
	# any L2TP policy of ours, and the mean period of a look
	# shellcheck disable=SC2046 # four words
	set -- $(awk -v t0="$TR" '
		$1 >= t0 { n++ } $2 == "none" { gaps++ }
		NR == 1 { first = $1 } { last = $1 }
		$2 == "new" && !seen { seen = 1; back = ($1 - t0) * 10 }
		END { if (!seen && n > 0 && gaps == 0) { seen = 1; back = 0 } # never left: taken over (make before break)
		printf "%s %d %d %d\n", (seen ? back : "none"), n, gaps, (NR > 1 ? (last - first) * 10 / (NR - 1) : 0) }' "$POLLOUT")
	metric policy_back_ms "$1"
	metric policy_polls_after_restart "$2"
	metric policy_polls_without_l2tp_policy "$3"
	metric policy_poll_period_ms "$4"
	# ikd's own part: its first log line to its policy line (its clock)
	metric ikd_start_to_policy_ms "$(awk '
		{ split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3] }
		NR == 1 { t0 = s }
		/L2TP server policy:/ { printf "%d\n", (s - t0) * 1000; exit }' "$SERVER_IKE_LOG")"
	[ "$3" -eq 0 ] || fail "$3 looks found no L2TP policy of ours around the restart (cleartext window)"
	case $1 in
	*[!0-9]*) fail "the L2TP policy was not back within 60 s of the restart" ;;
	*) [ "$1" -le 1000 ] || fail "the L2TP policy was back after $1 ms, want <= 1000" ;;
	esac
	wait_for 10 "restarted IKE daemon ready" server_ike_ready || exit 1
	N=$(ours_sa_count)
	metric orphan_sas_after_restart "$N"
	[ "$N" -eq 0 ] || fail "$N SAs of ours in the server's kernel after the restart (orphans of the killed instance)"
	for spi in $OLD_SPIS; do
		in_host server ip xfrm state 2> /dev/null | grep -q "spi $spi" && fail "SA spi $spi of the killed instance still there"
	done
	in_host server ip xfrm policy > "$E2E_STATE/server/run/xfrm-policy-after-restart.log" 2>&1
	NPOL=$(in_host server ip -s xfrm policy list dir in 2> /dev/null | awk "$l2tp_in_policy_awk" | wc -l)
	metric l2tp_in_policies_after_restart "$NPOL"
	[ "$NPOL" -eq 1 ] || fail "$NPOL IPv4 L2TP in-policies of ours after the restart, want 1"
	# the client re-dials IKE; L2TP/PPP (the reference LNS) kept its state
	TD=$(now_cs)
	client_ike_down
	client_ike_up || die_now "IKE re-dial ($CLIENT) failed"
	wait_for 10 "2 ESP SAs in the server's kernel after the re-dial" server_has_sas || exit 1
	metric redial_ike_up_s "$(since "$TD")"
	wait_for 20 "ping over ppp0 after the re-dial" first_ping || exit 1
	metric redial_to_ping_s "$(since "$TD")"
	grep -q 'ISAKMP SA established' "$SERVER_IKE_LOG" || fail "no ISAKMP SA in the restarted daemon's log"
	esp_rise_check "_after_restart"
	server_info
	[ "$SECOND_CLIENT" = 0 ] || second_client_check
	exit 0
fi

# ---- 9d. the client vanishes: HELLO liveness ends everything of it ----
if [ "$PEER_DEAD" = 1 ]; then
	command -v server_peer_dead_wait > /dev/null 2>&1 || die_now "server $SERVER has no HELLO liveness check (peer-dead needs --server ours)"
	N=$(ours_sa_count)
	metric sas_before_peer_dead "$N"
	[ "$N" -ge 2 ] || fail "only $N SAs of ours before the client vanished: the check would prove nothing"
	server_info # (its SA checks need the peer alive)
	in_host client sh -c 'iptables-legacy -I INPUT -j DROP && iptables-legacy -I OUTPUT -j DROP' ||
		die_now "client firewall (drop everything)"
	TV=$(now_cs)
	log "client vanished (drops everything); waiting for the server to notice"
	server_peer_dead_wait 60 || exit 1
	metric peer_dead_session_end_s "$(since "$TV")"
	no_sas() { [ "$(ours_sa_count)" -eq 0 ]; }
	wait_for 10 "no SA of ours left in the server's kernel" no_sas ||
		fail "$(ours_sa_count) SAs of ours left after the peer died"
	metric peer_dead_sas_gone_s "$(since "$TV")"
	metric sas_after_peer_dead "$(ours_sa_count)"
	exit 0
fi

# ---- 9c. client-driven rekey of both phases, traffic across it ----
if [ "$REKEY" = 1 ]; then
	count_log() { grep -c "$1" "$SERVER_IKE_LOG" 2> /dev/null || true; }
	P1=$(count_log 'ISAKMP SA established')
	P2=$(count_log 'ESP SAs installed')
	# 45 s of pings, 0.1 s apart: the rekeys fall at ~20 s
	in_host client ping -n -c 450 -i 0.1 -W 1 -I ppp0 "$SERVER_PPP_IP" \
		> "$E2E_OUT/ping-rekey.txt" 2>&1 &
	PING_PID=$!
	rekeyed() {
		[ "$(count_log 'ISAKMP SA established')" -gt "$P1" ] &&
			[ "$(count_log 'ESP SAs installed')" -gt "$P2" ]
	}
	wait_for 40 "phase 1 and phase 2 rekeyed by the client" rekeyed ||
		fail "no second ISAKMP SA and ESP SAs in the server's log within 40 s"
	metric rekey_seen_after_dial_s "$(since "$TD")"
	wait "$PING_PID"
	sent=$(awk '/packets transmitted/ { print $1 }' "$E2E_OUT/ping-rekey.txt")
	got=$(awk '/packets transmitted/ { print $4 }' "$E2E_OUT/ping-rekey.txt")
	metric rekey_pings_sent_received "${sent:-0}/${got:-0}"
	[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$got" ] ||
		fail "pings lost across the rekey: ${got:-0} of ${sent:-0} answered"
	metric server_isakmp_sas_logged "$(count_log 'ISAKMP SA established')"
	metric server_esp_installs_logged "$(count_log 'ESP SAs installed')"
	esp_rise_check "_after_rekey"
	server_info
	exit 0
fi

# ---- 10. throughput ----
iperf_listening() { in_host server ss -Hltn 2> /dev/null | grep -q ":5201 "; }
iperf_run() { # NAME [iperf3 options]
	name=$1
	shift
	in_host client timeout $((IPERF_SECS + 20)) iperf3 -c "$SERVER_PPP_IP" -t "$IPERF_SECS" -f m "$@" \
		> "$E2E_OUT/iperf3-$name.txt" 2>&1 || { fail "iperf3 $name"; return 1; }
	mbit=$(awk '/receiver/ { print $7 }' "$E2E_OUT/iperf3-$name.txt")
	[ -n "$mbit" ] || { fail "iperf3 $name: no result"; return 1; }
	metric "iperf_${name}_mbit" "$mbit"
}
if [ "$IPERF_SECS" -gt 0 ]; then
	"$TOPO" exec server iperf3 -s -B "$SERVER_PPP_IP" > "$E2E_STATE/server/iperf3-server.log" 2>&1 &
	IPERF_PID=$!
	if wait_for 10 "iperf3 server" iperf_listening; then
		iperf_run up            # client -> server
		iperf_run down -R       # server -> client
	fi
	kill "$IPERF_PID" 2> /dev/null
	IPERF_PID=
fi

exit 0
