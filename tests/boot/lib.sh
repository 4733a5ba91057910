# tests/boot/lib.sh — the boot tier's engine: run one scenario's QEMU under a time-out with the
# devices ARCHITECTURE.md promises, keep the serial log, and judge it.
#
# Follows ARCHITECTURE.md, "Testing" (boot tier) and "Interfaces" (test output lines, the
# isa-debug-exit statuses: QEMU exits with (value << 1) | 1, so 1 = every ktest passed,
# 3 = one failed, 5 = panic; 0 = ACPI power-off; 124 = our time-out killed it).
#
# The one idea: a scenario only states what it expects (variables below, then extra checks);
# the judge applies the rules every scenario shares and collects every reason for a failure,
# so the report says why, not just that. A scenario is a small bash file beside this one:
#
#	. "$(dirname "$0")/lib.sh"
#	boot_scenario ktest-all
#	BOOT_APPEND="ktest=all"
#	boot_run
#	boot_expect '^boot: PVH' "the banner names the PVH boot path"
#	boot_finish
#
# Settings (set after boot_scenario, before boot_run):
#	BOOT_APPEND		kernel command line (-append); with BOOT_CDROM it is not used
#	BOOT_ACCEL		auto (KVM when it works here, else TCG), tcg, or kvm (skip without)
#	BOOT_CPU		-cpu model under TCG (default max); KVM uses what the probe found
#	BOOT_TIMEOUT		seconds before the run counts as hung (default 30)
#	BOOT_SMP		number of CPUs (-smp; default 2)
#	BOOT_EXPECT_STATUS	QEMU's exit status (default 1: ktests passed)
#	BOOT_EXPECT_SUMMARY	1: an `N passed, 0 failed` line must appear (default 1)
#	BOOT_EXPECT_PANIC	1: a `panic:` line must appear; 0: it fails the run (default 0)
#	BOOT_CDROM		boot this ISO with -cdrom instead of -kernel
#	BOOT_IMAGE		boot this qcow2 disk through firmware and its own boot loader
#				instead of -kernel; it is the virtio-blk disk (vda) in place of
#				the scratch disk, and QEMU may write it (give each run a copy)
#	BOOT_FIRMWARE		bios (SeaBIOS, default) or uefi (OVMF, with a private copy of its
#				variable store)
#	BOOT_QEMU_EXTRA		an array of more QEMU arguments (extra devices), default ()
#	BOOT_MACHINE		QEMU -M machine (default q35)
#	BOOT_PCI_DEVICES	0: leave out the standard virtio-pci disk, network and console
#				(for machines without PCI, e.g. microvm); default 1
#	BOOT_DRIVER		a command that runs QEMU itself and talks to its serial port
#				(tests/boot/converse.py); it is given --timeout S --log FILE
#				--reason FILE and the QEMU command line after `--`, and exits with
#				QEMU's status (124 when its deadline passed)
#
# Debug-shell scenarios call `boot_shell_run CMD...` instead of boot_run: it types each command
# at the `nimbus> ` prompt (commands may hold spaces; the last is usually poweroff), expects an
# ACPI power-off rather than a ktest summary, and keeps each answer for `boot_answer`.
#
# Results: the serial log is build/test-logs/<name>.log, QEMU's stderr <name>.qemu.log, the
# virtio console <name>.hvc0.log; the verdict goes to <name>.result (first line ok, not ok or
# skip; then the reasons) for tests/boot/run.sh, and to stdout.

BOOT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$BOOT_TOP" || exit 1
# shellcheck source=../../ci/qemu-accel.sh
. ci/qemu-accel.sh

BOOT_ELF=${NIMBUS_ELF:-build/nimbus.elf}
BOOT_LOGDIR=build/test-logs
BOOT_WORKDIR=build/boot

# boot_scenario NAME: start a scenario and reset every setting to its default.
boot_scenario() {
	BOOT_NAME=$1
	BOOT_APPEND=""
	BOOT_ACCEL=auto
	BOOT_CPU=max
	BOOT_TIMEOUT=30
	BOOT_EXPECT_STATUS=1
	BOOT_EXPECT_SUMMARY=1
	BOOT_EXPECT_PANIC=0
	BOOT_CDROM=""
	BOOT_IMAGE=""
	BOOT_FIRMWARE=bios
	BOOT_QEMU_EXTRA=()
	BOOT_MACHINE=q35
	BOOT_PCI_DEVICES=1
	BOOT_DRIVER=""
	BOOT_SHELL_DRIVER=()
	BOOT_SHELL_CMDS=()
	BOOT_TRANSCRIPTS=""
	BOOT_REASONS=()
	BOOT_SKIP=""
	BOOT_STATUS=""
	BOOT_LOG=$BOOT_LOGDIR/$BOOT_NAME.log
	BOOT_QEMU_LOG=$BOOT_LOGDIR/$BOOT_NAME.qemu.log
	BOOT_HVC_LOG=$BOOT_LOGDIR/$BOOT_NAME.hvc0.log
	BOOT_RESULT=$BOOT_LOGDIR/$BOOT_NAME.result
	mkdir -p "$BOOT_LOGDIR" "$BOOT_WORKDIR"
	rm -f "$BOOT_LOG" "$BOOT_QEMU_LOG" "$BOOT_HVC_LOG" "$BOOT_RESULT"
}

