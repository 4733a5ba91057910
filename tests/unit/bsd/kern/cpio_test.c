/*
 * cpio_test.c — bsd/kern/cpio.c: the newc archives `cpio -o -H newc` writes are read back
 * entry by entry, looked up by path ("/", "./" and none are the same), and every malformed
 * field — magic, a hex digit, a name or data running past the end, a missing NUL — is an
 * error rather than a read outside the buffer.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <bsd/kern/cpio.h>
#include <bsd/sys/errno.h>

static uint8_t ar[4096];
static size_t ar_len;

static void
add(const char *name, uint32_t mode, const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(data);

	ar_len += (size_t)sprintf((char *)ar + ar_len,
				  "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
				  mode, 0u, 0u, 1u, 0u, (unsigned)dlen, 0u, 0u, 0u, 0u,
				  (unsigned)nlen, 0u);
	memcpy(ar + ar_len, name, nlen);
	ar_len = (ar_len + nlen + 3) & ~(size_t)3;
	memcpy(ar + ar_len, data, dlen);
	ar_len = (ar_len + dlen + 3) & ~(size_t)3;
}

static void
build(void)
{
	memset(ar, 0, sizeof(ar));
	ar_len = 0;
	add(".", CPIO_S_IFDIR | 0755, "");
	add("sbin", CPIO_S_IFDIR | 0755, "");
	add("sbin/init", CPIO_S_IFREG | 0755, "ELF!init");
	add("./etc/motd", CPIO_S_IFREG | 0644, "hello\n");
	add("link", CPIO_S_IFLNK | 0777, "sbin/init");
	add("TRAILER!!!", 0, "");
}

Test(cpio, walks_every_entry)
{
	struct cpio_entry e;
	size_t off = 0;
	const char *names[] = { "", "sbin", "sbin/init", "etc/motd", "link" };
	unsigned n = 0;
	int r;

	build();
	while ((r = cpio_next(ar, ar_len, &off, &e)) == 1) {
		cr_assert_lt(n, 5);
		cr_assert_str_eq(e.ce_name, names[n]);
		cr_assert_eq(e.ce_namelen, strlen(names[n]));
		n++;
	}
	cr_assert_eq(r, 0);
	cr_assert_eq(n, 5);
}

Test(cpio, lookup_by_path)
{
	struct cpio_entry e;

	build();
	cr_assert_eq(cpio_lookup(ar, ar_len, "/sbin/init", &e), 0);
	cr_assert_eq(e.ce_size, 8);
	cr_assert(memcmp(e.ce_data, "ELF!init", 8) == 0);
	cr_assert_eq(e.ce_mode & CPIO_S_IFMT, CPIO_S_IFREG);
	cr_assert_eq(cpio_lookup(ar, ar_len, "etc/motd", &e), 0);
	cr_assert(memcmp(e.ce_data, "hello\n", 6) == 0);
	cr_assert_eq(cpio_lookup(ar, ar_len, "./etc/motd", &e), 0);
	cr_assert_eq(cpio_lookup(ar, ar_len, "/link", &e), 0);
	cr_assert_eq(e.ce_mode & CPIO_S_IFMT, CPIO_S_IFLNK);
	cr_assert_eq(cpio_lookup(ar, ar_len, "/sbin/nope", &e), ENOENT);
	cr_assert_eq(cpio_lookup(ar, ar_len, "/sbin/ini", &e), ENOENT);
}

Test(cpio, later_entry_wins)
{
	struct cpio_entry e;

	build();
	ar_len -= 124; /* drop the trailer (110-byte header, 11-byte name, padded) */
	add("/etc/motd", CPIO_S_IFREG | 0644, "second");
	cr_assert_eq(cpio_lookup(ar, ar_len, "etc/motd", &e), 0);
	cr_assert_eq(e.ce_size, 6);
	cr_assert(memcmp(e.ce_data, "second", 6) == 0);
}

Test(cpio, malformed_is_an_error)
{
	struct cpio_entry e;
	size_t off = 0;

	build();
	ar[3] = '8'; /* magic */
	cr_assert_eq(cpio_next(ar, ar_len, &off, &e), -1);
	build();
	ar[6 + 8 * 6 + 3] = 'g'; /* a hex digit of c_filesize */
	cr_assert_eq(cpio_next(ar, ar_len, &off, &e), -1);
	cr_assert_eq(cpio_lookup(ar, ar_len, "sbin/init", &e), EINVAL);
	/* Truncated anywhere: never an entry that reaches past the end. */
	build();
	for (size_t cut = 0; cut < ar_len; cut++) {
		int r;

		off = 0;
		while ((r = cpio_next(ar, cut, &off, &e)) == 1) {
			cr_assert_leq((size_t)(e.ce_data - ar) + e.ce_size, cut);
			cr_assert_leq((size_t)(e.ce_name - (const char *)ar) + e.ce_namelen, cut);
		}
		cr_assert(r == 0 || r == -1);
	}
}

Test(cpio, name_without_nul_or_oversized)
{
	struct cpio_entry e;
	size_t off = 0;

	build();
	/* The first entry's name "." has c_namesize 2: make it 1 (no NUL inside). */
	memcpy(ar + 6 + 8 * 11, "00000001", 8);
	cr_assert_eq(cpio_next(ar, ar_len, &off, &e), -1);
	build();
	memcpy(ar + 6 + 8 * 11, "FFFFFFFF", 8);
	off = 0;
	cr_assert_eq(cpio_next(ar, ar_len, &off, &e), -1);
	build();
	memcpy(ar + 6 + 8 * 6, "FFFFFFF0", 8);
	off = 0;
	cr_assert_eq(cpio_next(ar, ar_len, &off, &e), -1);
}
