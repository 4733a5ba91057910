#!/bin/sh
# tests/unit/run.sh — run the unit tier's Criterion binaries and report every Criterion test as
# one line of the project's test format (ci/tap.sh). Used by `make check-unit`.
#
# Usage: tests/unit/run.sh BUILD TEST.c...
# Each binary runs with --tap into build/test-logs/unit/<test>.tap; its stdout and stderr (the
# sanitizer reports, klog lines) go to <test>.log and are quoted under a failure. A binary that
# is missing (it did not build), or that exits non-zero without reporting a failing test (it
# crashed outside a test), is a failure of its own.
cd "$(dirname "$0")/../.." || exit 1
. ci/tap.sh

build=$1
shift
logs=build/test-logs/unit
mkdir -p "$logs"

tap_begin unit
if [ $# -eq 0 ]; then
	echo "# unit: no tests/unit/**/*_test.c found"
fi
for src in "$@"; do
	t=${src#tests/unit/}
	t=${t%.c}
	bin=$build/unit/$t
	log=$logs/$(echo "$t" | tr / _).log
	tap=${log%.log}.tap
	rm -f "$log" "$tap"
	: >"$tap"
	if [ ! -x "$bin" ]; then
		tap_result fail "unit/$t" "did not build"
		tap_comment_file "$bin.build.log" 20
		continue
	fi
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		timeout -k 5 300 "$bin" --tap="$tap" -j2 >"$log" 2>&1
	status=$?
	failed=0
	# Criterion's TAP: "ok - suite::test  (0.00s)" or "not ok - ...", failure details indented.
	while IFS= read -r line; do
		case $line in
		"ok - "*)
			name=${line#ok - }
			tap_result pass "unit/$t/${name%% *}"
			;;
		"not ok - "*)
			name=${line#not ok - }
			tap_result fail "unit/$t/${name%% *}"
			failed=$((failed + 1))
			;;
		"  "*)
			[ "${last:-}" = fail ] && echo "#   ${line#  }"
			continue
			;;
		esac
		case $line in "not ok"*) last=fail ;; *) last=pass ;; esac
	done <"$tap"
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		tap_result fail "unit/$t" "exit status $status outside any test"
	fi
	if [ "$status" -ne 0 ]; then
		echo "#   log: $log"
		grep -E 'ERROR: |SUMMARY: |runtime error|panic: |Assertion|CRASH|Timeout' "$log" |
			head -n 20 | sed 's/^/#   /'
	fi
done
tap_end