# boot_fail REASON: record why the scenario failed (the run goes on to collect more reasons).
boot_fail() {
	BOOT_REASONS+=("$1")
}

# boot_disk: make BOOT_DISK, the scenario's own small ext2 image (one per scenario, since QEMU
# locks an image it may write and scenarios run in parallel).
boot_disk() {
	BOOT_DISK=$BOOT_WORKDIR/$BOOT_NAME.img
	rm -f "$BOOT_DISK"
	truncate -s 8M "$BOOT_DISK" &&
		mke2fs -q -F -t ext2 -L nimbus-test "$BOOT_DISK" >/dev/null 2>&1 ||
		{ boot_fail "could not make the disk image $BOOT_DISK (mke2fs)"; return 1; }
}

# boot_qemu_cmd: fill BOOT_CMD with the QEMU command line for this scenario.
boot_qemu_cmd() {
	local net kvm_cpu

	if [ -n "$BOOT_IMAGE" ]; then
		BOOT_DISK=$BOOT_IMAGE
		BOOT_DISK_FORMAT=qcow2
	else
		boot_disk || return 1
		BOOT_DISK_FORMAT=raw
	fi
	if qemu_has_slirp; then
		# restrict=on: the guest reaches nothing beyond QEMU's own DHCP and DNS.
		net="user,id=net0,restrict=on"
	else
		net="hubport,id=net0,hubid=0" # a link with nobody on the other end
	fi
	BOOT_CMD=("$QEMU" -M "$BOOT_MACHINE" -m 256M -smp "${BOOT_SMP:-2}" -display none -monitor none -no-reboot
		-device isa-debug-exit,iobase=0xf4,iosize=4)
	case $BOOT_ACCEL in
	tcg)
		BOOT_CMD+=(-accel tcg -cpu "$BOOT_CPU")
		BOOT_ACCEL_DESC="TCG -cpu $BOOT_CPU"
		;;
	auto | kvm)
		kvm_cpu=$(qemu_kvm_cpu)
		if [ -n "$kvm_cpu" ]; then
			BOOT_CMD+=(-accel kvm -cpu "$kvm_cpu")
			BOOT_ACCEL_DESC="KVM -cpu $kvm_cpu"
			# Nested KVM (the only KVM these machines have) pays dearly for every VM exit
			# and for each write to a shadowed page-table page: the same boot that takes
			# 2 s under TCG took 30 s there under load. Give it room rather than flake.
			BOOT_TIMEOUT=$((BOOT_TIMEOUT * ${NIMBUS_KVM_SLOWDOWN:-4}))
		elif [ "$BOOT_ACCEL" = kvm ]; then
			BOOT_SKIP="KVM is not usable on this machine"
			return 1
		else
			BOOT_CMD+=(-accel tcg -cpu "$BOOT_CPU")
			BOOT_ACCEL_DESC="TCG -cpu $BOOT_CPU"
		fi
		;;
	*)
		boot_fail "unknown BOOT_ACCEL=$BOOT_ACCEL"
		return 1
		;;
	esac
	if [ "$BOOT_FIRMWARE" = uefi ]; then
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$BOOT_WORKDIR/$BOOT_NAME.vars.fd" ||
			{ boot_fail "no OVMF variable store (Debian package ovmf)"; return 1; }
		BOOT_CMD+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
			-drive "if=pflash,format=raw,file=$BOOT_WORKDIR/$BOOT_NAME.vars.fd")
	fi
	if [ -n "$BOOT_CDROM" ]; then
		BOOT_CMD+=(-cdrom "$BOOT_CDROM")
	elif [ -n "$BOOT_IMAGE" ]; then
		: # the firmware boots the disk
	else
		BOOT_CMD+=(-kernel "$BOOT_ELF" -append "$BOOT_APPEND")
	fi
	if [ "$BOOT_PCI_DEVICES" = 1 ]; then
		BOOT_CMD+=(-drive "file=$BOOT_DISK,format=$BOOT_DISK_FORMAT,if=none,id=disk0"
			-device virtio-blk-pci,drive=disk0
			-netdev "$net" -device virtio-net-pci,netdev=net0,romfile=
			-device virtio-serial-pci,id=vser0
			-chardev "file,id=hvc0,path=$BOOT_HVC_LOG"
			-device virtconsole,chardev=hvc0,bus=vser0.0)
	fi
	BOOT_CMD+=("${BOOT_QEMU_EXTRA[@]}")
}

