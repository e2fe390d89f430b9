#!/bin/sh
# demo.sh -- `make demo`: the whole dial-in, inside the UML lab (a kernel
# with ESP, L2TP and PPP): our server (ikd + l2tpd + pppd with our plugin)
# and a real client (strongSwan + xl2tpd + pppd, MS-CHAPv2) on two network
# namespaces joined by a veth pair. This is tests/e2e/run.sh -s ours -q
# direct (see tests/e2e/README.md); afterwards it prints the client's
# address, the server's PPP address and the ping through the tunnel.
set -u
cd "$(dirname "$0")/.." || exit 2
out=build/e2e/runs/ours/direct

if [ "$(id -u)" != 0 ]; then
	echo "demo: must run as root (it boots a user-mode-linux guest)" >&2
	exit 2
fi
echo "demo: booting the lab: server = ikd + l2tpd + pppd (our plugin)," \
    "client = strongSwan + xl2tpd + pppd; about 2 minutes"
tests/e2e/run.sh -s ours -q direct
rc=$?
metric() { sed -n "s/^$1=//p" "$out/metrics.txt" 2> /dev/null | tail -1; }
# "PING 203.0.113.1 (203.0.113.1) from 203.0.113.10 ppp0: ..."
head=$(head -1 "$out/ping.txt" 2> /dev/null)
server_ppp=$(printf '%s\n' "$head" | sed -n 's/^PING \([0-9.]*\) .*/\1/p')
client_ppp=$(printf '%s\n' "$head" | sed -n 's/.* from \([0-9.]*\) .*/\1/p')
if [ "$rc" != 0 ] || [ -z "$server_ppp" ] || [ -z "$client_ppp" ]; then
	echo "demo: FAILED (run.sh exit $rc); see $out/console.log and" \
	    "$out/logs/" >&2
	exit 1
fi
echo
echo "demo: the client dialled in over L2TP/IPsec"
echo "  IKE (Main Mode + Quick Mode) up in $(metric ike_up_s) s;" \
    "dial to PPP up: $(metric dial_to_ppp_s) s"
echo "  client's address (its ppp0):  $client_ppp" \
    "(user/address as l2tpd logged it: $(metric l2tpd_end_user_addr))"
echo "  server's PPP address:         $server_ppp"
echo "  ping from the client to the server through ESP + L2TP + PPP:"
sed 's/^/    /' "$out/ping.txt"
echo "  logs: $out/logs/server/ (ikd.log, l2tpd.log), $out/logs/client/" \
    "(charon.log, xl2tpd.log, pppd.log), $out/sessions.jsonl," \
    "$out/console.log, $out/*.pcap"
