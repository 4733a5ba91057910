/*
 * ext2_dir_test.c — unit tests for bsd/fs/ext2/ext2_dir.c: every kind of inode made in an
 * image from `mke2fs -t ext2 -d` (1 KiB and 4 KiB blocks), hard links, fast and slow symlinks,
 * device nodes, a directory of hundreds of entries thinned and refilled, and POSIX renames
 * (in place, across directories, over files and empty directories, directories into their
 * own subtree). The test keeps a model of the tree as it changes it; after unmount
 * `e2fsck -fn` must pass and `debugfs -R 'ls -p'` must list exactly the model, with the
 * modes, link counts and ".." entries the operations imply.
 */
// unit-deps: ext2.c ext2_alloc.c ext2_file.c tests/unit/bsd/fs/ext2/ext2_img.c
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext2_img.h"

#define MAXN 1024

static struct timg T;

/* The model: every path that should exist (below the root), with its mode. */
static struct {
	char path[300];
	uint16_t mode;
} model[MAXN];
static unsigned nmodel;

static void
fini(void)
{
	timg_destroy(&T);
	nmodel = 0;
}

static void
m_add(const char *path, uint16_t mode)
{
	cr_assert(nmodel < MAXN);
	snprintf(model[nmodel].path, sizeof(model[0].path), "%s", path);
	model[nmodel++].mode = mode;
}

static int
m_find(const char *path)
{
	for (unsigned i = 0; i < nmodel; i++)
		if (strcmp(model[i].path, path) == 0)
			return (int)i;
	return -1;
}

static void
m_del(const char *path)
{
	int i = m_find(path);

	cr_assert(i >= 0, "model has no %s", path);
	model[i] = model[--nmodel];
}

/* Rename in the model: the path and, for a directory, everything below it. */
static void
m_rename(const char *from, const char *to)
{
	size_t fl = strlen(from);
	char buf[300];

	if (m_find(to) >= 0)
		m_del(to);
	for (unsigned i = 0; i < nmodel; i++) {
		if (strncmp(model[i].path, from, fl) != 0 ||
		    (model[i].path[fl] != '\0' && model[i].path[fl] != '/'))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", to, model[i].path + fl);
		strcpy(model[i].path, buf);
	}
}

/* The directory part and the name of a path ("/a/b" -> dir inode of /a, "b"). */
static const char *
parent_of(const char *path, struct ext2_inode *dir)
{
	char buf[300];
	const char *slash = strrchr(path, '/');

	snprintf(buf, sizeof(buf), "%.*s", (int)(slash - path), path);
	timg_namei(&T, buf[0] != '\0' ? buf : "/", dir);
	return slash + 1;
}

static int
mk(const char *path, uint16_t mode, uint32_t rdev, struct ext2_inode *out)
{
	struct ext2_inode dir, ip;
	const char *name = parent_of(path, &dir);
	int err = ext2_mknod(&T.ti_fs, &dir, name, strlen(name), mode, rdev, 7, 8,
			     out != NULL ? out : &ip);

	if (err == 0)
		m_add(path, mode);
	return err;
}

static int
symlink_(const char *path, const char *target)
{
	struct ext2_inode dir, ip;
	const char *name = parent_of(path, &dir);
	int err = ext2_symlink(&T.ti_fs, &dir, name, strlen(name), target, 0, 0, &ip);

	if (err == 0)
		m_add(path, EXT2_S_IFLNK | 0777);
	return err;
}

/* Free the inode a removed name pointed to, as the VFS does on its last reference. */
static void
release_ino(uint32_t ino)
{
	struct ext2_inode ip;

	cr_assert_eq(ext2_iget(&T.ti_fs, ino, &ip), 0);
	cr_assert_eq(ext2_release(&T.ti_fs, &ip), 0);
}

static uint32_t
ino_of(const char *path)
{
	struct ext2_inode ip;

	timg_namei(&T, path, &ip);
	return ip.i_ino;
}

