/*
 * inflate_test.c — bsd/kern/inflate.c against the host's compressors: what `gzip` writes
 * (levels 1 and 9, with and without a file name in the header) and what zlib writes with each
 * block kind forced (stored, fixed, dynamic, via python3) is inflated back byte for byte; every
 * truncation, a flipped CRC or size, reserved flags, a short output buffer and bit flips are
 * errors, never a read or write outside the buffers (ASan watches).
 */
// unit-deps: kernel/iokit/part_table.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/kern/inflate.h>
#include <bsd/sys/errno.h>

#define MAXOUT (4u << 20)

static uint8_t *plain, *packed, *out;
static size_t plain_len, packed_len;

static void
setup(void)
{
	plain = malloc(MAXOUT);
	packed = malloc(2 * MAXOUT);
	out = malloc(MAXOUT);
	cr_assert(plain != NULL && packed != NULL && out != NULL);
}

static void
teardown(void)
{
	free(plain);
	free(packed);
	free(out);
}

/* Data of kind k and length n: text-like, random, long runs, or a mix. */
static void
make_plain(int k, size_t n)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		switch (k) {
		case 0:
			plain[i] = (uint8_t)"the quick brown fox jumps over the lazy dog\n"[(x >> 16) % 44];
			break;
		case 1:
			plain[i] = (uint8_t)(x >> 16);
			break;
		case 2:
			plain[i] = (uint8_t)((i / 1000) & 3);
			break;
		default:
			plain[i] = (i / 4096) % 2 ? (uint8_t)(x >> 16) : (uint8_t)(i % 7);
			break;
		}
	}
	plain_len = n;
}

/* Run cmd with plain on its stdin (through a file) and its stdout into packed. */
static void
host_compress(const char *cmd)
{
	char in[] = "/tmp/inflate_test_XXXXXX", line[512];
	int fd = mkstemp(in);
	FILE *f;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, plain, plain_len), (ssize_t)plain_len);
	close(fd);
	snprintf(line, sizeof(line), "%s <%s", cmd, in);
	f = popen(line, "r");
	cr_assert(f != NULL, "cannot run %s", cmd);
	packed_len = fread(packed, 1, 2 * MAXOUT, f);
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);
	unlink(in);
}

static void
check_gzip_roundtrip(void)
{
	size_t n = 0, used = 0;

	cr_assert_eq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), 0);
	cr_assert_eq(n, plain_len);
	cr_assert_eq(used, packed_len);
	cr_assert(memcmp(out, plain, n) == 0);
	cr_assert_eq(gzip_size_hint(packed, packed_len), (uint32_t)plain_len);
}

TestSuite(inflate, .init = setup, .fini = teardown);

Test(inflate, host_gzip_levels_and_kinds)
{
	static const size_t sizes[] = { 0, 1, 100, 70000, 1u << 20 };

	for (int k = 0; k < 4; k++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			make_plain(k, sizes[s]);
			host_compress("gzip -1 -c -n");
			check_gzip_roundtrip();
			host_compress("gzip -9 -c");
			check_gzip_roundtrip();
		}
	}
}

/* zlib with each block kind forced: raw deflate (wbits -15). */
Test(inflate, zlib_stored_fixed_dynamic_blocks)
{
	static const char *const kinds[] = {
		"python3 -c \"import sys,zlib; c=zlib.compressobj(0,zlib.DEFLATED,-15); "
		"sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())\"",
		"python3 -c \"import sys,zlib; c=zlib.compressobj(6,zlib.DEFLATED,-15,8,zlib.Z_FIXED); "
		"sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())\"",
		"python3 -c \"import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,-15); "
		"sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())\"",
	};

	for (size_t i = 0; i < 3; i++) {
		for (int k = 0; k < 4; k++) {
			size_t n = 0, used = 0;

			make_plain(k, 200000);
			host_compress(kinds[i]);
			cr_assert_eq(inflate_raw(packed, packed_len, out, MAXOUT, &n, &used), 0,
				     "kind %zu data %d", i, k);
			cr_assert_eq(n, plain_len);
			cr_assert_eq(used, packed_len);
			cr_assert(memcmp(out, plain, n) == 0);
		}
	}
}

Test(inflate, every_truncation_is_an_error)
{
	size_t n, used;

	make_plain(3, 20000);
	host_compress("gzip -6 -c");
	for (size_t cut = 0; cut < packed_len; cut++)
		cr_assert_neq(gzip_inflate(packed, cut, out, MAXOUT, &n, &used), 0, "cut %zu",
			      cut);
}

Test(inflate, bad_trailer_flags_and_short_output)
{
	size_t n, used;

	make_plain(0, 5000);
	host_compress("gzip -6 -c");
	packed[packed_len - 8] ^= 1; /* CRC */
	cr_assert_eq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), EINVAL);
	packed[packed_len - 8] ^= 1;
	packed[packed_len - 4] ^= 1; /* ISIZE */
	cr_assert_eq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), EINVAL);
	packed[packed_len - 4] ^= 1;
	packed[3] |= 0x20; /* a reserved flag */
	cr_assert_eq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), EINVAL);
	packed[3] &= (uint8_t)~0x20;
	packed[2] = 7; /* not deflate */
	cr_assert_eq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), EINVAL);
	packed[2] = 8;
	cr_assert_eq(gzip_inflate(packed, packed_len, out, plain_len - 1, &n, &used), E2BIG);
	cr_assert_eq(gzip_inflate(packed, packed_len, out, plain_len, &n, &used), 0);
	cr_assert(!gzip_is("\x1f", 1));
	cr_assert_eq(gzip_size_hint(packed, 10), 0);
}

/* Flipped bits anywhere in the deflate data: an error or a CRC mismatch, never a fault. */
Test(inflate, bit_flips_are_caught)
{
	size_t n, used;

	make_plain(3, 30000);
	host_compress("gzip -6 -c -n");
	for (size_t i = 10; i < packed_len - 8; i += 7) {
		packed[i] ^= (uint8_t)(1u << (i % 8));
		cr_assert_neq(gzip_inflate(packed, packed_len, out, MAXOUT, &n, &used), 0,
			      "flip at %zu", i);
		packed[i] ^= (uint8_t)(1u << (i % 8));
	}
}

/* Hand-made blocks: a distance before the start, a reserved block type, bad stored LEN. */
Test(inflate, hostile_blocks)
{
	size_t n, used;
	static const uint8_t reserved[] = { 0x07 };		/* BFINAL 1, BTYPE 11 */
	static const uint8_t stored_bad[] = { 0x01, 0x05, 0x00, 0xfa, 0xfe, 'a' };
	static const uint8_t stored_ok[] = { 0x01, 0x01, 0x00, 0xfe, 0xff, 'a' };

	cr_assert_eq(inflate_raw(reserved, sizeof(reserved), out, MAXOUT, &n, &used), EINVAL);
	cr_assert_eq(inflate_raw(stored_bad, sizeof(stored_bad), out, MAXOUT, &n, &used),
		     EINVAL);
	cr_assert_eq(inflate_raw(stored_ok, sizeof(stored_ok), out, MAXOUT, &n, &used), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 'a');
	cr_assert_eq(used, sizeof(stored_ok));
	/* A fixed block whose first code is a match (length 3, distance 1): nothing to copy. */
	{
		/* BFINAL=1, BTYPE=01, then code 257 (7 bits 0000001), distance code 0 (00000). */
		static const uint8_t early_match[] = { 0x03, 0x02, 0x00 };

		cr_assert_eq(inflate_raw(early_match, sizeof(early_match), out, MAXOUT, &n, &used),
			     EINVAL);
	}
}
