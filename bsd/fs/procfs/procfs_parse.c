/*
 * procfs_parse.c — reading numbers that users write to /proc control files (portable: unit-
 * tested on the host and fuzzed, because the bytes come from any process that can open the file).
 *
 * The one idea: strict — one unsigned decimal number between optional blanks, checked for
 * overflow digit by digit; anything else is EINVAL, so `echo 3x > drop_caches` does nothing.
 */
#include <bsd/fs/procfs/procfs.h>

static bool
pp_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int
procfs_parse_uint(const char *buf, size_t len, uint64_t max, uint64_t *out)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	while (i < len && pp_blank(buf[i]))
		i++;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++, digits++) {
		unsigned d = (unsigned)(buf[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return EINVAL;
		v = v * 10 + d;
	}
	while (i < len && pp_blank(buf[i]))
		i++;
	if (digits == 0 || i != len || v > max)
		return EINVAL;
	*out = v;
	return 0;
}
