#!/bin/bash
# busybox-shell — a person at the serial console of an ext2 root with Debian's busybox-static
# and the image's /etc (config/rootfs: busybox init, rcS mounts /proc): ps, pidof, free, mount,
# df, /proc's files, drop_caches, ^C on a foreground sleep, line editing (the shell's own and
# the kernel's canonical mode under `read`), stty size, `wait` for a background job, touch and
# chmod, and dd, sort, grep, md5sum round trips.
# TCG only (user mode under this host's nested KVM: see user.sh).
. "$(dirname "$0")/lib.sh"
boot_scenario busybox-shell
BOOT_ACCEL=tcg
BOOT_TIMEOUT=90 # a ^C that does not work leaves `sleep 100` running past it
BOOT_PCI_DEVICES=0
BOOT_APPEND="root=LABEL=nimbus-root console=ttyS0"
work=$BOOT_WORKDIR/busybox-shell
tree=$work/tree
rm -rf "$work" && mkdir -p "$tree"/{bin,sbin,dev,etc,proc,sys,tmp,root,usr/bin,usr/sbin}
bb=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! readelf -lW "$b" 2>/dev/null | grep -q INTERP; then
		bb=$b
		break
	fi
done
[ -n "$bb" ] || boot_fail "no static busybox on this host (ci/deps: busybox-static)"
cp "$bb" "$tree/bin/busybox"
# Applet links as ci/mkimage.sh makes them (absolute here: the tree is only this root).
"$bb" --list-full | while IFS= read -r applet; do
	case $applet in bin/busybox | "" | /* | *..*) continue ;; esac
	ln -sf /bin/busybox "$tree/$applet"
done
cp -R config/rootfs/. "$tree/"
# 1 MiB of data whose checksum the host knows, for the cache and dd checks.
head -c 1048576 /dev/urandom >"$tree/data.bin"
sum=$(md5sum <"$tree/data.bin" | cut -d' ' -f1)
if ! { truncate -s 24M "$work/ext2.img" &&
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-root -d "$tree" "$work/ext2.img" \
		>/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$work/gpt.img" nimbus-root="$work/ext2.img"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$work/gpt.img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
BOOT_SHELL_PROMPT="nimbus:/# "
BOOT_SHELL_STATUS=1 # busybox's poweroff ends in reboot(2), which reports 0 to isa-debug-exit
boot_shell_run \
	'ps; echo shell=$$' \
	'pidof init' \
	'free' \
	'mount' \
	'df /' \
	'ls /proc' \
	'cat /proc/meminfo' \
	'cat /data.bin >/dev/null; grep ^Cached /proc/meminfo' \
	'sync; echo 3 > /proc/sys/vm/drop_caches; grep ^Cached /proc/meminfo' \
	'md5sum /data.bin' \
	'echo 4 > /proc/sys/vm/drop_caches || echo refused' \
	$'sleep 100\r{pause}\x03{no-enter}' \
	'echo status=$?' \
	$'echo abcX\x7fd xyZ\bw' \
	$'read -r x; echo "got=[$x]"\r{pause}junk\x15hellX\x7fo wor\x17world' \
	'stty size' \
	'dd if=/data.bin of=/tmp/copy bs=4096 2>/dev/null; md5sum /tmp/copy' \
	$'printf \'pear\\napple\\nfig\\n\' | sort | grep -n p' \
	'grep -c processor /proc/cpuinfo' \
	'cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/self/comm; cat /proc/uptime' \
	'sleep 1 & wait $!; echo waited=$?' \
	'mkdir -p /tmp/d && touch /tmp/d/f && chmod 640 /tmp/d/f && ls -l /tmp/d/f' \
	'touch -d @1000000000 /tmp/d/f && stat -c %Y /tmp/d/f' \
	'umask; umask 077; touch /tmp/d/g; mkdir /tmp/d/e; ls -ld /tmp/d/g /tmp/d/e' \
	'dmesg | grep -m1 "mounted proc"' \
	'tty; readlink /proc/self/fd/3 3</etc/motd; ls /proc/1/fd 2>&1; ls /proc/self/fd' \
	poweroff

# answer_field N REGEX: the first line of answer N matching REGEX, its 2nd field.
answer_field() {
	local cmd=${BOOT_SHELL_CMDS[$(($1 - 1))]}

	grep -Em1 -- "$2" "$BOOT_TRANSCRIPTS/$1-${cmd//[^[:alnum:]]/_}.out" 2>/dev/null |
		awk '{ print $2 }'
}

boot_expect '^vfs: mounted proc on /proc \(proc\)$' "rcS mounting /proc through mount(2)"
boot_answer 1 '^ +1 +root +(/sbin/)?init' "init as pid 1 in ps"
shell=$(grep -Eo '^shell=[0-9]+' "$BOOT_TRANSCRIPTS/1-ps__echo_shell___.out" 2>/dev/null |
	cut -d= -f2)
if [ -n "$shell" ]; then
	boot_answer 1 "^ +$shell +root +-?(/bin/)?sh\$" "the shell (pid $shell) in ps"
else
	boot_fail "the shell did not say its pid (echo \$\$)"
fi
boot_answer 2 '^1$' "init's pid"
boot_answer 3 '^Mem: +[0-9]+ +[0-9]+ +[0-9]+' "the memory line of free"
boot_answer 4 '^/dev/vda1 on / type ext2 \(rw\)' "the root in mount's list"
boot_answer 4 '^proc on /proc type proc \(rw\)' "/proc in mount's list"
boot_answer 5 '^/dev/vda1 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% /$' "the root's usage in df"
boot_answer 6 '(^| )1( |$)' "process 1 in ls /proc"
boot_answer 6 'meminfo' "meminfo in ls /proc"
boot_answer 7 '^MemTotal: +[0-9]+ kB$' "MemTotal"
boot_answer 7 '^SwapTotal: +[0-9]+ kB$' "SwapTotal"
warm=$(answer_field 8 '^Cached:')
cold=$(answer_field 9 '^Cached:')
if [ -z "$warm" ] || [ -z "$cold" ]; then
	boot_fail "no Cached line before or after drop_caches ('$warm', '$cold')"
elif [ $((warm - cold)) -lt 1024 ]; then
	boot_fail "drop_caches freed $((warm - cold)) kB ($warm -> $cold kB); /data.bin is 1024"
else
	BOOT_ACCEL_DESC="$BOOT_ACCEL_DESC, Cached $warm -> $cold kB by drop_caches"
fi
boot_answer 10 "^$sum " "data.bin's checksum after the cache was dropped"
boot_answer 11 'refused' "drop_caches refusing 4"
boot_answer 12 '\^C' "the echo of ^C"
boot_answer 13 '^status=130$' "the status of a sleep ended by ^C"
boot_answer 14 '^abcd xyw$' "the shell's own line editing (DEL and ^H)"
boot_answer 15 '^got=\[hello world\]$' "canonical-mode erase, kill and word erase under read"
boot_answer 16 '^24 80$' "the console's window size"
boot_answer 17 "^$sum " "dd's copy of data.bin"
boot_answer 18 '^1:apple$' "sort piped into grep"
boot_answer 18 '^3:pear$' "sort piped into grep"
boot_answer 19 '^2$' "both CPUs in /proc/cpuinfo"
boot_answer 20 '^/sbin/init *$' "init's command line"
boot_answer 20 '^cat$' "/proc/self/comm"
boot_answer 20 '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' "/proc/uptime"
boot_answer 21 '^waited=0$' "the shell's wait (rt_sigsuspend) for a background sleep"
boot_answer 22 '^-rw-r----- +1 root +root +0 .* /tmp/d/f$' "touch (utimensat) and chmod"
boot_answer 23 '^1000000000$' "the time touch -d set"
boot_answer 24 '^0022$' "the shell's umask"
boot_answer 24 '^-rw------- .* /tmp/d/g$' "a file made under umask 077"
boot_answer 24 '^drwx------ .* /tmp/d/e$' "a directory made under umask 077"
boot_answer 25 '^vfs: mounted proc on /proc \(proc\)$' "dmesg's copy of the kernel's log"
boot_answer 26 '^/dev/console$' "the console's name (tty: /proc/self/fd/0)"
boot_answer 26 '^/etc/motd$' "an open file's path in /proc/self/fd"
boot_answer 26 'Permission denied' "another process's descriptors refused"
boot_answer 26 '^0 +1 .*2' "ls's own descriptors in /proc/self/fd"
boot_expect '^vfs: unmounted /dev/vda1 from /$' "the root unmounted at power-off"
boot_finish
