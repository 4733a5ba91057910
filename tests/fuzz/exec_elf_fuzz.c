/*
 * exec_elf_fuzz.c — libFuzzer harness for bsd/kern/exec_elf.c: an executable is untrusted
 * bytes, so any input must parse without a fault or a read outside the image (the reader aborts
 * on one), and an accepted image must satisfy what the loader relies on: 1..ELF_MAX_LOADS
 * segments, sorted, each inside the file and below ELF_VADDR_LIMIT, page-congruent, filesz <=
 * memsz, the span page-aligned and covering them, the entry in an executable segment.
 */
// fuzz-deps: bsd/kern/exec_elf.c kernel/libkern/format.c
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/kern/exec_elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	const uint8_t *p;
	size_t n;
};

static int
rd(void *ctx, uint64_t off, void *out, size_t len)
{
	const struct buf *b = ctx;

	if (off > b->n || len > b->n - off)
		abort();
	memcpy(out, b->p + off, len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = { data, size };
	struct exec_reader r = { rd, &b, size };
	struct elf_image im;
	bool entry_ok = false;

	if (elf_parse(&r, &im) != 0)
		return 0;
	assert(im.ei_nseg >= 1 && im.ei_nseg <= ELF_MAX_LOADS);
	assert(im.ei_lo % ELF_PAGE == 0 && im.ei_hi % ELF_PAGE == 0 && im.ei_lo < im.ei_hi);
	for (unsigned i = 0; i < im.ei_nseg; i++) {
		const struct elf_segment *s = &im.ei_seg[i];

		assert(s->es_filesz <= s->es_memsz && s->es_memsz > 0);
		assert(s->es_offset <= size && s->es_filesz <= size - s->es_offset);
		assert(s->es_vaddr < ELF_VADDR_LIMIT && s->es_memsz <= ELF_VADDR_LIMIT - s->es_vaddr);
		assert(s->es_vaddr % ELF_PAGE == s->es_offset % ELF_PAGE);
		assert(s->es_vaddr >= im.ei_lo && s->es_vaddr + s->es_memsz <= im.ei_hi);
		if (i > 0)
			assert(s->es_vaddr >= im.ei_seg[i - 1].es_vaddr + im.ei_seg[i - 1].es_memsz);
		if (im.ei_entry >= s->es_vaddr && im.ei_entry - s->es_vaddr < s->es_memsz &&
		    (s->es_prot & ELF_PROT_X))
			entry_ok = true;
	}
	assert(entry_ok);
	return 0;
}