static int
unlink_(const char *path, bool is_dir)
{
	struct ext2_inode dir, ip;
	const char *name = parent_of(path, &dir);
	int err;

	if (ext2_namei(&T.ti_fs, path, false, &ip) != 0)
		ip.i_ino = 0;
	err = is_dir ? ext2_rmdir(&T.ti_fs, &dir, name, strlen(name)) :
		       ext2_unlink(&T.ti_fs, &dir, name, strlen(name));
	if (err == 0) {
		m_del(path);
		cr_assert_eq(ext2_iget(&T.ti_fs, ip.i_ino, &ip), 0);
		if (ip.i_links == 0)
			release_ino(ip.i_ino);
	}
	return err;
}

static int
rename_(const char *from, const char *to)
{
	struct ext2_inode sdir, ddir, victim, src;
	const char *sname = parent_of(from, &sdir), *dname = parent_of(to, &ddir);
	bool had = ext2_namei(&T.ti_fs, to, false, &victim) == 0;
	bool same = had && ext2_namei(&T.ti_fs, from, false, &src) == 0 &&
		    src.i_ino == victim.i_ino;
	int err = ext2_rename(&T.ti_fs, &sdir, sname, strlen(sname), &ddir, dname,
			      strlen(dname));

	if (err != 0 || same)
		return err;
	if (had) {
		cr_assert_eq(ext2_iget(&T.ti_fs, victim.i_ino, &victim), 0);
		if (victim.i_links == 0)
			release_ino(victim.i_ino);
	}
	m_rename(from, to);
	return 0;
}

/* debugfs's `ls -p dir` must list exactly the model's entries under dir, plus . and .. */
static void
check_listing(const char *dir)
{
	char cmd[400], *out, *line, *save;
	unsigned seen = 0, expect = 0;
	size_t dl = strcmp(dir, "/") == 0 ? 0 : strlen(dir);

	snprintf(cmd, sizeof(cmd), "ls -p %s", dir);
	out = timg_debugfs(&T, cmd, NULL);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		unsigned ino, mode, uid, gid;
		char name[300], path[700];
		int i;

		if (sscanf(line, "/%u/%o/%u/%u/%299[^/]/", &ino, &mode, &uid, &gid, name) != 5)
			continue;
		/* Inode 0: a free record (the first of a block keeps its name). */
		if (ino == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%.*s/%s", (int)dl, dir, name);
		i = m_find(path);
		cr_assert(i >= 0, "debugfs lists %s, which the test did not make (or removed): %s",
			  path, line);
		cr_assert_eq(mode, model[i].mode, "%s: mode 0%o, made 0%o", path, mode,
			     model[i].mode);
		seen++;
	}
	for (unsigned i = 0; i < nmodel; i++) {
		const char *p = model[i].path;

		if (strncmp(p, dir, dl) == 0 && p[dl] == '/' && strchr(p + dl + 1, '/') == NULL)
			expect++;
	}
	cr_assert_eq(seen, expect, "%s: debugfs lists %u entries, the model %u", dir, seen,
		     expect);
	free(out);
}

/* The ".." of dir, as debugfs reads it. */
static unsigned
dotdot_of(const char *dir)
{
	char cmd[400], *out, *line, *save;
	unsigned ino = 0, i2, mode, uid, gid;
	char name[300];

	snprintf(cmd, sizeof(cmd), "ls -p %s", dir);
	out = timg_debugfs(&T, cmd, NULL);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "/%u/%o/%u/%u/%299[^/]/", &i2, &mode, &uid, &gid, name) == 5 &&
		    strcmp(name, "..") == 0)
			ino = i2;
	free(out);
	return ino;
}

static void
namespace(unsigned bsize)
{
	char slow[200], name[300], *out;
	struct ext2_inode ip, root, d, f;
	uint32_t blk_rdev = (300 & 0xff) | (8 << 8) | ((300 & ~0xff) << 12); /* 8:300 */
	uint16_t root_links;
	uint32_t e_ino, root_ino = EXT2_ROOT_INO;

