/*
 * ksyms.c — look up kernel text addresses in the symbol table that the build embeds.
 *
 * The table is generated from `nm -n` of a first link and linked into .rodata of the second
 * (GNUmakefile); it lists text symbols sorted by address, so lookup is a binary search.
 */
#include <ksyms.h>

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_offsets[];
extern const char ksyms_strings[];
extern const char _text_start[], _text_end[];

const char *
ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)_text_start || addr >= (uint64_t)_text_end || ksyms_count == 0)
		return NULL;
	/* Find the last symbol at or below addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_addrs[lo] > addr)
		return NULL;
	*offset = addr - ksyms_addrs[lo];
	return &ksyms_strings[ksyms_offsets[lo]];
}

uint64_t
ksyms_address(const char *name)
{
	for (uint64_t i = 0; i < ksyms_count; i++)
		if (strcmp(&ksyms_strings[ksyms_offsets[i]], name) == 0)
			return ksyms_addrs[i];
	return 0;
}
