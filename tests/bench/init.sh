#!/bin/busybox sh
# tests/bench/init.sh — /init of the benchmark initramfs (issue 11): the same script, busybox
# and pagerbench run on Nimbus and on Linux. ci/bench.sh copies it in and reads what it prints.
#
# Protocol on the console (one line each, prefixed so kernel messages in between are ignored):
#   @@BEGIN kernel=K release=R      user space started
#   @@SHA <sha256> pagerbench       the binary that ran
#   @@R name value unit             one figure, as pagerbench printed it
#   @@E workload text               pagerbench's stderr
#   @@FAIL workload rc=N            a workload failed (exit 3 = data read back was wrong)
#   @@SKIP workload reason          a workload not run, and why
#   @@NOTE text                     anything else worth keeping in the log
#   @@END                           all workloads done
#
# Dropping the page cache (the cold workloads): `sync` then `echo 3 > /proc/sys/vm/drop_caches`.
# That is the Linux control; Nimbus is to offer the same file (its sysctl vm.drop_caches exposed
# at that path) so one script serves both. Without it a cold workload is skipped, never run warm
# and reported as cold.
# On Nimbus, proc and sysfs are not there yet (their mounts fail, which is harmless here), and
# neither is drop_caches: tests/bench/README.md lists what its column still lacks.
export PATH=/bin
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /mnt /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /bench.env

echo "@@BEGIN kernel=$(uname -s) release=$(uname -r)"

# bench_quit: leave the machine; poweroff -f on both kernels (ACPI S5).
bench_quit() {
	sync
	poweroff -f
	sleep 5
	echo "@@NOTE poweroff did not stop the machine"
	exec sleep 100000
}

# Linux only: the Debian kernel's virtio and ext4 drivers are modules, listed in load order.
if [ "$(uname -s)" = Linux ] && [ -f /modules.list ]; then
	while read -r m; do
		insmod "/lib/modules/$m" 2>/dev/null || echo "@@NOTE insmod $m failed"
	done </modules.list
fi

n=0
while [ ! -b "$BENCH_DATA_DEV" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
if ! mount -t ext2 "$BENCH_DATA_DEV" /mnt; then
	echo "@@FAIL mount rc=1 (no ext2 data disk at $BENCH_DATA_DEV)"
	echo "@@END"
	bench_quit
fi
echo "@@SHA $(sha256sum /bin/pagerbench)"
[ ! -r /proc/meminfo ] || echo "@@NOTE $(grep MemAvailable /proc/meminfo)"

# bench_run WORKLOAD ARGS...: run pagerbench ARGS and relay its output in the protocol above.
bench_run() {
	br_w=$1
	shift
	/bin/pagerbench "$@" >/tmp/out 2>/tmp/err
	br_rc=$?
	while read -r l; do echo "@@R $l"; done </tmp/out
	while read -r l; do echo "@@E $br_w $l"; done </tmp/err
	[ $br_rc -eq 0 ] || echo "@@FAIL $br_w rc=$br_rc"
}

# bench_cold WORKLOAD ARGS...: drop the page cache, then bench_run; skip if it cannot be dropped.
bench_cold() {
	sync
	if [ -w /proc/sys/vm/drop_caches ] && echo 3 >/proc/sys/vm/drop_caches; then
		bench_run "$@"
	else
		echo "@@SKIP $1 no page-cache drop control (/proc/sys/vm/drop_caches)"
	fi
}

bench_run anon anon "$BENCH_ANON_MIB"
bench_run cow cow "$BENCH_COW_MIB"
bench_run writeback writeback /mnt/wb.dat
bench_cold vnode_cold vnode cold /mnt/big.dat 1
bench_run vnode_warm vnode warm /mnt/small.dat 2
bench_cold read_cold_4k read cold /mnt/big.dat 4096 1
bench_cold read_cold_1m read cold /mnt/big.dat 1048576 1
bench_run read_warm_4k read warm /mnt/small.dat 4096 2
bench_run read_warm_1m read warm /mnt/small.dat 1048576 2
if mkswap "$BENCH_SWAP_DEV" >/dev/null 2>&1 && swapon "$BENCH_SWAP_DEV"; then
	bench_run swap swap "$BENCH_SWAP_MIB"
	swapoff "$BENCH_SWAP_DEV" || echo "@@NOTE swapoff failed"
else
	echo "@@SKIP swap no swap device ($BENCH_SWAP_DEV: mkswap or swapon failed)"
fi
umount /mnt || echo "@@NOTE umount /mnt failed"
echo "@@END"
bench_quit