	timg_make(&T, bsize, 4096, NULL, "mkdir old && echo hi >old/file");
	m_add("/lost+found", EXT2_S_IFDIR | 0700);
	m_add("/old", EXT2_S_IFDIR | 0755);
	m_add("/old/file", EXT2_S_IFREG | 0644);
	timg_mount_rw(&T);
	timg_namei(&T, "/", &root);
	root_links = root.i_links;

	cr_assert_eq(mk("/d", EXT2_S_IFDIR | 0755, 0, &d), 0);
	cr_assert_eq(mk("/d/e", EXT2_S_IFDIR | 0750, 0, NULL), 0);
	cr_assert_eq(mk("/d/f1", EXT2_S_IFREG | 0640, 0, &f), 0);
	cr_assert_eq(ext2_write(&T.ti_fs, &f, 0, "one\n", 4), 0);
	timg_namei(&T, "/d", &d);
	cr_assert_eq(d.i_links, 3, "d: . and .. of e");
	timg_namei(&T, "/", &root);
	cr_assert_eq(root.i_links, root_links + 1);
	cr_assert_eq(mk("/d/f1", EXT2_S_IFREG | 0640, 0, NULL), EEXIST);
	memset(name, 'n', 257);
	name[0] = '/';
	name[257] = '\0'; /* a 256-byte name */
	cr_assert_eq(mk(name, EXT2_S_IFREG | 0640, 0, NULL), ENAMETOOLONG);
	cr_assert_eq(ext2_create(&T.ti_fs, &root, "a/b", 3, EXT2_S_IFREG, 0, 0, &ip), EINVAL);
	cr_assert_eq(ext2_create(&T.ti_fs, &root, "..", 2, EXT2_S_IFDIR, 0, 0, &ip), EEXIST);
	cr_assert_eq(ext2_create(&T.ti_fs, &f, "x", 1, EXT2_S_IFREG, 0, 0, &ip), ENOTDIR);

	/* A hard link, symlinks both ways, and the special files. */
	timg_namei(&T, "/", &root);
	cr_assert_eq(ext2_link(&T.ti_fs, &root, "hard", 4, &f), 0);
	m_add("/hard", EXT2_S_IFREG | 0640);
	cr_assert_eq(f.i_links, 2);
	cr_assert_eq(ext2_link(&T.ti_fs, &root, "dlink", 5, &d), EPERM);
	cr_assert_eq(symlink_("/fast", "d/f1"), 0);
	strcpy(slow, "d");
	for (int i = 0; i < 40; i++)
		strcat(slow, "/.");
	strcat(slow, "/f1");
	cr_assert_eq(symlink_("/slow", slow), 0);
	cr_assert_eq(mk("/chr", EXT2_S_IFCHR | 0600, (4 << 8) | 5, NULL), 0);
	cr_assert_eq(mk("/blk", EXT2_S_IFBLK | 0600, blk_rdev, NULL), 0);
	cr_assert_eq(mk("/fifo", EXT2_S_IFIFO | 0644, 0, NULL), 0);
	cr_assert_eq(mk("/sock", EXT2_S_IFSOCK | 0755, 0, NULL), 0);

