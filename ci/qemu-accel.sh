# ci/qemu-accel.sh — choose how QEMU runs the guest: KVM when this machine really offers it,
# TCG otherwise. Sourced (POSIX sh) by ci/run-qemu.sh and tests/boot/lib.sh.
#
# /dev/kvm opening read-write is necessary but not enough: under nested virtualisation some
# hosts refuse MSRs that `-cpu host` asks for (seen here: MSR 0x10a, IA32_ARCH_CAPABILITIES,
# makes QEMU 7.2 abort at vCPU reset). So a candidate CPU model is tried by starting QEMU
# stopped (-S) and quitting it from the monitor; the first model that starts is used.
# NIMBUS_KVM_CPU overrides the probe: a -cpu model to use with KVM, or "none" for TCG.

QEMU=${QEMU:-qemu-system-x86_64}

# qemu_kvm_cpu: print the -cpu model to use with KVM, or nothing when KVM is unusable.
qemu_kvm_cpu() {
	if [ -n "${NIMBUS_KVM_CPU:-}" ]; then
		[ "$NIMBUS_KVM_CPU" = none ] || echo "$NIMBUS_KVM_CPU"
		return 0
	fi
	( exec 3<>/dev/kvm ) 2>/dev/null || return 0
	for qk_cpu in host host,-arch-capabilities; do
		# The subshell keeps the shell's own "Aborted" job message off the terminal.
		if (printf 'quit\n' | timeout 20 "$QEMU" -accel kvm -cpu "$qk_cpu" -M q35 -m 64M \
			-smp 2 -display none -nodefaults -S -monitor stdio) >/dev/null 2>&1; then
			echo "$qk_cpu"
			return 0
		fi
	done
	return 0
}

# qemu_kvm_is_pvm: true when /dev/kvm is Ant Group's PVM (module kvm_pvm, no kvm_intel or
# kvm_amd): it runs kernel code but not an unenlightened guest's user mode (a `syscall` from
# ring 3 arrives still at CPL 3), so whatever boots to user space must use TCG there.
qemu_kvm_is_pvm() {
	[ -d /sys/module/kvm_pvm ] && [ ! -d /sys/module/kvm_intel ] && [ ! -d /sys/module/kvm_amd ]
}

# qemu_has_slirp: true if this QEMU has user-mode networking (-netdev user).
qemu_has_slirp() {
	"$QEMU" -netdev help 2>/dev/null | grep -qx user
}
