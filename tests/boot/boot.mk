# tests/boot/boot.mk — the boot tier: QEMU boots the kernel and a judge reads the serial log.
#
#   make check-boot                       every scenario (tests/boot/*.sh but lib.sh, run.sh)
#   make check-boot BOOT_SCENARIOS=fault  only the named ones
#   bash tests/boot/fault.sh              one scenario, verdict and reasons on the terminal
#
# Logs: build/test-logs/<scenario>.log (serial), .qemu.log (QEMU's stderr), .hvc0.log.
# The kernel is built first; if it does not build, every scenario reports that it has none.

BOOT_SCENARIOS ?=

.PHONY: check-boot
check-boot:
	@$(MAKE) --no-print-directory -s all || echo "# boot: the kernel did not build"
	@NIMBUS_ELF=$(BUILD)/nimbus.elf bash tests/boot/run.sh $(BOOT_SCENARIOS)
