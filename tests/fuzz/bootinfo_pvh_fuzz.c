/*
 * bootinfo_pvh_fuzz.c — libFuzzer harness for bootinfo_parse_pvh() (kernel/boot/bootinfo.c):
 * the PVH hvm_start_info and everything it points to (Xen arch-x86/hvm/start_info.h) come
 * from the hypervisor, so any bytes must give a boot_info that keeps its own bounds, and the
 * parser must read nothing it did not map. The input's shape and the checks are in
 * bootinfo_fuzz.h.
 */
// fuzz-deps: kernel/boot/bootinfo.c kernel/libkern/format.c
#include "bootinfo_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return bootinfo_fuzz_one(bootinfo_parse_pvh, data, size);
}
