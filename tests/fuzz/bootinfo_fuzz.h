/*
 * bootinfo_fuzz.h — what the two boot-information harnesses (bootinfo_pvh_fuzz.c,
 * bootinfo_mb2_fuzz.c) share: the promises bootinfo.h makes about any record it fills, and the
 * run of one input through a parser.
 *
 * The input is the guest's physical memory from address 0 up (so pointers inside it are small
 * numbers the fuzzer finds easily); the first byte picks where in it the loader's structure
 * lies, at any alignment. The mapper (tests/unit/support/hosted.c) hands out exact-length
 * copies, so ASan catches a read one byte past a mapped range.
 */
#ifndef _TESTS_FUZZ_BOOTINFO_FUZZ_H_
#define _TESTS_FUZZ_BOOTINFO_FUZZ_H_

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <boot/bootinfo.h>

#include "hosted.h"

typedef int (*bootinfo_parse_fn)(struct boot_info *, uint64_t, boot_map_fn, void *);

/* What bootinfo.h promises about any record it fills, whatever the input. */
static void
bootinfo_fuzz_check(const struct boot_info *bi)
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
		if (strnlen(bi->mod[i].cmdline, BOOT_NAME_MAX) == BOOT_NAME_MAX ||
		    bi->mod[i].base + bi->mod[i].size < bi->mod[i].base)
			abort();
	(void)bootinfo_ram_bytes(bi);
	for (uint32_t i = 0; i < bi->nmem; i++)
		(void)bootinfo_mem_type_name(bi->mem[i].type);
}

static int
bootinfo_fuzz_one(bootinfo_parse_fn parse, const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	struct hosted_phys hp;

	if (size < 1)
		return 0;
	hosted_phys_init(&hp, data + 1, 0, size - 1);
	if (parse(&bi, data[0] & 15, hosted_phys_map, &hp) == 0)
		bootinfo_fuzz_check(&bi);
	hosted_phys_release(&hp);
	return 0;
}

#endif /* _TESTS_FUZZ_BOOTINFO_FUZZ_H_ */