# boot_run: run QEMU (or BOOT_DRIVER) under the time-out; BOOT_STATUS gets its exit status.
boot_run() {
	local t0 t1

	if [ -n "$BOOT_IMAGE" ] && [ ! -f "$BOOT_IMAGE" ]; then
		boot_fail "no disk image at $BOOT_IMAGE"
		return
	fi
	if [ -z "$BOOT_CDROM" ] && [ -z "$BOOT_IMAGE" ] && [ ! -f "$BOOT_ELF" ]; then
		boot_fail "no kernel at $BOOT_ELF (did the build fail?)"
		return
	fi
	boot_qemu_cmd || return
	t0=$(date +%s.%N)
	if [ ${#BOOT_SHELL_DRIVER[@]} -gt 0 ]; then
		rm -f "$BOOT_LOGDIR/$BOOT_NAME.reason"
		timeout -k 5 $((BOOT_TIMEOUT + 15)) "${BOOT_SHELL_DRIVER[@]}" \
			--timeout "$BOOT_TIMEOUT" --log "$BOOT_LOG" \
			--reason "$BOOT_LOGDIR/$BOOT_NAME.reason" \
			-- "${BOOT_CMD[@]}" -serial stdio 2>"$BOOT_QEMU_LOG"
	elif [ -n "$BOOT_DRIVER" ]; then
		# The driver has its own deadline; the outer one only catches a stuck driver.
		rm -f "$BOOT_LOGDIR/$BOOT_NAME.reason"
		timeout -k 5 $((BOOT_TIMEOUT + 15)) $BOOT_DRIVER --timeout "$BOOT_TIMEOUT" \
			--log "$BOOT_LOG" --reason "$BOOT_LOGDIR/$BOOT_NAME.reason" \
			-- "${BOOT_CMD[@]}" -serial stdio 2>"$BOOT_QEMU_LOG"
	else
		timeout -k 5 "$BOOT_TIMEOUT" "${BOOT_CMD[@]}" -serial "file:$BOOT_LOG" \
			</dev/null >"$BOOT_QEMU_LOG" 2>&1
	fi
	BOOT_STATUS=$?
	t1=$(date +%s.%N)
	BOOT_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# The serial line ends lines with \r\n; the judge reads plain lines.
	[ -f "$BOOT_LOG" ] && sed -i 's/\r$//' "$BOOT_LOG"
	boot_judge
}

# boot_shell_run CMD...: boot_run with tests/boot/converse.py typing CMD... at the debug shell.
# Expects QEMU to power off by itself (status 0) and no ktest summary.
boot_shell_run() {
	local cmd

	BOOT_EXPECT_STATUS=0
	BOOT_EXPECT_SUMMARY=0
	BOOT_TRANSCRIPTS=$BOOT_LOGDIR/$BOOT_NAME.d
	rm -rf "$BOOT_TRANSCRIPTS"
	BOOT_SHELL_CMDS=("$@")
	BOOT_SHELL_DRIVER=(python3 tests/boot/converse.py --transcripts "$BOOT_TRANSCRIPTS")
	for cmd in "$@"; do
		BOOT_SHELL_DRIVER+=(--cmd "$cmd")
	done
	boot_run
}

# boot_answer N REGEX WHAT: the answer to the Nth command of boot_shell_run must have a line
# matching REGEX (grep -E); WHAT says what that line is, for the reason.
boot_answer() {
	local cmd=${BOOT_SHELL_CMDS[$(($1 - 1))]} f

	f=$BOOT_TRANSCRIPTS/$1-${cmd//[^[:alnum:]]/_}.out
	[ -f "$f" ] || { boot_fail "no answer to '$cmd' ($f)"; return 0; }
	grep -Eq -- "$2" "$f" || boot_fail "'$cmd' did not print $3 (answer in $f)"
}

# What an exit status means, for the reasons.
boot_status_name() {
	case $1 in
	0) echo "powered off" ;;
	1) echo "tests passed" ;;
	3) echo "a test failed" ;;
	5) echo "panic" ;;
	124 | 137) echo "killed by the time-out" ;;
	134) echo "QEMU aborted" ;;
	*) echo "QEMU error" ;;
	esac
}

