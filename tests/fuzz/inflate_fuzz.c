/*
 * inflate_fuzz.c — libFuzzer harness for bsd/kern/inflate.c: a gzip'd initramfs is whatever
 * the loader was given, so any bytes must inflate or fail without a fault, as raw DEFLATE and
 * as gzip; what comes out never passes the output buffer, the input used never passes the
 * input, and a successful gzip inflate agrees with the trailer's size.
 */
// fuzz-deps: bsd/kern/inflate.c kernel/iokit/part_table.c
// fuzz-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/kern/inflate.h>

#define OUTCAP (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OUTCAP];
	size_t n, used;

	/* The first byte picks a small output capacity sometimes, to reach the E2BIG paths. */
	size_t cap = size > 0 && (data[0] & 1) ? (size_t)data[0] * 16 : OUTCAP;

	if (inflate_raw(data, size, out, cap, &n, &used) == 0)
		assert(n <= cap && used <= size);
	if (gzip_inflate(data, size, out, cap, &n, &used) == 0) {
		assert(n <= cap && used <= size && used >= 18);
		assert((uint32_t)n == (uint32_t)(data[used - 4] | data[used - 3] << 8 |
						  data[used - 2] << 16 |
						  (uint32_t)data[used - 1] << 24));
	}
	return 0;
}
