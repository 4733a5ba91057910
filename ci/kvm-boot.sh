#!/bin/sh
# ci/kvm-boot.sh — boot Nimbus under KVM with every self-test and check that the paravirtual
# platform was taken up: kvmclock selected as the clocksource, steal time registered, and all
# ktests passed. For a machine with /dev/kvm (CI runs under TCG and cannot check this).
#
#   sh ci/kvm-boot.sh [kernel.elf]     default build/nimbus.elf (built if missing)
#
# The -cpu model comes from ci/qemu-accel.sh's probe (`host`, or `host,-arch-capabilities`
# where nested KVM refuses MSR 0x10a); NIMBUS_KVM_CPU overrides it. Prints the log lines that
# prove each point; the whole serial log is build/test-logs/kvm-boot.log.
# Exit status: 0 all checks passed, 1 a check failed, 77 KVM is not usable here (skipped).
cd "$(dirname "$0")/.." || exit 1
. ci/qemu-accel.sh

elf=${1:-build/nimbus.elf}
log=build/test-logs/kvm-boot.log
timeout_s=${NIMBUS_KVM_TIMEOUT:-120}

[ -f "$elf" ] || make --no-print-directory -s all || exit 1
cpu=$(qemu_kvm_cpu)
if [ -z "$cpu" ]; then
	echo "kvm-boot: skip: KVM is not usable on this machine"
	exit 77
fi
mkdir -p "$(dirname "$log")"
echo "kvm-boot: $QEMU -accel kvm -cpu $cpu -kernel $elf -append ktest=all"
timeout "$timeout_s" "$QEMU" -accel kvm -cpu "$cpu" -M q35 -m 256M -smp 2 -display none \
	-monitor none -no-reboot -serial "file:$log" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$elf" -append "ktest=all" </dev/null
status=$?

fail=0
# check WHAT REGEX: print the first matching log line, or record the failure.
check() {
	if line=$(grep -m1 -E "$2" "$log"); then
		echo "  ok: $1: $line"
	else
		echo "  FAILED: $1: no line matching /$2/ in $log"
		fail=1
	fi
}
check "hypervisor" '^hv: KVM .*using it'
check "features" '^hv: KVM features'
check "kvmclock" '^kvmclock: cpu 0 at'
check "clocksource" '^clocksource: kvmclock selected'
check "steal time" '^steal: time registered'
check "PV EOI" '^pv-eoi: enabled'
check "ktests" '^[0-9]+ passed, 0 failed'
if [ "$status" -ne 1 ]; then
	echo "  FAILED: QEMU exit status $status (1 = every ktest passed; 124 = timed out)"
	fail=1
fi
grep -E '^not ok|^panic' "$log" | sed 's/^/  /'
[ "$fail" -eq 0 ] && echo "kvm-boot: ok" || echo "kvm-boot: FAILED (log: $log)"
exit "$fail"
