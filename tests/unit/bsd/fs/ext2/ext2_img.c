/*
 * ext2_img.c — image fixtures for the read-write ext2 tests (see ext2_img.h).
 */
#include "ext2_img.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct timg *t = ctx;

	/* The contract with block devices: 512-byte aligned offsets and lengths. */
	cr_assert(off % 512 == 0 && len % 512 == 0, "unaligned read %llu+%zu",
		  (unsigned long long)off, len);
	if (off > t->ti_size || len > t->ti_size - off)
		return EIO;
	return pread(t->ti_fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : EIO;
}

int
timg_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct timg *t = ctx;

	cr_assert(off % 512 == 0 && len % 512 == 0, "unaligned write %llu+%zu",
		  (unsigned long long)off, len);
	if (off > t->ti_size || len > t->ti_size - off)
		return EIO;
	return pwrite(t->ti_fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : EIO;
}

static uint32_t
test_clock(void)
{
	return 1700000000u;
}

static int
run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

void
timg_make(struct timg *t, unsigned bsize, unsigned size_kb, const char *extra,
	  const char *setup)
{
	char cmd[2048];
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->ti_fd = -1;
	strcpy(t->ti_dir, "/tmp/ext2rw-test-XXXXXX");
	cr_assert(mkdtemp(t->ti_dir) != NULL);
	snprintf(t->ti_img, sizeof(t->ti_img), "%s/img", t->ti_dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s/tree && cd %s/tree && { %s; }", t->ti_dir, t->ti_dir,
		 setup != NULL ? setup : "true");
	cr_assert_eq(run(cmd), 0, "setup failed: %s", cmd);
	snprintf(cmd, sizeof(cmd),
		 "mke2fs -q -F -t ext2 -b %u %s -d %s/tree %s %uk >/dev/null 2>&1", bsize,
		 extra != NULL ? extra : "", t->ti_dir, t->ti_img, size_kb);
	cr_assert_eq(run(cmd), 0, "mke2fs failed: %s", cmd);
	t->ti_fd = open(t->ti_img, O_RDWR);
	cr_assert(t->ti_fd >= 0);
	cr_assert(fstat(t->ti_fd, &st) == 0);
	t->ti_size = (uint64_t)st.st_size;
}

int
timg_mount(struct timg *t)
{
	int err = ext2_mount(&t->ti_fs, "test", t->ti_size, img_read, t);

	t->ti_fs.fs_clock = test_clock;
	return err;
}

void
timg_mount_rw(struct timg *t)
{
	cr_assert_eq(timg_mount(t), 0);
	cr_assert_eq(ext2_mount_rw(&t->ti_fs, timg_write), 0);
}

void
timg_unmount(struct timg *t)
{
	ext2_unmount(&t->ti_fs);
}

int
timg_fsck(struct timg *t)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s 1>&2", t->ti_img);
	return run(cmd);
}

char *
timg_debugfs(struct timg *t, const char *cmd, size_t *len)
{
	char sh[1024], out[160];
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap + 1);
	FILE *f;

	snprintf(out, sizeof(out), "%s/debugfs.out", t->ti_dir);
	snprintf(sh, sizeof(sh), "debugfs -R '%s' %s >%s 2>/dev/null", cmd, t->ti_img, out);
	cr_assert_eq(run(sh), 0, "%s", sh);
	f = fopen(out, "rb");
	cr_assert(f != NULL);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

void
timg_destroy(struct timg *t)
{
	char cmd[128];

	if (t->ti_fd >= 0)
		close(t->ti_fd);
	t->ti_fd = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->ti_dir);
	(void)run(cmd);
}

void
timg_namei(struct timg *t, const char *path, struct ext2_inode *ip)
{
	cr_assert_eq(ext2_namei(&t->ti_fs, path, false, ip), 0, "namei %s", path);
}
