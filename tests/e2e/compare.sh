#!/bin/sh
# compare.sh -- our server next to the reference stack, from one `make e2e`
# run: reads build/e2e/runs/summary.txt (or FILE) and prints, for each
# scenario (default: direct nat), the reference's (-s ref) and ours' (-s
# ours) dial-in latency and throughput and the ratio ours/ref:
#   first_ping_s    client IKE daemon start -> first ping reply over ppp0
#   dial_to_ping_s  L2TP dial -> first ping reply
#   rtt_avg_ms      average of the steady pings over ppp0
#   up_mbit         iperf3 TCP client -> server
#   down_mbit       iperf3 TCP server -> client
# A scenario line counts only if it PASSed; a missing or failed one is
# said so and its numbers are not shown. Never prints an "N passed"
# line (scripts/test.sh takes the last one as the stage's count).
#
# usage: tests/e2e/compare.sh [-f FILE] [SCENARIO...]
set -u
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
FILE=${E2E_BUILD:-$E2E_DIR/../../build/e2e}/runs/summary.txt
while getopts "f:h" opt; do
	case $opt in
	f) FILE=$OPTARG ;;
	*) sed -n '2,15p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- direct nat
if [ ! -r "$FILE" ]; then
	echo "compare: no $FILE: nothing to compare (run make e2e)"
	exit 1
fi

# A scenario line belongs to the server named by the next
# "e2e: N passed, M failed (server NAME)" line; the last run of a
# scenario per server wins.
awk -v want="$*" '
	BEGIN {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) wanted[w[i]] = 1
		nm = split("first_ping_s dial_to_ping_s rtt_avg_ms up_mbit down_mbit", mname, " ")
	}
	/^(PASS|FAIL) / { pend[++np] = $0; next }
	/^e2e: [0-9]+ passed, [0-9]+ failed \(server [a-z0-9-]+\)$/ {
		srv = $NF; sub(/\)$/, "", srv)
		for (i = 1; i <= np; i++) {
			split(pend[i], f, " ")
			line[srv, f[2]] = pend[i]
		}
		np = 0
		next
	}
	/^e2e: / { np = 0 }
	function val(l, key,   i, k, v, nf, f) {
		nf = split(l, f, " ")
		for (i = 3; i <= nf; i++) {
			k = f[i]; sub(/=.*/, "", k)
			v = f[i]; sub(/^[^=]*=/, "", v)
			if (k == key) return v
		}
		return ""
	}
	function metric(l, m,   v, r) {
		if (m == "rtt_avg_ms") {
			v = val(l, "rtt_ms")
			if (split(v, r, "/") == 3) return r[2]
			return ""
		}
		return val(l, m)
	}
	function state(s, srv) {
		if (!((srv, s) in line)) return "MISSING (no " srv " line for " s ")"
		if (line[srv, s] !~ /^PASS /) return "FAILED (" srv " " s " did not pass)"
		return ""
	}
	END {
		printf "e2e compare: ours vs the reference stack (strongSwan + xl2tpd + pppd), same run\n"
		printf "%-9s %-15s %10s %10s %9s\n", "scenario", "metric", "ref", "ours", "ours/ref"
		missing = 0
		for (i = 1; i <= n; i++) {
			s = w[i]
			sr = state(s, "ref"); so = state(s, "ours")
			for (j = 1; j <= nm; j++) {
				m = mname[j]
				a = (sr == "") ? metric(line["ref", s], m) : ""
				b = (so == "") ? metric(line["ours", s], m) : ""
				ratio = (a != "" && b != "" && a + 0 > 0) ? sprintf("%.2f", b / a) : "-"
				printf "%-9s %-15s %10s %10s %9s\n", s, m, (a == "" ? "-" : a), (b == "" ? "-" : b), ratio
			}
			if (sr != "") { printf "  %s: ref %s\n", s, sr; missing++ }
			if (so != "") { printf "  %s: ours %s\n", s, so; missing++ }
		}
		if (missing) printf "e2e compare: %d of %d rows incomplete (see above)\n", missing, 2 * n
		exit missing > 0
	}' "$FILE"
