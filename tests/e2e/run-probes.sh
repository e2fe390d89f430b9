#!/bin/sh
# run-probes.sh -- the lab's component probes, each in its own UML guest:
# guest/xfrm-kernel.sh (ikd's XFRM code against real ESP), guest/kdp-kernel.sh
# (l2tpd's kernel data path: tunnels, sessions, pppd over L2TP) and
# guest/plugin-pppd.sh (our pppd plugin in a real pppd against a real peer),
# guest/run-script.sh (scripts/run.sh, i.e. `make run`, start to Ctrl-C).
#
# usage: tests/e2e/run-probes.sh [-t SECS] [NAME...]   (NAME: xfrm-kernel
#        kdp-kernel plugin-pppd run-script; default all). Needs root and
#        `make all`.
# Output: build/e2e/runs/probe-NAME/, one PASS/FAIL line per probe, and
# `e2e: N passed, M failed (probes)` appended to build/e2e/runs/summary.txt.
set -u
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
RUNS=${E2E_BUILD:-$E2E_DIR/../../build/e2e}/runs
LIMIT=400
if [ "${1:-}" = -t ]; then LIMIT=$2; shift 2; fi
[ $# -gt 0 ] || set -- xfrm-kernel kdp-kernel plugin-pppd run-script
exec < /dev/null
mkdir -p "$RUNS"
passed=0
failed=0
for name in "$@"; do
	out=$RUNS/probe-$name
	rm -rf "$out"
	t0=$(date +%s)
	if [ -f "$E2E_DIR/guest/$name.sh" ]; then
		"$E2E_DIR/uml-run" -q -t "$LIMIT" -o "$out" \
		    "$E2E_DIR/guest/$name.sh" > /dev/null 2>&1
		rc=$?
	else
		rc=2
	fi
	wall=$(($(date +%s) - t0))
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		line="PASS probe-$name rc=0 wall=${wall}s"
	else
		failed=$((failed + 1))
		line="FAIL probe-$name rc=$rc wall=${wall}s"
	fi
	echo "$line" | tee -a "$RUNS/summary.txt"
	if [ "$rc" != 0 ]; then
		grep -h '^fail=' "$out"/metrics.txt 2> /dev/null | head -20
		tail -n 30 "$out/console.log" 2> /dev/null
	fi
done
echo "e2e: $passed passed, $failed failed (probes)" | tee -a "$RUNS/summary.txt"
[ "$failed" = 0 ]
