#!/bin/sh
# test.sh -- everything CI runs (`make test`): install dependencies, build
# with warnings as errors, unit tests plain and under ASan+UBSan, each fuzz
# target for FUZZ_SECONDS, and the end-to-end lab in user-mode-linux.
# Each stage ends with an "N passed, M failed" line; the last line here is
# their sum. Exit status 0 only if every stage passed.
set -u
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
export FUZZ_SECONDS=${FUZZ_SECONDS:-30}
total_p=0
total_f=0
mkdir -p build
t_start=$(date +%s)

# stage NAME CMD...: run, show output, add its closing counts to the totals
stage() {
	name=$1
	shift
	log=build/stage-$name.log
	t0=$(date +%s)
	echo "=== $name: $*"
	"$@" > "$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^([a-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(printf '%s' "$line" | sed -n 's/^\([a-z0-9-]*: \)\{0,1\}\([0-9]*\) passed.*/\2/p')
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	# a stage that failed without counting (build error, crash) counts once
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	echo "=== $name: rc=$rc, $p passed, $f failed, $(( $(date +%s) - t0 ))s"
	return "$rc"
}

stage deps ./scripts/deps.sh all || { echo "test: 0 passed, 1 failed"; exit 1; }
if stage build $MAKE -j2 all; then
	stage unit $MAKE check
	stage unit-asan-ubsan $MAKE check-san
	stage fuzz $MAKE fuzz
	stage e2e $MAKE e2e
fi
echo "=== total time $(( $(date +%s) - t_start ))s"
echo "test: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
