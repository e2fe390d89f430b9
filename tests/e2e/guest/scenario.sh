#!/bin/sh
# guest/scenario.sh -- one L2TP/IPsec end-to-end scenario, INSIDE the UML
# guest (started by tests/e2e/run.sh through tests/e2e/uml-run).
#
# usage: scenario.sh [--topo direct|nat|nat-random] [--server NAME]
#                    [--client strongswan|libreswan] [--iperf SECS] [--cleartext]
#   --topo    direct: client 192.0.2.2 <-> server 192.0.2.1 (default)
#             nat: client 198.51.100.2 behind a MASQUERADE router (NAT-T,
#             ESP in UDP 4500); nat-random: MASQUERADE --random
#   --server  which server side runs in host "server": guest/server-NAME.sh
#             (default ref: strongSwan + xl2tpd + pppd)
#   --client  which IKE initiator runs in host "client": guest/client-NAME.sh
#             (default strongswan; libreswan needs tests/e2e/setup-libreswan)
#   --iperf   iperf3 seconds in each direction over ppp0 (default
#             $E2E_IPERF_SECS or 4; 0 = skip)
#   --cleartext  negative test instead: the client skips IKE and dials L2TP
#             in clear; passes only if the server refuses (no PPP session
#             within 15 s, no UDP/1701 answer on the wire)
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
usage() {
	sed -n '5,20p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--topo) TOPOLOGY=${2:-}; shift ;;
	--server) SERVER=${2:-}; shift ;;
	--client) CLIENT=${2:-}; shift ;;
	--iperf) IPERF_SECS=${2:-}; shift ;;
	--cleartext) CLEARTEXT=1 ;;
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

mkdir -p "$E2E_OUT" "$E2E_STATE"
: > "$METRICS"
echo "scenario=$TOPOLOGY server=$SERVER client=$CLIENT cleartext=$CLEARTEXT" >> "$METRICS"
log "scenario: topology=$TOPOLOGY server=$SERVER client=$CLIENT iperf=${IPERF_SECS}s cleartext=$CLEARTEXT"

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
case $TOPOLOGY in
direct) "$TOPO" direct ;;
nat) "$TOPO" nat ;;
nat-random) "$TOPO" nat --random ;;
esac || die_now "topology $TOPOLOGY"
trap finish EXIT
server_stage || die_now "server_stage"
client_stage || die_now "client_stage"
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
	[ "$TRIED" -gt 0 ] || fail "the client sent no cleartext L2TP (test broken)"
	[ "$ANSWERED" -eq 0 ] || fail "the server answered cleartext L2TP ($ANSWERED packets)"
	exit 0
fi

# ---- 5. client: IKE, then L2TP/PPP ----
TC=$(now_cs)
client_ike_start || exit 1
in_host client sh -c 'exec xl2tpd -D > /run/xl2tpd.log 2>&1' &
wait_for 15 "client xl2tpd" test -p "$E2E_STATE/client/run/xl2tpd/l2tp-control" || exit 1
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

# ---- 6. steady ping ----
in_host client ping -n -c 20 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > "$E2E_OUT/ping.txt" 2>&1 ||
	fail "ping -c 20 over ppp0"
tail -n 2 "$E2E_OUT/ping.txt" | sed 's/^/  /'
metric ping_loss_pct "$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$E2E_OUT/ping.txt")"
metric ping_rtt_ms "$(sed -n 's/^rtt .* = \([0-9.\/]*\) ms.*/\1/p' "$E2E_OUT/ping.txt")"

# ---- 7. is it really ESP? kernel counters ----
A=$(esp_counter client 2)
in_host client ping -n -c 5 -i 0.2 -I ppp0 "$SERVER_PPP_IP" > /dev/null 2>&1 || fail "ping -c 5 over ppp0"
B=$(esp_counter client 2)
metric client_esp_pkts_before_after_5_pings "$A/$B"
[ "$B" -ge $((A + 10)) ] || fail "client ESP packet counters rose by $((B - A)) for 5 pings, want >= 10"

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
[ -s "$E2E_OUT/server-l2tp-plain.pcap" ] &&
	metric server_decrypted_l2tp_pkts "$(pcap_count "$E2E_OUT/server-l2tp-plain.pcap" '')"
[ "$PLAIN" -eq 0 ] || fail "cleartext L2TP (UDP/1701) on the server's wire: $PLAIN packets"
if [ "$TOPOLOGY" = direct ]; then
	[ "$ESP" -gt 0 ] || fail "no ESP on the server's wire"
else
	[ "$NATT" -gt 0 ] || fail "no ESP-in-UDP/4500 on the server's wire behind NAT"
	tcpdump -n -r "$PCAP" udp 2> /dev/null | awk '{ print $3 }' | sort | uniq -c |
		sed 's/^ */  server sees udp from: /'
fi

# ---- 9. MS-CHAPv2 ----
PPPLOG=$E2E_STATE/client/run/pppd.log
grep -q 'auth chap MS-v2' "$PPPLOG" 2> /dev/null || fail "MS-CHAPv2 not negotiated (client pppd log)"
grep -q 'CHAP authentication succeeded' "$PPPLOG" 2> /dev/null || fail "no CHAP success in the client pppd log"
grep -m1 'rcvd \[CHAP Success' "$PPPLOG" 2> /dev/null | sed 's/^/  client pppd: /'

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
