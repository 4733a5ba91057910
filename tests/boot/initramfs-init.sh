#!/bin/busybox sh
# tests/boot/initramfs-init.sh — /init of the initramfs scenario (tests/boot/initramfs.sh): runs
# as pid 1 from the tmpfs root the kernel unpacked, prints `ok N - name` / `not ok N - name`
# and the `N passed, N failed` summary, then powers off (the harness's isa-debug-exit).
export PATH=/bin
/bin/busybox --install -s /bin
mkdir /tmp
n=0
pass=0
fail=0
# check NAME CMD...: one test.
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		pass=$((pass + 1))
		echo "ok $n - $name"
	else
		fail=$((fail + 1))
		echo "not ok $n - $name"
	fi
}

root_is_writable() {
	mkdir -p /t/sub || return 1
	echo "first" >/t/a || return 1
	mv /t/a /t/sub/b || return 1
	[ ! -e /t/a ] && [ "$(cat /t/sub/b)" = first ] || return 1
	echo "second" >>/t/sub/b || return 1
	[ "$(wc -l </t/sub/b)" = 2 ] || return 1
	ln /t/sub/b /t/hard && ln -s sub/b /t/soft || return 1
	[ "$(cat /t/soft)" = "$(cat /t/hard)" ] && [ "$(readlink /t/soft)" = sub/b ] || return 1
	truncate -s 3 /t/hard && [ "$(cat /t/sub/b)" = fir ] || return 1
	dd if=/dev/zero of=/t/big bs=4096 count=300 2>/dev/null && [ "$(wc -c </t/big)" = 1228800 ] ||
		return 1
	sync && [ "$(wc -c </t/big)" = 1228800 ] || return 1
	rm /t/sub/b /t/hard /t/soft /t/big && rmdir /t/sub || return 1
	[ -z "$(ls /t)" ] && rmdir /t && [ ! -e /t ]
}

check root_is_writable root_is_writable
check fstest_on_tmpfs /bin/fstest /fstest
mount -t devtmpfs devtmpfs /dev
check devtmpfs_has_disks test -b /dev/vdb
check mkswap_swapon sh -c 'mkswap /dev/vdb >/dev/null && swapon /dev/vdb'
# 80 MiB of anonymous memory in a 64 MiB guest: it pages through the swap disk.
check swap_beyond_memory sh -c '/bin/pagerbench swap 80 >/tmp/swap.out'
cat /tmp/swap.out
check swapoff swapoff /dev/vdb
echo "$pass passed, $fail failed"
poweroff -f
