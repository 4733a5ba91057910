# ci/tap.sh — the test-report lines every tier prints (ARCHITECTURE.md, "Interfaces"):
# `ok N - name`, `not ok N - name`, and, at the end, `N passed, N failed[, N skipped]`.
#
# Sourced (POSIX sh) by the tier runners. One results file holds a line per test ("pass",
# "fail" or "skip"): ci/check.sh points NIMBUS_TAP at one file for the whole run, so numbers
# run on across tiers and only check.sh prints the closing line; a tier started on its own
# (make check-unit) gets a file of its own and prints its own closing line.

# tap_begin TIER: start reporting for TIER.
tap_begin() {
	tap_tier=$1
	if [ -n "${NIMBUS_TAP:-}" ]; then
		tap_file=$NIMBUS_TAP
		tap_alone=0
	else
		mkdir -p build/test-results
		tap_file=build/test-results/$tap_tier.tap
		: > "$tap_file"
		tap_alone=1
	fi
	tap_first=$(($(wc -l < "$tap_file") + 1))
}

# tap_result pass|fail|skip NAME [COMMENT]: record and print one test's outcome.
tap_result() {
	tap_n=$(($(wc -l < "$tap_file") + 1))
	echo "$1" >> "$tap_file"
	case $1 in
	pass) echo "ok $tap_n - $2${3:+ # $3}" ;;
	skip) echo "ok $tap_n - $2 # SKIP${3:+ $3}" ;;
	*) echo "not ok $tap_n - $2${3:+ # $3}" ;;
	esac
}

# tap_count pass|fail|skip [FIRST]: how many results of that kind, from line FIRST on.
tap_count() {
	tail -n "+${2:-1}" "$tap_file" | grep -c "^$1\$" || true
}

# tap_line [FIRST]: the closing line over results FIRST.. (default: all).
tap_line() {
	tl_p=$(tap_count pass "${1:-1}")
	tl_f=$(tap_count fail "${1:-1}")
	tl_s=$(tap_count skip "${1:-1}")
	if [ "$tl_s" -gt 0 ]; then
		echo "$tl_p passed, $tl_f failed, $tl_s skipped"
	else
		echo "$tl_p passed, $tl_f failed"
	fi
}

# tap_end: close the tier. Prints the closing line when the tier ran alone, a comment line
# otherwise; returns non-zero when a test of this tier failed.
tap_end() {
	if [ "$tap_alone" -eq 1 ]; then
		tap_line "$tap_first"
	else
		echo "# $tap_tier tier: $(tap_line "$tap_first")"
	fi
	[ "$(tap_count fail "$tap_first")" -eq 0 ]
}

# tap_comment_file FILE [MAX]: print the last MAX (default 30) lines of FILE as comments.
tap_comment_file() {
	[ -f "$1" ] || return 0
	tail -n "${2:-30}" "$1" | sed 's/^/#   /'
}