	/* A directory over several blocks, thinned and refilled (slack and free records). */
	cr_assert_eq(mk("/many", EXT2_S_IFDIR | 0755, 0, NULL), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/many/entry-%03d", i);
		cr_assert_eq(mk(name, EXT2_S_IFREG | 0644, 0, NULL), 0);
	}
	for (int i = 0; i < 300; i += 2) {
		snprintf(name, sizeof(name), "/many/entry-%03d", i);
		cr_assert_eq(unlink_(name, false), 0);
	}
	for (int i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "/many/a-longer-name-than-before-%03d", i);
		cr_assert_eq(mk(name, EXT2_S_IFREG | 0644, 0, NULL), 0);
	}

	/* Renames. */
	cr_assert_eq(rename_("/d/f1", "/d/f2"), 0);
	cr_assert_eq(rename_("/d/f2", "/moved"), 0);
	cr_assert_eq(rename_("/hard", "/moved"), 0); /* two links of one inode: no change */
	cr_assert_eq(mk("/victim", EXT2_S_IFREG | 0600, 0, NULL), 0);
	cr_assert_eq(rename_("/slow", "/victim"), 0);
	e_ino = ino_of("/d/e");
	cr_assert_eq(rename_("/d/e", "/e2"), 0);
	cr_assert_eq(mk("/d/sub", EXT2_S_IFDIR | 0755, 0, NULL), 0);
	cr_assert_eq(rename_("/d", "/d/sub/x"), EINVAL);
	cr_assert_eq(rename_("/d", "/d/x"), EINVAL);
	cr_assert_eq(mk("/empty", EXT2_S_IFDIR | 0700, 0, NULL), 0);
	cr_assert_eq(rename_("/moved", "/empty"), EISDIR);
	cr_assert_eq(rename_("/e2", "/moved"), ENOTDIR);
	cr_assert_eq(rename_("/e2", "/d"), ENOTEMPTY);
	cr_assert_eq(rename_("/e2", "/empty"), 0); /* over an empty directory */
	cr_assert_eq(rename_("/d/sub", "/d/sub2"), 0);
	cr_assert_eq(rename_("/nope", "/x"), ENOENT);

	/* Removal. */
	cr_assert_eq(unlink_("/d", true), ENOTEMPTY);
	cr_assert_eq(unlink_("/d", false), EISDIR);
	cr_assert_eq(unlink_("/fifo", true), ENOTDIR);
	cr_assert_eq(ext2_rmdir(&T.ti_fs, &root, ".", 1), EINVAL);
	cr_assert_eq(ext2_rmdir(&T.ti_fs, &root, "..", 2), EINVAL);
	cr_assert_eq(unlink_("/d/sub2", true), 0);
	cr_assert_eq(unlink_("/sock", false), 0);
	cr_assert_eq(unlink_("/old/file", false), 0);
	timg_namei(&T, "/d", &d);
	cr_assert_eq(d.i_links, 2);

	timg_unmount(&T);
	cr_assert_eq(timg_fsck(&T), 0, "e2fsck -fn found problems");
	check_listing("/");
	check_listing("/d");
	check_listing("/many");
	check_listing("/empty");
	check_listing("/old");
	cr_assert_eq(dotdot_of("/empty"), root_ino, "a moved directory's .. is its new parent");
	cr_assert_eq(dotdot_of("/empty"), dotdot_of("/d"));
	out = timg_debugfs(&T, "cat /moved", NULL);
	cr_assert_str_eq(out, "one\n");
	free(out);
	out = timg_debugfs(&T, "stat /chr", NULL);
	cr_assert(strstr(out, "Device major/minor number: 04:05") != NULL, "%s", out);
	free(out);
	out = timg_debugfs(&T, "stat /blk", NULL);
	cr_assert(strstr(out, "Device major/minor number: 08:300") != NULL, "%s", out);
	free(out);
	out = timg_debugfs(&T, "stat /fast", NULL);
	cr_assert(strstr(out, "Fast link dest: \"d/f1\"") != NULL, "%s", out);
	free(out);

	/* And our own reader agrees: both symlinks lead to the file, e2's inode moved. */
	timg_mount_rw(&T);
	cr_assert_eq(ext2_namei(&T.ti_fs, "/fast", true, &ip), ENOENT); /* d/f1 was renamed */
	cr_assert_eq(ext2_readlink(&T.ti_fs, &ip, name, sizeof(name)), EINVAL);
	timg_namei(&T, "/victim", &ip);
	cr_assert_eq(ext2_readlink(&T.ti_fs, &ip, name, sizeof(name)), 0);
	cr_assert_str_eq(name, slow);
	cr_assert_eq(ino_of("/empty"), e_ino);
	timg_namei(&T, "/moved", &ip);
	cr_assert_eq(ip.i_links, 2);
	cr_assert_eq(ip.i_ino, ino_of("/hard"));
	timg_unmount(&T);
}

Test(ext2_dir, namespace_1k, .fini = fini)
{
	namespace(1024);
}

Test(ext2_dir, namespace_4k, .fini = fini)
{
	namespace(4096);
}
