#!/bin/sh
# run-fuzz.sh SECONDS FUZZER... -- run each libFuzzer target for SECONDS on
# a scratch copy of its seed corpus (tests/fuzz/corpus/<name>/, <name> being
# the target without its fuzz_ prefix). New inputs stay in build/fuzz/, the
# committed corpus is not touched. A crash fails the run and its input is
# kept in build/fuzz/<target>-artifacts/ (turn it into a unit test first).
set -u
secs=$1
shift
passed=0
failed=0
for f in "$@"; do
	name=$(basename "$f")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=build/fuzz/$name-corpus
	art=build/fuzz/$name-artifacts/
	mkdir -p "$work" "$art"
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		echo "FAIL $name: no seed corpus in $seeds"
		failed=$((failed + 1))
		continue
	fi
	cp -n "$seeds"/* "$work"/ 2>/dev/null
	log=build/fuzz/$name.log
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$art" -print_final_stats=1 "$work" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "ok   $name: ${runs:-?} runs in ${secs}s, $cov"
		passed=$((passed + 1))
	else
		tail -40 "$log"
		echo "FAIL $name (exit $rc): artifacts in $art"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
