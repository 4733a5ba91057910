#!/bin/sh
# tests/fuzz/run.sh — run each libFuzzer harness for a fixed time and report each as one test
# (ci/tap.sh). Used by `make fuzz` (long runs) and `make check-fuzz` (smoke runs).
#
# Usage: tests/fuzz/run.sh SECONDS BUILD HARNESS.c...
# A harness passes when libFuzzer ran its seeds and then SECONDS of new inputs without a crash,
# a sanitizer report, a leak, a time-out (10 s an input) or running out of memory. The corpus
# it grows is kept in BUILD/fuzz/corpus/<name>/ for the next run; a crashing input is saved in
# BUILD/fuzz/artifacts/<name>/ and named in the report.
cd "$(dirname "$0")/../.." || exit 1
. ci/tap.sh

secs=$1
build=$2
shift 2

tap_begin fuzz
if [ $# -eq 0 ]; then
	echo "# fuzz: no tests/fuzz/*_fuzz.c found"
fi
mkdir -p build/test-logs/fuzz
for src in "$@"; do
	name=$(basename "$src" _fuzz.c)
	bin=$build/fuzz/${name}_fuzz
	log=build/test-logs/fuzz/$name.log
	corpus=$build/fuzz/corpus/$name
	artifacts=$build/fuzz/artifacts/$name
	if [ ! -x "$bin" ]; then
		tap_result fail "fuzz/$name" "did not build"
		tap_comment_file "$bin.build.log" 20
		continue
	fi
	mkdir -p "$corpus" "$artifacts"
	seeds=""
	[ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
	# shellcheck disable=SC2086 # $seeds is one directory or nothing
	NIMBUS_KLOG_QUIET=1 \
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		timeout -k 5 $((secs + 120)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$corpus" $seeds >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$status" -eq 0 ]; then
		tap_result pass "fuzz/$name" "${runs:-?} inputs in ${secs}s, ${cov:-cov: ?}"
	else
		tap_result fail "fuzz/$name" "exit status $status"
		echo "#   log: $log"
		grep -E 'ERROR: |SUMMARY: |runtime error|panic: |Test unit written|deadly signal' \
			"$log" | head -n 12 | sed 's/^/#   /'
	fi
done
tap_end
