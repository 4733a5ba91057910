#!/bin/sh
# ci/check.sh — the whole of `make check` (ARCHITECTURE.md, "Testing"): build the kernel with
# gcc and with clang, then the unit, boot, fuzz-smoke and bench-smoke tiers, and end with one line
# `N passed, N failed` over everything. Exits non-zero if anything failed.
#
# Every tier reports through ci/tap.sh into one results file, so tests are numbered across
# tiers and each tier prints only a `# <tier> tier: ...` comment for its own count. A tier
# that breaks does not stop the others: a red run shows every failure at once.
cd "$(dirname "$0")/.." || exit 1
. ci/tap.sh

start=$(date +%s)
mkdir -p build/test-results build/test-logs
NIMBUS_TAP=$(pwd)/build/test-results/check.tap
: >"$NIMBUS_TAP"
export NIMBUS_TAP
MAKE=${MAKE:-make}
JOBS=${NIMBUS_JOBS:-2}

# build NAME LOG MAKE-ARGS...: one build counted as one test; its log is quoted on failure.
build() {
	b_name=$1
	b_log=$2
	shift 2
	if $MAKE --no-print-directory -j"$JOBS" "$@" >"$b_log" 2>&1; then
		tap_result pass "$b_name"
	else
		tap_result fail "$b_name" "see $b_log"
		tap_comment_file "$b_log" 25
	fi
}

echo "# build"
tap_begin build
build build-gcc build/test-logs/build-gcc.log all
build build-clang build/test-logs/build-clang.log CC=clang BUILD=build/clang all
tap_end

for tier in unit boot fuzz bench; do
	echo "# $tier"
	t0=$(date +%s)
	$MAKE --no-print-directory -j"$JOBS" "check-$tier" || true
	echo "# $tier tier took $(($(date +%s) - t0))s"
done

echo "# make check took $(($(date +%s) - start))s"
line=$(tap_line)
echo "$line"
[ "$(tap_count fail)" -eq 0 ]
