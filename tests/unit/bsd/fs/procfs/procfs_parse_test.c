/*
 * procfs_parse_test.c — unit tests for bsd/fs/procfs/procfs_parse.c: what a /proc control file
 * accepts (`echo 3 >`, blanks around the number) and what it refuses (signs, hex, stray bytes,
 * empty writes, numbers over the limit or over 64 bits).
 */
#include <criterion/criterion.h>
#include <bsd/fs/procfs/procfs.h>
#include <string.h>

static int
parse(const char *s, uint64_t max, uint64_t *v)
{
	*v = 12345; /* must stay as it is on an error */
	return procfs_parse_uint(s, strlen(s), max, v);
}

Test(procfs_parse, accepts_what_echo_writes)
{
	uint64_t v;

	cr_assert_eq(parse("3\n", 3, &v), 0);
	cr_assert_eq(v, 3);
	cr_assert_eq(parse("1", 3, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(parse("  2 \t\n", 3, &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(parse("0", 3, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(parse("007", 7, &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(parse("18446744073709551615", UINT64_MAX, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(procfs_parse, refuses_everything_else)
{
	static const char *bad[] = { "", "\n", " ", "-1", "+3", "0x3", "3x", "3 4", "three",
				     "3\n\n3", "3.0", "\0003" };
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse(bad[i], 100, &v), EINVAL, "'%s' accepted", bad[i]);
		cr_assert_eq(v, 12345, "'%s' changed the result", bad[i]);
	}
	cr_assert_eq(procfs_parse_uint("3\0", 2, 100, &v), EINVAL, "an embedded NUL");
	cr_assert_eq(procfs_parse_uint("34", 1, 100, &v), 0, "only len bytes are read");
	cr_assert_eq(v, 3);
}

Test(procfs_parse, limits)
{
	uint64_t v;

	cr_assert_eq(parse("4", 3, &v), EINVAL);
	cr_assert_eq(parse("18446744073709551616", UINT64_MAX, &v), EINVAL, "2^64 overflows");
	cr_assert_eq(parse("99999999999999999999999", UINT64_MAX, &v), EINVAL);
	cr_assert_eq(v, 12345);
}
