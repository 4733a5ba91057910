/*
 * cpio.c — reading cpio "newc" archives (see cpio.h). The boot module that holds the first
 * programs (bootfs.c) is one; nothing about it is trusted: every offset is checked against the
 * buffer's end before a byte is read, and sizes are added without overflow.
 */
#include <bsd/kern/cpio.h>
#include <bsd/sys/errno.h>

#define CPIO_HDR_LEN 110
#define CPIO_MAGIC   "070701"
#define CPIO_TRAILER "TRAILER!!!"

/* Field i (0 = c_ino … 12 = c_check) of the header at h, 8 hex digits. */
static bool
cpio_field(const uint8_t *h, unsigned i, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned k = 0; k < 8; k++) {
		uint8_t c = h[6 + 8 * i + k];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

static size_t
cpio_align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* Leading "/" and "./" do not count; "." alone is the root, named "". */
static const char *
cpio_strip(const char *p)
{
	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			p++;
		else
			return p;
	}
}

int
cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e)
{
	const uint8_t *b = buf;
	uint32_t mode, filesize, namesize;
	size_t pos = *off, name_end, data_end;
	const char *name;

	if (pos >= len)
		return 0;
	if (len - pos < CPIO_HDR_LEN || memcmp(b + pos, CPIO_MAGIC, 6) != 0)
		return -1;
	if (!cpio_field(b + pos, 1, &mode) || !cpio_field(b + pos, 6, &filesize) ||
	    !cpio_field(b + pos, 11, &namesize))
		return -1;
	for (unsigned i = 0; i < 13; i++) {
		uint32_t scratch;

		if (!cpio_field(b + pos, i, &scratch))
			return -1;
	}
	if (namesize == 0 || namesize > len - pos - CPIO_HDR_LEN)
		return -1;
	name = (const char *)b + pos + CPIO_HDR_LEN;
	if (strnlen(name, namesize) != namesize - 1)
		return -1;
	name_end = cpio_align4(pos + CPIO_HDR_LEN + namesize);
	if (name_end > len || filesize > len - name_end)
		return -1;
	data_end = name_end + filesize;
	if (strcmp(name, CPIO_TRAILER) == 0)
		return 0;
	e->ce_name = cpio_strip(name);
	e->ce_namelen = strlen(e->ce_name);
	e->ce_data = b + name_end;
	e->ce_size = filesize;
	e->ce_mode = mode;
	*off = MIN(cpio_align4(data_end), len);
	return 1;
}

int
cpio_lookup(const void *buf, size_t len, const char *path, struct cpio_entry *e)
{
	struct cpio_entry cur;
	size_t off = 0;
	bool found = false;
	int r;

	path = cpio_strip(path);
	while ((r = cpio_next(buf, len, &off, &cur)) == 1) {
		if (strcmp(cur.ce_name, path) == 0) {
			*e = cur;
			found = true;
		}
	}
	if (found)
		return 0;
	return r < 0 ? EINVAL : ENOENT;
}
