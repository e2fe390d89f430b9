#!/bin/bash
# run.sh -- the project's end-to-end tests: each scenario boots its own UML
# guest (tests/e2e/uml-run) and runs tests/e2e/guest/scenario.sh in it.
#
# usage: tests/e2e/run.sh [-s SERVER] [-i SECS] [-t SECS] [SCENARIO...]
#   SCENARIO  TOPOLOGY[-CLIENT], or cleartext; default: direct nat
#             TOPOLOGY: direct | nat | nat-random
#             CLIENT:   strongswan (default) | libreswan
#             e.g. direct nat nat-random direct-libreswan nat-libreswan
#             cleartext: the client dials L2TP without IPsec; passes if the
#             server refuses it
#   -s SERVER server side: guest/server-SERVER.sh (default ref = strongSwan +
#             xl2tpd + pppd)
#   -i SECS   iperf3 seconds each way (default 4; 0 = no iperf3)
#   -t SECS   time limit per scenario, boot to power-off (default 300)
#
# Needs root and the packages of scripts/deps.sh; no stdin, no network (once
# Libreswan is unpacked, which only the *-libreswan scenarios need).
# Output: build/e2e/runs/<scenario>/ (console.log, metrics.txt, logs/,
# *.pcap, ...) and build/e2e/runs/summary.txt. One line per scenario:
#   PASS|FAIL NAME rc= wall= boot_s= ike_up_s= first_ping_s= dial_to_ping_s=
#             rtt_ms=MIN/AVG/MAX up_mbit= down_mbit=
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
usage() { sed -n '2,28p' "$0" >&2; exit 2; }
while getopts "s:i:t:h" opt; do
	case $opt in
	s) SERVER=$OPTARG ;;
	i) IPERF=$OPTARG ;;
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
: > "$RUNS/summary.txt"

# scenario_args NAME: scenario.sh arguments for a scenario name
scenario_args() {
	local name=$1 topo client=strongswan
	case $name in
	cleartext) echo "--topo direct --server $SERVER --cleartext"; return 0 ;;
	*-libreswan) client=libreswan; topo=${name%-libreswan} ;;
	*-strongswan) topo=${name%-strongswan} ;;
	*) topo=$name ;;
	esac
	case $topo in direct | nat | nat-random) ;; *) return 1 ;; esac
	echo "--topo $topo --client $client --server $SERVER --iperf $IPERF"
}

passed=0
failed=0
for name in "$@"; do
	if ! args=$(scenario_args "$name"); then
		echo "run.sh: unknown scenario '$name' (see $0 -h)" >&2
		failed=$((failed + 1))
		echo "e2e: $name FAIL (unknown scenario)" >> "$RUNS/summary.txt"
		continue
	fi
	out=$RUNS/$name
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
		down_mbit:iperf_down_mbit cleartext_answers:wire_cleartext_l2tp_from_server_pkts; do
		v=$(m "${f#*:}")
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
echo "e2e: $passed passed, $failed failed" | tee -a "$RUNS/summary.txt"
[ "$failed" = 0 ]
