#!/bin/bash
# ci/bench.sh — `make bench`: the pager-throughput benchmark of issue 11, Nimbus against Linux.
#
# Builds tests/bench/pagerbench (static, musl) once, an initramfs holding it with busybox and
# tests/bench/init.sh, an ext2 data disk (mke2fs -d, pattern files made by pagerbench itself)
# and a swap disk; then boots Nimbus and Linux (Debian's kernel from /boot) with the same QEMU
# command line but for -kernel/-append, alternating N L N L, and hands the console logs to
# tests/bench/pagertab.py for the table (stdout and build/bench/pager.md) and gnuplot for the
# chart (build/bench/pager.png). Sizes and settings: tests/bench/bench.conf.
#
# The one idea: nothing is typed in. A kernel that cannot run the workloads (one that never
# starts /init) gets "n/a" and the reason seen in its log; one that cannot run some of them gets
# a FAILED or skipped note for each; its figures are never guessed.
# Nimbus is probed once per `make bench`: if its first boot does not start /init, it is not
# booted again.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. ci/qemu-accel.sh
. tests/bench/bench.conf

out=${BENCH_OUT:-build/bench}
mkdir -p "$out/runs"
rm -f "$out"/runs/*.log
say() { echo "bench: $*"; }

sh ci/deps musl-tools linux-image-amd64 busybox-static gnuplot-nox e2fsprogs cpio kmod \
	qemu-system-x86 python3

# The Linux kernel: the newest Debian image in /boot with its modules.
vmlinuz=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
if [ -z "$vmlinuz" ]; then
	echo "bench: no /boot/vmlinuz-* (apt-get install linux-image-amd64)" >&2
	exit 1
fi
kver=${vmlinuz#/boot/vmlinuz-}

# 1. The binary, byte for byte the same on both kernels.
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$out/pagerbench" tests/bench/pagerbench.c
sha=$(sha256sum "$out/pagerbench" | cut -d' ' -f1)
say "pagerbench sha256 $sha"

# 2. The initramfs: busybox, pagerbench, /init, the sizes, and the Linux modules for virtio-blk
# and ext2 (Debian builds them as modules; Nimbus ignores them).
ird=$out/initramfs
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/lib/modules"
cp /bin/busybox "$ird/bin/busybox"
cp "$out/pagerbench" "$ird/bin/pagerbench"
cp tests/bench/init.sh "$ird/init"
chmod 755 "$ird/init" "$ird/bin/pagerbench"
cat >"$ird/bench.env" <<EOF
BENCH_DATA_DEV=$BENCH_DATA_DEV
BENCH_SWAP_DEV=$BENCH_SWAP_DEV
BENCH_ANON_MIB=$BENCH_ANON_MIB
BENCH_COW_MIB=$BENCH_COW_MIB
BENCH_SWAP_MIB=$BENCH_SWAP_MIB
EOF
: >"$ird/modules.list"
for m in virtio_pci virtio_blk crc32c_generic ext4; do
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	rel=${ko#/lib/modules/}
	mkdir -p "$ird/lib/modules/$(dirname "$rel")"
	cp "$ko" "$ird/lib/modules/$rel"
	echo "$rel" >>"$ird/modules.list"
done
(cd "$ird" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out/initramfs.gz"

# 3. The disks, remade when the sizes change (the writeback file is rewritten by every run, with
# a fresh pattern, so reuse is safe).
sizes="$BENCH_BIG_MIB $BENCH_SMALL_MIB $BENCH_WB_MIB $BENCH_SWAP_MIB $sha"
if [ ! -f "$out/disks.stamp" ] || [ "$(cat "$out/disks.stamp")" != "$sizes" ]; then
	say "making disks (data: big.dat ${BENCH_BIG_MIB} MiB, small.dat ${BENCH_SMALL_MIB} MiB," \
		"wb.dat ${BENCH_WB_MIB} MiB; swap $((BENCH_SWAP_MIB + 64)) MiB)"
	rm -rf "$out/data" "$out/data.img" "$out/swap.img"
	mkdir -p "$out/data"
	"$out/pagerbench" mkfile "$out/data/big.dat" "$BENCH_BIG_MIB" 1
	"$out/pagerbench" mkfile "$out/data/small.dat" "$BENCH_SMALL_MIB" 2
	"$out/pagerbench" mkfile "$out/data/wb.dat" "$BENCH_WB_MIB" 3
	data_mib=$(((BENCH_BIG_MIB + BENCH_SMALL_MIB + BENCH_WB_MIB) * 110 / 100 + 16))
	mke2fs -q -F -t ext2 -L benchdata -d "$out/data" "$out/data.img" "${data_mib}M" >/dev/null
	rm -rf "$out/data"
	truncate -s "$((BENCH_SWAP_MIB + 64))M" "$out/swap.img"
	echo "$sizes" >"$out/disks.stamp"
fi

# 4. The machine, the same for both kernels.
kvm_cpu=$(qemu_kvm_cpu)
if [ -n "$kvm_cpu" ] && qemu_kvm_is_pvm; then
	say "accelerator: /dev/kvm is PVM, which runs neither kernel's user space: TCG for both"
	kvm_cpu=
fi
if [ -n "$kvm_cpu" ]; then
	accel="-accel kvm -cpu $kvm_cpu"
else
	accel="-accel tcg -cpu max"
fi
set_machine() {
	machine="-M $BENCH_MACHINE -m ${BENCH_MEM_MIB}M -smp $BENCH_SMP $accel -nodefaults -display none
	-monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4
	-drive file=$out/data.img,format=raw,if=none,id=data,cache=$BENCH_DISK_CACHE
	-device virtio-blk-pci,drive=data
	-drive file=$out/swap.img,format=raw,if=none,id=swap,cache=$BENCH_DISK_CACHE
	-device virtio-blk-pci,drive=swap
	-initrd $out/initramfs.gz"
}
set_machine

# Nimbus: build it if needed; no kernel is a reason for n/a, not an error.
nimbus_na=""
if ! make --no-print-directory -s all >"$out/nimbus-build.log" 2>&1; then
	nimbus_na="Nimbus did not build (see $out/nimbus-build.log)"
fi

# run_guest KERNEL LOG BEGIN-LIMIT: one boot; returns when the guest is off, or stops it at
# BENCH_RUN_TIMEOUT_S, or at BEGIN-LIMIT seconds (0: none) if /init has not started by then.
# Nimbus is also stopped as soon as it is seen at its debug-shell prompt without /init started.
run_guest() {
	rg_kernel=$1
	rg_log=$2
	rg_begin=$3
	if [ "$rg_kernel" = linux ]; then
		set -- -kernel "$vmlinuz" -append "$BENCH_LINUX_APPEND"
	else
		set -- -kernel build/nimbus.elf -append "$BENCH_NIMBUS_APPEND"
	fi
	: >"$rg_log"
	# shellcheck disable=SC2086 # $machine is a list of words
	timeout "$BENCH_RUN_TIMEOUT_S" "$QEMU" $machine -serial "file:$rg_log" "$@" \
		2>"$rg_log.qemu" &
	rg_pid=$!
	rg_t0=$(date +%s)
	while kill -0 "$rg_pid" 2>/dev/null; do
		if ! grep -q '^@@BEGIN' "$rg_log"; then
			if [ "$rg_kernel" = nimbus ] && grep -q 'nimbus> ' "$rg_log"; then
				kill "$rg_pid" 2>/dev/null || true
				break
			fi
			if [ "$rg_begin" -gt 0 ] && [ $(($(date +%s) - rg_t0)) -ge "$rg_begin" ]; then
				kill "$rg_pid" 2>/dev/null || true
				break
			fi
		fi
		sleep 1
	done
	wait "$rg_pid" 2>/dev/null || true
}

# write_settings: what the .md quotes under "Settings".
settings=$out/settings.txt
write_settings() {
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) CPUs, $(uname -r)"
		echo "BENCH_SIZE=${BENCH_SIZE:-small}; repetitions per kernel: $BENCH_REPS, alternating" \
			"Nimbus, Linux"
		echo "QEMU: $("$QEMU" --version | head -n 1)"
		echo "machine (both kernels):" $machine
		echo "accelerator: ${accel#-accel }"
		echo "Linux: $vmlinuz, append \"$BENCH_LINUX_APPEND\""
		echo "Nimbus: build/nimbus.elf ($(git rev-parse --short=12 HEAD 2>/dev/null || echo ?))," \
			"append \"$BENCH_NIMBUS_APPEND\""
		echo "pagerbench sha256: $sha"
		ws_big="larger than the ${BENCH_MEM_MIB} MiB RAM"
		[ "$BENCH_BIG_MIB" -gt "$BENCH_MEM_MIB" ] ||
			ws_big="NOT larger than the ${BENCH_MEM_MIB} MiB RAM: cold rests on the drop alone"
		echo "files: big.dat ${BENCH_BIG_MIB} MiB (cold; $ws_big)," \
			"small.dat ${BENCH_SMALL_MIB} MiB (warm), wb.dat ${BENCH_WB_MIB} MiB (writeback)"
		echo "anonymous: zero-fill ${BENCH_ANON_MIB} MiB, COW ${BENCH_COW_MIB} MiB," \
			"swap working set ${BENCH_SWAP_MIB} MiB" \
			"($((BENCH_SWAP_MIB / BENCH_MEM_MIB))x RAM)" \
			"on a $((BENCH_SWAP_MIB + 64)) MiB swap disk"
		echo "cold workloads: sync; echo 3 > /proc/sys/vm/drop_caches before each (both kernels)"
	} >"$settings"
}

# run_series: every run, N L N L. Returns 2 (after the first Linux run) when Linux under KVM did
# not start /init within BENCH_LINUX_PROBE_S: this machine's KVM cannot run it, so the caller
# starts the series again with both kernels under TCG.
run_series() {
	total=$((2 * BENCH_REPS))
	n=0
	nimbus_probed=""
	logs=()
	rm -f "$out"/runs/*
	for rep in $(seq 1 "$BENCH_REPS"); do
		for kernel in nimbus linux; do
			n=$((n + 1))
			log=$out/runs/$(printf '%02d' "$n")-$kernel.log
			if [ "$kernel" = nimbus ] && [ -n "$nimbus_na" ]; then
				say "run $n/$total: nimbus rep $rep skipped: $nimbus_na"
				continue
			fi
			say "run $n/$total: $kernel rep $rep (${accel#-accel }) ..."
			t0=$(date +%s)
			begin=0
			if [ "$kernel" = nimbus ] && [ -z "$nimbus_probed" ]; then
				begin=$BENCH_NIMBUS_PROBE_S
			elif [ "$kernel" = linux ] && [ "$rep" = 1 ] && [ -n "$kvm_cpu" ]; then
				begin=$BENCH_LINUX_PROBE_S
			fi
			run_guest "$kernel" "$log" "$begin"
			figs=$(grep -c '^@@R ' "$log" || true)
			fails=$(grep -c '^@@FAIL ' "$log" || true)
			end=$(grep -q '^@@END' "$log" && echo done || echo "did not finish")
			say "run $n/$total: $kernel rep $rep: $(($(date +%s) - t0)) s, $figs figures," \
				"$fails failures, $end"
			if [ "$kernel" = linux ] && [ "$rep" = 1 ] && [ -n "$kvm_cpu" ] &&
				! grep -q '^@@BEGIN' "$log"; then
				return 2
			fi
			if [ "$kernel" = nimbus ] && [ -z "$nimbus_probed" ]; then
				nimbus_probed=1
				if ! grep -q '^@@BEGIN' "$log"; then
					if grep -q 'nimbus> ' "$log"; then
						nimbus_na="Nimbus has no user space yet: it booted to its debug shell"
					else
						nimbus_na="Nimbus has no user space yet: /init did not start in"
						nimbus_na="$nimbus_na ${BENCH_NIMBUS_PROBE_S} s"
					fi
					nimbus_na="$nimbus_na (log: $log)"
					continue
				fi
			fi
			logs+=("$kernel:$log")
		done
	done
	return 0
}

# XXX: on this project's build machine (nested KVM) Linux hangs in its decompressor under KVM,
# so every run there falls back to TCG; a KVM table needs a host whose KVM boots Linux.
write_settings
sed 's/^/bench: /' "$settings"
nimbus_na0=$nimbus_na
if ! run_series; then
	say "Linux did not start /init under KVM (${kvm_cpu}) within ${BENCH_LINUX_PROBE_S} s" \
		"(see $out/runs/02-linux.log): starting again with both kernels under TCG"
	kvm_cpu=""
	accel="-accel tcg -cpu max"
	set_machine
	nimbus_na=$nimbus_na0
	write_settings
	echo "accelerator fallback: KVM here could not boot Linux (its first run never reached" \
		"/init), so every run used TCG" >>"$settings"
	run_series
fi

na=()
[ -z "$nimbus_na" ] || na=(--na "nimbus=$nimbus_na")
echo
python3 tests/bench/pagertab.py --md "$out/pager.md" --dat "$out/pager.dat" \
	--settings "$settings" "${na[@]}" "${logs[@]}"
has_nimbus=0
case " ${logs[*]} " in *" nimbus:"*) has_nimbus=1 ;; esac
gnuplot -e "dat='$out/pager.dat'; png='$out/pager.png'; nimbus=$has_nimbus" tests/bench/pager.gp
say "wrote $out/pager.md and $out/pager.png"
