/*
 * bootinfo_mb2_fuzz.c — libFuzzer harness for bootinfo_parse_mb2() (kernel/boot/bootinfo.c):
 * the Multiboot2 information (spec §3.6) is written by the boot loader, so any bytes must give
 * a boot_info that keeps its own bounds, and the tag walk must stay inside `total_size`.
 *
 * The input is physical memory from address 0; the first byte picks the information's
 * address (any alignment, though the spec promises 8). The mapper hands out exact-length
 * copies, so ASan catches a read past the information's declared size.
 */
// fuzz-deps: kernel/boot/bootinfo.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <boot/bootinfo.h>

#include "hosted.h"

static void
check(const struct boot_info *bi)
{
	if (bi->nmem > BOOT_MEM_MAX || bi->nmod > BOOT_MOD_MAX)
		abort();
	if (strnlen(bi->cmdline, sizeof(bi->cmdline)) == sizeof(bi->cmdline) ||
	    strnlen(bi->loader, sizeof(bi->loader)) == sizeof(bi->loader))
		abort();
	if (bi->rsdp_len != 0 && bi->rsdp_len != 20 && bi->rsdp_len != 36)
		abort();
	for (uint32_t i = 0; i < bi->nmem; i++)
		if (bi->mem[i].length == 0 || bi->mem[i].base + bi->mem[i].length < bi->mem[i].base)
			abort();
	for (uint32_t i = 0; i < bi->nmod; i++)
		if (strnlen(bi->mod[i].cmdline, BOOT_NAME_MAX) == BOOT_NAME_MAX)
			abort();
	(void)bootinfo_ram_bytes(bi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	struct hosted_phys hp;

	if (size < 1)
		return 0;
	hosted_phys_init(&hp, data + 1, 0, size - 1);
	if (bootinfo_parse_mb2(&bi, data[0] & 15, hosted_phys_map, &hp) == 0)
		check(&bi);
	hosted_phys_release(&hp);
	return 0;
}
