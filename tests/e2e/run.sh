#!/bin/bash
# run.sh -- the project's end-to-end tests: each scenario boots its own UML
# guest (tests/e2e/uml-run) and runs tests/e2e/guest/scenario.sh in it.
#
# usage: tests/e2e/run.sh [-a] [-s SERVER] [-i SECS] [-q] [-t SECS] [SCENARIO...]
#   SCENARIO  [KIND-]TOPOLOGY[-CLIENT][-p=SET], or cleartext; default:
#             direct nat
#             TOPOLOGY: direct | nat | nat-random
#             CLIENT:   strongswan (default) | libreswan
#             KIND:     wrong-psk | restart | rekey | peer-dead |
#                       wrong-password (TOPOLOGY may then be left out:
#                       direct), see guest/scenario.sh --KIND;
#                       restart2 (direct, strongswan, -s ours only): restart,
#                       then a second client dials in (--second-client)
#             SET:      the client proposes only this set (guest/proposals.sh:
#                       win-ecp384 win-ecp256 win-modp2048 apple android-aes
#                       android-3des; android-* not with libreswan)
#             e.g. direct nat nat-random direct-libreswan nat-libreswan
#             direct-p=win-ecp384 nat-libreswan-p=apple wrong-psk restart
#             cleartext: the client dials L2TP without IPsec; passes if the
#             server refuses it
#             cleartext-noikd: the same with the server's IKE daemon not
#             running (-s ours: l2tpd alone must still refuse it)
#             cert, cert-libreswan: certificate authentication (direct,
#             guest/cert.sh); cert-refused: four certificates the server
#             must refuse, then a good one (strongSwan; ikd's log: -s ours or ikd);
#             cert-frag: cert with the client's IKE in 200-byte fragments
#             cert-ecdsa: cert with an ECDSA client; the server holds an
#             RSA and an ECDSA certificate and must use the ECDSA one
#             matrix-TOPOLOGY[-CLIENT]: TOPOLOGY[-CLIENT]-p=SET for every
#             SET, with each client that can propose it (or only CLIENT)
#   -s SERVER server side: guest/server-SERVER.sh (default ref = strongSwan +
#             xl2tpd + pppd); wrong-psk, restart and -p=SET need ikd or
#             ours; wrong-password (its session log), peer-dead,
#             cleartext-noikd and restart2 need ours
#   -i SECS   iperf3 seconds each way (default 4; 0 = no iperf3)
#   -q        quick: no iperf3 and 5 steady pings instead of 20 (IKE + L2TP +
#             ping only; what CI runs for the matrix)
#   -t SECS   time limit per scenario, boot to power-off (default 300)
#   -a        append to build/e2e/runs/summary.txt instead of starting it
#             afresh (make e2e runs run.sh once per server)
#
# Needs root and the packages of scripts/deps.sh; no stdin, no network (once
# Libreswan is unpacked, which only the *-libreswan scenarios need).
# Output: build/e2e/runs/<scenario>/ (build/e2e/runs/SERVER/<scenario>/
# with -s SERVER other than ref: console.log, metrics.txt, logs/, *.pcap,
# ...) and build/e2e/runs/summary.txt. One line per scenario:
#   PASS|FAIL NAME rc= wall= boot_s= ike_up_s= first_ping_s= dial_to_ping_s=
#             rtt_ms=MIN/AVG/MAX up_mbit= down_mbit= and, where the
#             scenario has them: algs= (negotiated), cleartext_answers=,
#             tmpl_mismatch=, auth_fail_lines=, policy_back_ms=,
#             orphan_sas=, redial_ping_s=, acct_up=, acct_down=,
#             acct_pkts_up=, acct_pkts_down= (-s ours: session counters /
#             iperf3 UDP IP bytes or datagrams), auth_fail=USER/CAUSE,
#             addr_after_fail=, client2_ping_s=, addrs=
# (first_ping_s: from the client's IKE daemon start to the first ping reply
# over ppp0; see README.md for every metric), then
#   e2e: N passed, M failed
# Exit status 0 only if every scenario passed.
set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=$(cd "$E2E_DIR/../.." && pwd)
export E2E_BUILD=${E2E_BUILD:-$E2E_REPO/build/e2e}
RUNS=$E2E_BUILD/runs

