#!/bin/sh
# run-unit.sh BUILD_DIR TEST_BINARY... -- run the cmocka unit tests from the
# repository top, print each binary's result and a closing
# "unit: N passed, M failed" line. Exit 1 if anything failed or crashed.
set -u
build=$1
shift
passed=0
failed=0
log=$build/tests/unit/last-run.log
mkdir -p "$(dirname "$log")"
: > "$log"
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" >> "$log"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0}
	f=${f:-0}
	# A crash (sanitizer report, signal) that cmocka could not count.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]'
		echo "FAIL $(basename "$t"): $p passed, $f failed (exit $rc)"
	else
		echo "ok   $(basename "$t"): $p passed"
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
