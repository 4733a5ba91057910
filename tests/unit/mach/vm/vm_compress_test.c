/*
 * vm_compress_test.c — mach/vm/vm_compress.c: every page comes back byte for byte — random
 * (incompressible: compress reports 0 at a cap below the page), runs, repeated words, text-like
 * and sparse pages, mixtures at random offsets — at every cap from too small to ample; a
 * truncated compression is refused, and a corrupted one never writes outside the output (the
 * buffers sit inside guard bytes).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <mach/vm/vm_compress.h>

#define PAGE 4096
#define GUARD 64

static uint8_t inbuf[PAGE], cbuf[GUARD + 2 * PAGE + GUARD], obuf[GUARD + PAGE + GUARD];

static void
fill(int kind, unsigned seed)
{
	srandom(seed);
	switch (kind) {
	case 0: /* random */
		for (int i = 0; i < PAGE; i++)
			inbuf[i] = (uint8_t)random();
		break;
	case 1: /* one byte */
		memset(inbuf, (int)(seed & 0xff), PAGE);
		break;
	case 2: /* a repeated 8-byte word (a page of pointers to one place) */
		for (int i = 0; i < PAGE; i += 8) {
			uint64_t w = 0xffff800000000000ull + seed;

			memcpy(inbuf + i, &w, 8);
		}
		break;
	case 3: { /* text-like: words drawn from a small vocabulary */
		static const char *words[] = { "the ", "kernel ", "pager ", "returns ", "a ",
					       "page ", "to ", "its ", "object ", "when ",
					       "memory ", "runs ", "low ", "and ", "then " };
		for (int i = 0; i < PAGE;) {
			const char *w = words[random() % 15];

			for (; *w != '\0' && i < PAGE; w++, i++)
				inbuf[i] = (uint8_t)*w;
		}
		break;
	}
	case 4: /* sparse: zeros with a few random words */
		memset(inbuf, 0, PAGE);
		for (int k = 0; k < 40; k++)
			inbuf[random() % PAGE] = (uint8_t)random();
		break;
	default: /* mixture: random runs of each */
		for (int i = 0; i < PAGE;) {
			int run = 1 + (int)(random() % 300), b = (int)random();

			for (int k = 0; k < run && i < PAGE; k++, i++)
				inbuf[i] = (random() & 3) ? (uint8_t)b : (uint8_t)random();
		}
		break;
	}
}

static void
round_trip(int kind, unsigned seed, size_t cap)
{
	size_t clen;

	memset(cbuf, 0xc3, sizeof(cbuf));
	memset(obuf, 0x3c, sizeof(obuf));
	clen = vmc_compress(inbuf, PAGE, cbuf + GUARD, cap);
	for (size_t i = 0; i < GUARD; i++)
		cr_assert_eq(cbuf[i], 0xc3);
	for (size_t i = GUARD + cap; i < sizeof(cbuf); i++)
		cr_assert_eq(cbuf[i], 0xc3, "kind %d cap %zu: wrote past the cap", kind, cap);
	if (clen == 0)
		return;
	cr_assert_leq(clen, cap);
	cr_assert_eq(vmc_decompress(cbuf + GUARD, clen, obuf + GUARD, PAGE), 0,
		     "kind %d seed %u cap %zu", kind, seed, cap);
	cr_assert_arr_eq(obuf + GUARD, inbuf, PAGE, "kind %d seed %u", kind, seed);
}

Test(vm_compress, round_trips_at_every_cap)
{
	for (int kind = 0; kind < 6; kind++)
		for (unsigned seed = 1; seed < 40; seed++) {
			fill(kind, seed);
			round_trip(kind, seed, 2 * PAGE);
			for (size_t cap = 1; cap < PAGE; cap += 97)
				round_trip(kind, seed, cap);
		}
}

Test(vm_compress, ratios)
{
	static const char *names[] = { "random", "one byte", "word", "text", "sparse", "mixed" };
	size_t clen;

	for (int kind = 0; kind < 6; kind++) {
		fill(kind, 7);
		clen = vmc_compress(inbuf, PAGE, cbuf, 2 * PAGE);
		cr_log_info("%s: %zu bytes", names[kind], clen);
		if (kind == 0)
			cr_assert_eq(vmc_compress(inbuf, PAGE, cbuf, PAGE * 3 / 4), 0,
				     "random data does not compress");
		else if (kind == 3) /* short words cost a 3-byte match each: about half */
			cr_assert_lt(clen, PAGE * 3 / 4, "%s: %zu bytes", names[kind], clen);
		else if (kind != 5) /* runs, repeated words, sparse pages: a few hundred bytes */
			cr_assert_lt(clen, PAGE / 8, "%s: %zu bytes", names[kind], clen);
	}
	fill(1, 0);
	cr_assert_lt(vmc_compress(inbuf, PAGE, cbuf, 2 * PAGE), 40, "a run is a few bytes");
}

Test(vm_compress, corrupt_input_refused)
{
	size_t clen;
	unsigned refused = 0;

	fill(5, 3);
	clen = vmc_compress(inbuf, PAGE, cbuf + GUARD, 2 * PAGE);
	cr_assert_gt(clen, 0);
	/* Every truncation is refused (the total is wrong or a field runs off the end). */
	for (size_t cut = 0; cut < clen; cut++)
		cr_assert_eq(vmc_decompress(cbuf + GUARD, cut, obuf + GUARD, PAGE), -1, "cut %zu",
			     cut);
	/* Random byte flips: never a write outside the output. */
	srandom(5);
	for (int i = 0; i < 20000; i++) {
		uint8_t saved;
		size_t at = (size_t)random() % clen;

		saved = cbuf[GUARD + at];
		cbuf[GUARD + at] ^= (uint8_t)(1 + random() % 255);
		memset(obuf, 0x3c, sizeof(obuf));
		refused += vmc_decompress(cbuf + GUARD, clen, obuf + GUARD, PAGE) != 0;
		for (size_t k = 0; k < GUARD; k++)
			cr_assert(obuf[k] == 0x3c && obuf[GUARD + PAGE + k] == 0x3c);
		cbuf[GUARD + at] = saved;
	}
	cr_assert_gt(refused, 0); /* a flipped literal still decodes, to other bytes */
	cr_assert_eq(vmc_decompress(cbuf + GUARD, clen, obuf + GUARD, PAGE - 1), -1);
	cr_assert_eq(vmc_decompress(cbuf + GUARD, clen, obuf + GUARD, PAGE), 0);
}
