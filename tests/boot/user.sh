#!/bin/bash
# user — the user tier: tests/user/ programs built with musl-gcc (static and static-pie), packed
# with a test init into a cpio "newc" archive given to the kernel as its boot module (-initrd);
# the kernel runs /sbin/init as pid 1, which runs each test by fork/exec/wait4 and prints
# `ok N - name` lines and the summary, then powers off through reboot(2) (isa-debug-exit 0).
# TCG only. XXX: under this machine's nested KVM (AMD, inside Firecracker) the first `syscall`
# arrives at LSTAR still at CPL 3 (#PF with U=1 at syscall_entry, CS 0x2b pushed) with every
# CPU model tried, which SYSCALL cannot do on hardware; it needs checking on bare-metal KVM.
. "$(dirname "$0")/lib.sh"
boot_scenario user
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_APPEND="init=/sbin/init"
root=$BOOT_WORKDIR/user-root
archive=$BOOT_WORKDIR/user.cpio
rm -rf "$root" "$archive" "$BOOT_LOGDIR/user.build.log" && mkdir -p "$root/sbin" "$root/bin" "$root/etc"
ucc() { musl-gcc -O2 -Wall -Werror "$@" 2>>"$BOOT_LOGDIR/user.build.log"; }
# Debian's musl-gcc specs know no -static-pie: link with musl's self-relocating rcrt1.o by hand.
upie() {
	local out=$1 lib
	shift
	lib=/usr/lib/x86_64-linux-musl # musl's crt files (gcc -print-file-name finds glibc's)
	ucc -fPIE -nostartfiles "$lib/rcrt1.o" "$lib/crti.o" "$(gcc -print-file-name=crtbeginS.o)" \
		"$@" "$(gcc -print-file-name=crtendS.o)" "$lib/crtn.o" \
		-Wl,-static,-pie,--no-dynamic-linker,-z,text -o "$out"
}
if ! command -v musl-gcc >/dev/null; then
	boot_fail "musl-gcc is missing (ci/deps installs musl-tools)"
elif ! { ucc -static -o "$root/sbin/init" tests/user/init.c &&
	ucc -static -o "$root/bin/hello" tests/user/hello.c &&
	upie "$root/bin/hello-pie" tests/user/hello.c &&
	ucc -static -o "$root/bin/utest" tests/user/utest.c &&
	upie "$root/bin/utest-pie" tests/user/utest.c; }; then
	boot_fail "the user programs did not build (see $BOOT_LOGDIR/user.build.log)"
fi
printf 'not an ELF file\n' >"$root/etc/not-elf"
# Debian's busybox-static (ci/deps) runs unmodified: the Linux ABI promise.
for bb in /bin/busybox /usr/bin/busybox; do
	if [ -x "$bb" ] && ! readelf -lW "$bb" 2>/dev/null | grep -q INTERP; then
		cp "$bb" "$root/bin/busybox"
		break
	fi
done
[ -x "$root/bin/busybox" ] || boot_fail "no static busybox on this host (ci/deps: busybox-static)"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$archive" ||
	boot_fail "could not build the cpio archive"
BOOT_QEMU_EXTRA=(-initrd "$archive")
boot_run
boot_expect '^bootfs: module 0, [0-9]+ bytes, [0-9]+ entries$' "the kernel found the archive"
boot_expect '^init: pid 1, ' "init runs as pid 1"
boot_expect '^user: SMAP on \(SMEP on\)$' "SMEP and SMAP on (TCG -cpu max has both)"
boot_expect '^hello, world$' "hello world reached the console"
boot_expect '^ok [0-9]+ - fork_cow$' "the fork copy-on-write test"
boot_expect '^ok [0-9]+ - readonly_write_sigsegv$' "a write to a read-only page is SIGSEGV"
boot_expect '^busybox says hello$' "busybox echo's output"
boot_expect '^sh: 42 sub$' "busybox sh arithmetic and command substitution"
boot_expect '^loop 2$' "busybox sh loop"
boot_finish
