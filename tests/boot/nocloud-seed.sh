#!/bin/bash
# nocloud-seed — the kernel finds a NoCloud seed by its label: a second virtio-blk disk holds
# an ISO 9660 seed from ci/mkseed.sh (volume identifier cidata); ktest cd9660_seed_by_label
# resolves LABEL=cidata (no GPT label matches, so the kernel probes ISO volume identifiers),
# mounts it with the cd9660 core and reads meta-data back (it skips, and this fails, without).
. "$(dirname "$0")/lib.sh"
boot_scenario nocloud-seed
BOOT_ACCEL=tcg
BOOT_TIMEOUT=60
BOOT_APPEND="ktest=cd9660_seed_by_label"
src=$BOOT_WORKDIR/nocloud-seed
seed=$BOOT_WORKDIR/nocloud-seed.iso
rm -rf "$src" && mkdir -p "$src"
printf '#!/bin/sh\necho hi\n' >"$src/user-data"
bash ci/mkseed.sh "$seed" "$src/user-data" >"$BOOT_LOGDIR/nocloud-seed.seed.log" 2>&1 ||
	boot_fail "ci/mkseed.sh failed: $(tail -n 1 "$BOOT_LOGDIR/nocloud-seed.seed.log")"
BOOT_QEMU_EXTRA=(-drive "file=$seed,format=raw,if=none,id=seed0,readonly=on"
	-device virtio-blk-pci,drive=seed0)
boot_run
boot_expect '^ok [0-9]+ - cd9660_seed_by_label$' "the seed ktest (ran, not skipped)"
boot_expect '^#   meta-data \([0-9]+ bytes, mode 1006[0-7]{2}\)$' "meta-data in the seed's root"
boot_expect '^#   user-data ' "user-data in the seed's root"
boot_finish