SERVER=ref
IPERF=4
LIMIT=300
QUICK=
APPEND=0
usage() { sed -n '2,57p' "$0" >&2; exit 2; }
while getopts "as:i:qt:h" opt; do
	case $opt in
	s) SERVER=$OPTARG ;;
	i) IPERF=$OPTARG ;;
	q) QUICK=--quick IPERF=0 ;;
	a) APPEND=1 ;;
	t) LIMIT=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- direct nat
case $IPERF in '' | *[!0-9]*) usage ;; esac
case $LIMIT in '' | *[!0-9]*) usage ;; esac
[ -f "$E2E_DIR/guest/server-$SERVER.sh" ] || { echo "run.sh: no server module guest/server-$SERVER.sh" >&2; exit 2; }

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: must run as root (UML with the host's / as read-only root)" >&2
	exit 2
fi
exec < /dev/null
"$E2E_DIR/uml-run" -P || { echo "run.sh: host-side preparation failed" >&2; exit 2; }
mkdir -p "$RUNS"
[ "$APPEND" = 1 ] || : > "$RUNS/summary.txt"

# shellcheck source=tests/e2e/guest/proposals.sh
. "$E2E_DIR/guest/proposals.sh"

# scenario_args NAME: scenario.sh arguments for a scenario name (on
# stdout), or the reason it is not one (on stderr) and status 1
scenario_args() {
	local name=$1 base pset="" kind="" topo client=strongswan why
	base=${name%%-p=*}
	[ "$base" != "$name" ] && pset=${name#*-p=}
	case $base in
	cleartext)
		[ -z "$pset" ] || { echo "cleartext takes no proposal set" >&2; return 1; }
		echo "--topo direct --server $SERVER --cleartext"
		return 0
		;;
	cleartext-noikd)
		[ -z "$pset" ] || { echo "cleartext-noikd takes no proposal set" >&2; return 1; }
		echo "--topo direct --server $SERVER --cleartext --no-ikd"
		return 0
		;;
	cert | cert-libreswan | cert-refused | cert-frag | cert-ecdsa)
		[ -z "$pset" ] || { echo "$base takes no proposal set" >&2; return 1; }
		case $base in
		cert) echo "--topo direct --client strongswan --server $SERVER --iperf 0 --quick --cert" ;;
		cert-libreswan) echo "--topo direct --client libreswan --server $SERVER --iperf 0 --quick --cert" ;;
		cert-refused) echo "--topo direct --client strongswan --server $SERVER --iperf 0 --quick --cert-refused" ;;
		cert-frag) echo "--topo direct --client strongswan --server $SERVER --iperf 0 --quick --cert-frag" ;;
		cert-ecdsa) echo "--topo direct --client strongswan --server $SERVER --iperf 0 --quick --cert-ecdsa" ;;
		esac
		return 0
		;;
	wrong-psk | wrong-psk-*) kind=--wrong-psk base=${base#wrong-psk} ;;
	wrong-password | wrong-password-*) kind=--wrong-password base=${base#wrong-password} ;;
	restart2 | restart2-*)
		# a second client after the restart: direct, strongSwan, -s ours
		kind="--restart --second-client" base=${base#restart2}
		case ${base#-} in '' | direct | direct-strongswan) ;; *) echo "restart2 runs only direct with strongswan" >&2; return 1 ;; esac
		[ "$SERVER" = ours ] || { echo "restart2 needs -s ours" >&2; return 1; }
		;;
	restart | restart-*) kind=--restart base=${base#restart} ;;
	rekey | rekey-*) kind=--rekey base=${base#rekey} ;;
	peer-dead | peer-dead-*) kind=--peer-dead base=${base#peer-dead} ;;
	esac
	if [ -n "$kind" ]; then
		base=${base#-}
		base=${base:-direct}
	fi
	case $base in
	*-libreswan) client=libreswan; topo=${base%-libreswan} ;;
	*-strongswan) topo=${base%-strongswan} ;;
	*) topo=$base ;;
	esac
	case $topo in direct | nat | nat-random) ;; *) echo "unknown topology '$topo'" >&2; return 1 ;; esac
	if [ -n "$pset" ]; then
		why=$(proposal_client_ok "$pset" "$client") || { echo "$why" >&2; return 1; }
		pset="--proposal $pset"
	fi
	echo "--topo $topo --client $client --server $SERVER --iperf $IPERF $QUICK $kind $pset"
}

