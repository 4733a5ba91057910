/*
 * vfs_path_test.c — unit tests for bsd/vfs/vfs_path.c: splitting paths into components
 * (repeated and trailing slashes) and into directory and last name.
 */
#include <criterion/criterion.h>
#include <bsd/sys/namei.h>
#include <stdio.h>

/* The components of path joined by '|'. */
static void
components(const char *path, char *out, size_t cap)
{
	const char *p = path, *c;
	size_t len, n = 0;

	out[0] = '\0';
	while (vfs_path_next(&p, &c, &len)) {
		n += (size_t)snprintf(out + n, cap - n, "%s%.*s", n ? "|" : "", (int)len, c);
		cr_assert_lt(n, cap);
	}
}

Test(vfs_path, components)
{
	char out[128];

	components("/a/bb/ccc", out, sizeof(out));
	cr_assert_str_eq(out, "a|bb|ccc");
	components("//a///b//", out, sizeof(out));
	cr_assert_str_eq(out, "a|b");
	components("rel/./..", out, sizeof(out));
	cr_assert_str_eq(out, "rel|.|..");
	components("/", out, sizeof(out));
	cr_assert_str_eq(out, "");
	components("", out, sizeof(out));
	cr_assert_str_eq(out, "");
}

static void
check_split(const char *path, const char *dir, const char *name)
{
	char d[64];
	const char *n;
	size_t len;

	cr_assert_eq(vfs_path_split(path, d, sizeof(d), &n, &len), 0, "%s", path);
	cr_assert_str_eq(d, dir, "%s: dir %s", path, d);
	cr_assert_eq(len, strlen(name), "%s: name length %zu", path, len);
	cr_assert_eq(strncmp(n, name, len), 0, "%s", path);
}

Test(vfs_path, split)
{
	check_split("/a/b", "/a", "b");
	check_split("/a/b/", "/a", "b");
	check_split("/a//b", "/a", "b");
	check_split("/b", "/", "b");
	check_split("b", ".", "b");
	check_split("x/y", "x", "y");
	check_split("/", "/", "");
}

Test(vfs_path, split_too_long)
{
	char name[NAME_MAX + 3], d[8];
	const char *n;
	size_t len;

	name[0] = '/';
	memset(name + 1, 'x', NAME_MAX + 1);
	name[NAME_MAX + 2] = '\0';
	cr_assert_eq(vfs_path_split(name, d, sizeof(d), &n, &len), ENAMETOOLONG);
	cr_assert_eq(vfs_path_split("/abcdefgh/x", d, sizeof(d), &n, &len), ENAMETOOLONG);
}
