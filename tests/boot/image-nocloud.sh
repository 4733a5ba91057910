#!/bin/bash
# image-nocloud — NoCloud: the cloud image (make image) boots under SeaBIOS with a seed disk
# that ci/mkseed.sh (make seed) builds: ISO 9660 labelled cidata, meta-data with an instance-id
# and local-hostname, user-data a shell script that writes a marker file on the root file
# system and prints it. The image's rcS runs /etc/init.d/nocloud, which finds the seed by its
# label (busybox findfs over /dev), mounts it read-only with the kernel's iso9660 driver
# (mount(2)), sets the hostname (sethostname(2), uname's nodename, /etc/hostname) and runs the
# script. A second boot of the same disk must not run it again (one run per instance-id). After
# poweroff the host checks the root partition with e2fsck -fn and reads the marker back with
# debugfs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image.inc"

boot_scenario image-nocloud
BOOT_ACCEL=tcg # as image-bios: GRUB's real-mode disk reads are slow on nested KVM
BOOT_TIMEOUT=150
BOOT_FIRMWARE=bios
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
image_build
overlay=$BOOT_WORKDIR/image-nocloud.qcow2
seed=$BOOT_WORKDIR/image-nocloud-seed.iso
src=$BOOT_WORKDIR/image-nocloud-seed
fsck_log=$BOOT_LOGDIR/image-nocloud.fsck.log
iid=iid-nocloud-$$

rm -rf "$src" "$overlay"
mkdir -p "$src"
printf 'instance-id: %s\nlocal-hostname: seedhost\n' "$iid" >"$src/meta-data"
cat >"$src/user-data" <<'UD'
#!/bin/sh
echo "marker from user-data on $(hostname)" >/root/nocloud-marker
echo "user-data: wrote $(cat /root/nocloud-marker)"
exit 3
UD
bash ci/mkseed.sh "$seed" "$src/user-data" "$src/meta-data" \
	>"$BOOT_LOGDIR/image-nocloud.seed.log" 2>&1 ||
	boot_fail "ci/mkseed.sh failed: $(tail -n 1 "$BOOT_LOGDIR/image-nocloud.seed.log")"
qemu-img create -q -f qcow2 -b "$BOOT_TOP/build/nimbus.qcow2" -F qcow2 "$overlay" ||
	boot_fail "qemu-img could not make the overlay $overlay"
BOOT_IMAGE=$overlay
BOOT_QEMU_EXTRA=(-drive "file=$seed,format=raw,if=none,id=seed0,readonly=on"
	-device virtio-blk-pci,drive=seed0)
# The shell starts after rcS, so its prompt (PS1 '\h:\w\$ ') already shows the seed's name.
BOOT_SHELL_PROMPT="seedhost:/# "
BOOT_SHELL_STATUS=1 # busybox poweroff: reboot(2) tells isa-debug-exit first
boot_shell_run 'echo "names: $(hostname) $(uname -n) $(cat /etc/hostname)"' \
	"cat /root/nocloud-marker" \
	"ls /run/nocloud/seed | wc -l" poweroff

boot_expect '^virtio-blk vdb: .*read-only' "the seed disk"
boot_expect '^cd9660 vdb: volume "cidata", [0-9]+ blocks of 2048, Rock Ridge$' \
	"the kernel's iso9660 driver mounts the seed"
boot_expect '^nocloud: seed /dev/vdb mounted read-only on /run/nocloud/seed$' \
	"the seed found by its label and mounted"
boot_expect "^nocloud: instance-id $iid\$" "meta-data's instance-id logged"
boot_expect '^nocloud: hostname set to seedhost$' "meta-data's local-hostname set"
boot_expect '^nocloud: running user-data$' "user-data run"
boot_expect '^user-data: wrote marker from user-data on seedhost$' "user-data's output"
boot_expect '^nocloud: user-data exited with status 3$' "user-data's exit status logged"
boot_expect '^nocloud: seed unmounted$' "the seed unmounted"
boot_expect '^rcS: seedhost up$' "rcS goes on after NoCloud"
boot_answer 1 '^names: seedhost seedhost seedhost' "hostname, uname -n and /etc/hostname"
boot_answer 2 '^marker from user-data on seedhost$' "the marker on the root file system"
boot_answer 3 '^0$' "nothing of the seed left mounted"
boot_expect '^vfs: unmounted /dev/vda3 from /$' "the root unmounted clean at poweroff"

# A second boot of the same disk and seed: the same instance, so user-data does not run again
# (cloud-init's scripts-user is per instance); the hostname is applied again.
if [ -n "$BOOT_STATUS" ]; then
	BOOT_LOG=$BOOT_LOGDIR/$BOOT_NAME.again.log
	BOOT_QEMU_LOG=$BOOT_LOGDIR/$BOOT_NAME.again.qemu.log
	BOOT_HVC_LOG=$BOOT_LOGDIR/$BOOT_NAME.again.hvc0.log
	rm -f "$BOOT_LOG" "$BOOT_QEMU_LOG" "$BOOT_HVC_LOG"
	boot_shell_run "cat /root/nocloud-marker" poweroff
	boot_expect "^nocloud: user-data already ran for instance $iid: not run again\$" \
		"user-data not run again for the same instance (second boot)"
	boot_expect '^nocloud: hostname set to seedhost$' "the hostname set again (second boot)"
	boot_answer 1 '^marker from user-data on seedhost$' "the marker kept (second boot)"
	grep -q '^user-data: wrote' "$BOOT_LOG" &&
		boot_fail "user-data ran again on the second boot ($BOOT_LOG)"
fi
if [ -n "$BOOT_STATUS" ]; then
	if ! IMAGE_FSCK_DEBUGFS="cat /root/nocloud-marker" bash ci/image-fsck.sh "$overlay" \
		>"$fsck_log" 2>&1; then
		boot_fail "e2fsck -fn on the root partition after the run: $(tail -n 1 "$fsck_log")"
	elif ! grep -q '^marker from user-data on seedhost$' "$fsck_log"; then
		boot_fail "debugfs does not read the marker back from the root partition ($fsck_log)"
	fi
fi
boot_finish
