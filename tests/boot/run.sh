#!/bin/bash
# tests/boot/run.sh — run boot scenarios, two at a time, and report them in the project's test
# format (ci/tap.sh). Used by `make check-boot`.
#
# Usage: tests/boot/run.sh [SCENARIO...]; with none, every tests/boot/*.sh but lib.sh and
# run.sh. Scenarios run in parallel (NIMBUS_BOOT_JOBS, default 2: the machine has 2 cores);
# each leaves its verdict in build/test-logs/<name>.result, read here in a fixed order.
cd "$(dirname "$0")/../.." || exit 1
. ci/tap.sh
. ci/qemu-accel.sh

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
	for f in tests/boot/*.sh; do
		n=$(basename "$f" .sh)
		[ "$n" = lib ] || [ "$n" = run ] || scenarios+=("$n")
	done
fi

# Probe KVM once for every scenario rather than once each.
if [ -z "${NIMBUS_KVM_CPU:-}" ]; then
	NIMBUS_KVM_CPU=$(qemu_kvm_cpu)
	NIMBUS_KVM_CPU=${NIMBUS_KVM_CPU:-none}
	export NIMBUS_KVM_CPU
fi
echo "# boot: ${#scenarios[@]} scenarios, KVM: $NIMBUS_KVM_CPU"

mkdir -p build/test-logs
for s in "${scenarios[@]}"; do
	rm -f "build/test-logs/$s.result"
done
printf '%s\n' "${scenarios[@]}" |
	xargs -P "${NIMBUS_BOOT_JOBS:-2}" -I{} sh -c '
		if [ -f "tests/boot/$1.sh" ]; then
			bash "tests/boot/$1.sh" >/dev/null 2>&1
		else
			printf "not ok\nno scenario tests/boot/%s.sh\n" "$1" \
				>"build/test-logs/$1.result"
		fi' sh {}

tap_begin boot
for s in "${scenarios[@]}"; do
	r=build/test-logs/$s.result
	if [ ! -f "$r" ]; then
		tap_result fail "boot/$s" "the scenario script ended without a verdict"
		continue
	fi
	case $(head -n 1 "$r") in
	ok) tap_result pass "boot/$s" "$(sed -n 2p "$r")" ;;
	skip) tap_result skip "boot/$s" "$(sed -n 2p "$r")" ;;
	*)
		tap_result fail "boot/$s"
		tail -n +2 "$r" | sed 's/^/#   /'
		;;
	esac
done
tap_end