# boot_judge: the rules every scenario shares.
boot_judge() {
	local line summary

	if [ -n "$BOOT_DRIVER" ] && [ -s "$BOOT_LOGDIR/$BOOT_NAME.reason" ]; then
		boot_fail "$(cat "$BOOT_LOGDIR/$BOOT_NAME.reason")"
	fi
	if [ "$BOOT_STATUS" = 124 ] || [ "$BOOT_STATUS" = 137 ]; then
		boot_fail "timed out after ${BOOT_TIMEOUT}s (last serial line: $(boot_last_line))"
	elif [ "$BOOT_STATUS" != "$BOOT_EXPECT_STATUS" ]; then
		boot_fail "QEMU exit status $BOOT_STATUS ($(boot_status_name "$BOOT_STATUS")),\
 expected $BOOT_EXPECT_STATUS ($(boot_status_name "$BOOT_EXPECT_STATUS"))"
	fi
	if [ ! -s "$BOOT_LOG" ]; then
		boot_fail "the serial log is empty"
		return
	fi
	while IFS= read -r line; do
		boot_fail "failed test: $line"
	done < <(grep -E '^not ok [0-9]+' "$BOOT_LOG" | head -n 20)

	line=$(grep -m1 'panic:' "$BOOT_LOG")
	if [ "$BOOT_EXPECT_PANIC" = 1 ] && [ -z "$line" ]; then
		boot_fail "expected a panic: line, found none"
	elif [ "$BOOT_EXPECT_PANIC" != 1 ] && [ -n "$line" ]; then
		boot_fail "kernel panicked: $line"
	fi

	if [ "$BOOT_EXPECT_SUMMARY" = 1 ]; then
		summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$BOOT_LOG" | tail -n 1)
		if [ -z "$summary" ]; then
			boot_fail "no 'N passed, N failed' summary line on the serial log"
		elif ! [[ $summary =~ ^[0-9]+\ passed,\ 0\ failed ]]; then
			boot_fail "summary reports failures: $summary"
		elif [[ $summary =~ ^0\ passed ]]; then
			boot_fail "summary reports no test run: $summary"
		fi
	fi
}

boot_last_line() {
	if [ -s "$BOOT_LOG" ]; then
		grep -v '^[[:space:]]*$' "$BOOT_LOG" | tail -n 1 | cut -c1-100
	else
		echo "none"
	fi
}

# boot_expect REGEX WHAT: an extended regular expression that some log line must match.
boot_expect() {
	[ -n "$BOOT_STATUS" ] || return 0 # QEMU never ran: that reason is already recorded
	grep -Eq -- "$1" "$BOOT_LOG" 2>/dev/null || boot_fail "missing $2 (no line matches /$1/)"
}

# boot_expect_after REGEX1 REGEX2 WHAT: a line matching REGEX2 comes after one matching REGEX1.
boot_expect_after() {
	local a b

	[ -n "$BOOT_STATUS" ] || return 0
	a=$(grep -nE -m1 -- "$1" "$BOOT_LOG" 2>/dev/null | cut -d: -f1)
	if [ -z "$a" ]; then
		boot_fail "missing $3 (no line matches /$1/)"
		return
	fi
	b=$(tail -n "+$((a + 1))" "$BOOT_LOG" | grep -nE -m1 -- "$2" | cut -d: -f1)
	[ -n "$b" ] || boot_fail "missing $3 (no line matching /$2/ after /$1/)"
}

# boot_finish: print and record the verdict; exit 0 if the scenario passed (or was skipped).
boot_finish() {
	local r

	if [ -n "$BOOT_SKIP" ] && [ ${#BOOT_REASONS[@]} -eq 0 ]; then
		printf 'skip\n%s\n' "$BOOT_SKIP" >"$BOOT_RESULT"
		echo "boot $BOOT_NAME: skipped: $BOOT_SKIP"
		exit 0
	fi
	if [ ${#BOOT_REASONS[@]} -eq 0 ]; then
		printf 'ok\n%s, %ss\n' "$BOOT_ACCEL_DESC" "$BOOT_SECONDS" >"$BOOT_RESULT"
		echo "boot $BOOT_NAME: passed ($BOOT_ACCEL_DESC, ${BOOT_SECONDS}s)"
		exit 0
	fi
	{
		echo "not ok"
		for r in "${BOOT_REASONS[@]}"; do echo "$r"; done
		[ -n "${BOOT_ACCEL_DESC:-}" ] &&
			echo "ran under $BOOT_ACCEL_DESC, ${BOOT_SECONDS:-?}s; serial log $BOOT_LOG"
	} >"$BOOT_RESULT"
	echo "boot $BOOT_NAME: FAILED"
	tail -n +2 "$BOOT_RESULT" | sed 's/^/  /'
	exit 1
}
