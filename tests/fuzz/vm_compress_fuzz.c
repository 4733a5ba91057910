/*
 * vm_compress_fuzz.c — libFuzzer harness for mach/vm/vm_compress.c. Decompression of any bytes
 * must stay inside its buffers (exact-size heap blocks: ASan sees a stray byte) and succeed
 * only with exactly the page's length produced; and whatever the input, as a page, compressed
 * then decompressed, it comes back unchanged.
 */
// fuzz-deps: mach/vm/vm_compress.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mach/vm/vm_compress.h>

#define PAGE 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size ? size : 1), *out = malloc(PAGE), *page = calloc(1, PAGE);
	uint8_t *c = malloc(2 * PAGE);
	size_t clen;

	if (in == NULL || out == NULL || page == NULL || c == NULL)
		abort();
	memcpy(in, data, size);
	(void)vmc_decompress(in, size, out, PAGE);
	/* the input as the start of a page, the rest zeros */
	memcpy(page, data, size < PAGE ? size : PAGE);
	clen = vmc_compress(page, PAGE, c, 2 * PAGE);
	if (clen == 0 || vmc_decompress(c, clen, out, PAGE) != 0 || memcmp(out, page, PAGE) != 0)
		abort();
	free(in);
	free(out);
	free(page);
	free(c);
	return 0;
}
