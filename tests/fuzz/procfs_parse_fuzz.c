/*
 * procfs_parse_fuzz.c — libFuzzer harness for bsd/fs/procfs/procfs_parse.c: any process may
 * write any bytes to /proc/sys/vm/drop_caches, so every input must parse without a fault.
 *
 * Checked on every input: an accepted input holds only blanks and digits, with the digits in one
 * run, and the result is what strtoull makes of those digits (never over the limit); a refused
 * input leaves the result untouched.
 */
// fuzz-deps: bsd/fs/procfs/procfs_parse.c
#include <bsd/fs/procfs/procfs.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	uint64_t v = 42, max = size > 0 ? data[0] * 1000003ull : 3;
	int err = procfs_parse_uint(s, size, max, &v);
	char digits[32];
	size_t first = size, last = 0;

	if (err != 0) {
		if (err != EINVAL || v != 42)
			abort();
		return 0;
	}
	for (size_t i = 0; i < size; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			first = i < first ? i : first;
			last = i;
		} else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
			abort(); /* a stray byte was accepted */
		}
	}
	if (first == size || v > max)
		abort();
	for (size_t i = first; i <= last; i++) {
		if (s[i] < '0' || s[i] > '9')
			abort(); /* two runs of digits */
	}
	while (first < last && s[first] == '0')
		first++;
	if (last - first + 1 >= sizeof(digits))
		abort(); /* more than 20 significant digits cannot fit 64 bits */
	memcpy(digits, s + first, last - first + 1);
	digits[last - first + 1] = '\0';
	errno = 0;
	if (strtoull(digits, NULL, 10) != v || errno != 0)
		abort();
	return 0;
}
