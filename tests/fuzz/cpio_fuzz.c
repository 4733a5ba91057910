/*
 * cpio_fuzz.c — libFuzzer harness for bsd/kern/cpio.c: the boot archive is whatever the loader
 * was given, so any bytes must walk without a fault, every entry returned must lie inside the
 * buffer (name NUL-terminated, data within bounds), offsets must only advance, and a lookup of
 * every name walked must find an entry of that name.
 */
// fuzz-deps: bsd/kern/cpio.c
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <bsd/kern/cpio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_entry e, f;
	size_t off = 0, prev;
	unsigned n = 0;

	for (;;) {
		prev = off;
		if (cpio_next(data, size, &off, &e) != 1)
			break;
		assert(off > prev && off <= size);
		assert((const uint8_t *)e.ce_name >= data &&
		       (const uint8_t *)e.ce_name + e.ce_namelen < data + size);
		assert(e.ce_name[e.ce_namelen] == '\0' && strlen(e.ce_name) == e.ce_namelen);
		assert(e.ce_data >= data && e.ce_size <= size &&
		       e.ce_data + e.ce_size <= data + size);
		if (n++ < 16) {
			assert(cpio_lookup(data, size, e.ce_name, &f) == 0);
			assert(strcmp(f.ce_name, e.ce_name) == 0);
		}
	}
	return 0;
}
