/*
 * bootinfo_mb2_fuzz.c — libFuzzer harness for bootinfo_parse_mb2() (kernel/boot/bootinfo.c):
 * the Multiboot2 information (spec §3.6) is written by the boot loader, so any bytes must give
 * a boot_info that keeps its own bounds, and the tag walk must stay inside `total_size`.
 * The input's shape and the checks are in bootinfo_fuzz.h.
 */
// fuzz-deps: kernel/boot/bootinfo.c kernel/libkern/format.c
#include "bootinfo_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return bootinfo_fuzz_one(bootinfo_parse_mb2, data, size);
}
