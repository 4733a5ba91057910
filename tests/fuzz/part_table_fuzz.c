/*
 * part_table_fuzz.c — libFuzzer harness for kernel/iokit/part_table.c: a disk image is whatever
 * the VM's owner attached, so any bytes must parse without a fault, and whatever the parser
 * accepts must be sane.
 *
 * Input: byte 0 picks the block size (bit 0: 4096, else 512) and whether the disk claims to be
 * larger than the bytes given (bit 1: reads past the data then fail); the rest is the disk.
 * Checked on every input: each partition lies inside the disk, is block aligned and non-empty,
 * no two overlap, the count is in bounds, and labels are NUL-terminated.
 */
// fuzz-deps: kernel/iokit/part_table.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <iokit/part_table.h>

struct img {
	const uint8_t *data;
	size_t len;
};

static kern_return_t
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct img *im = ctx;

	if (off > im->len || len > im->len - off)
		return KERN_FAILURE;
	memcpy(buf, im->data + off, len);
	return KERN_SUCCESS;
}

static struct pt_table pt;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img im;
	uint32_t bs;
	uint64_t disk;

	if (size < 1)
		return 0;
	bs = (data[0] & 1) ? 4096 : 512;
	im.data = data + 1;
	im.len = size - 1;
	disk = (data[0] & 2) ? (uint64_t)im.len * 3 : im.len;
	if (pt_table_read(&pt, "fuzz", disk, bs, img_read, &im) != KERN_SUCCESS)
		return 0;
	if (pt.pt_count > PT_MAX_PARTS)
		abort();
	for (unsigned i = 0; i < pt.pt_count; i++) {
		const struct pt_part *p = &pt.pt_parts[i];

		if (p->pp_size == 0 || p->pp_start % bs || p->pp_size % bs || p->pp_start > disk ||
		    p->pp_size > disk - p->pp_start)
			abort();
		if (memchr(p->pp_label, '\0', sizeof(p->pp_label)) == NULL)
			abort();
		for (unsigned j = 0; j < i; j++) {
			const struct pt_part *q = &pt.pt_parts[j];

			if (p->pp_start < q->pp_start + q->pp_size &&
			    q->pp_start < p->pp_start + p->pp_size)
				abort();
		}
	}
	return 0;
}