# matrix-TOPOLOGY: every proposal set with each client that supports it
expanded=()
for name in "$@"; do
	case $name in
	matrix-*)
		topo=${name#matrix-} clients="strongswan libreswan"
		case $topo in
		*-strongswan | *-libreswan) clients=${topo##*-} topo=${topo%-*} ;;
		esac
		for c in $clients; do
			for p in $PSET_ALL; do
				proposal_client_ok "$p" "$c" > /dev/null || continue
				suffix=
				[ "$c" = libreswan ] && suffix=-libreswan
				expanded+=("$topo$suffix-p=$p")
			done
		done
		;;
	*) expanded+=("$name") ;;
	esac
done
set -- "${expanded[@]}"

passed=0
failed=0
for name in "$@"; do
	if ! args=$(scenario_args "$name" 2> "$RUNS/why"); then
		echo "run.sh: not a scenario: '$name': $(cat "$RUNS/why") (see $0 -h)" >&2
		failed=$((failed + 1))
		echo "e2e: $name FAIL (unknown scenario)" >> "$RUNS/summary.txt"
		continue
	fi
	# another server's runs of the same name must not replace the
	# reference's (make e2e runs both)
	out=$RUNS/$name
	[ "$SERVER" = ref ] || out=$RUNS/$SERVER/$name
	rm -rf "$out"
	mkdir -p "$out"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086 # $args: options without blanks
	"$E2E_DIR/uml-run" -q -t "$LIMIT" -o "$out" "$E2E_DIR/guest/scenario.sh" $args > "$out/uml-run.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	m() { sed -n "s/^$1=//p" "$out/metrics.txt" "$out/boot.txt" 2> /dev/null | head -n 1; }
	if [ "$rc" = 0 ] && [ "$(m result)" = PASS ]; then
		verdict=PASS
		passed=$((passed + 1))
	else
		verdict=FAIL
		failed=$((failed + 1))
	fi
	# "label=value" for each metric the run produced
	line=$(printf '%-4s %-20s rc=%-3s wall=%ss' "$verdict" "$name" "$rc" "$wall")
	for f in boot_s:guest_cmd_start_s ike_up_s:ike_up_s first_ping_s:client_start_to_ping_s \
		dial_to_ping_s:dial_to_ping_s rtt_ms:ping_rtt_ms up_mbit:iperf_up_mbit \
		down_mbit:iperf_down_mbit algs:negotiated_algs \
		cleartext_answers:wire_cleartext_l2tp_from_server_pkts \
		tmpl_mismatch:server_xfrm_in_tmpl_mismatch_delta auth_fail_lines:ikd_auth_failed_lines \
		server_sas:server_ours_sas policy_back_ms:policy_back_ms \
		orphan_sas:orphan_sas_after_restart redial_ping_s:redial_to_ping_s \
		acct_up:acct_up_ratio acct_down:acct_down_ratio \
		acct_pkts_up:acct_up_pkts_ratio acct_pkts_down:acct_down_pkts_ratio \
		auth_fail:auth_fail_user_cause addr_after_fail:address_after_auth_fail \
		client2_ping_s:client2_dial_to_ping_s addrs:client1_client2_addr; do
		v=$(m "${f#*:}")
		v=${v// /,}
		[ "${f#*:}" = ping_rtt_ms ] && v=${v%/*} # min/avg/max, without mdev
		[ -n "$v" ] && line="$line ${f%%:*}=$v"
	done
	echo "$line"
	echo "$line" >> "$RUNS/summary.txt"
	if [ "$verdict" = FAIL ]; then
		echo "---- $name: failed checks ----"
		sed -n 's/^fail=/  /p' "$out/metrics.txt" 2> /dev/null
		echo "---- $name: last 40 console lines ($out/console.log) ----"
		tail -n 40 "$out/console.log" 2> /dev/null
		tail -n 3 "$out/uml-run.log" 2> /dev/null
		echo "---- end of $name ----"
	fi
done
echo "e2e: $passed passed, $failed failed (server $SERVER)" | tee -a "$RUNS/summary.txt"
[ "$failed" = 0 ]
