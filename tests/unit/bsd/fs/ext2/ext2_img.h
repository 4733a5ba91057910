/*
 * ext2_img.h — image fixtures for the read-write ext2 tests (ext2_file_test.c,
 * ext2_dir_test.c): an image file made by `mke2fs -t ext2 -d` from a tree the test writes,
 * mounted read-write through pread/pwrite callbacks, and the host's e2fsprogs (e2fsck -fn,
 * debugfs) to judge and read back what the kernel code wrote.
 */
#ifndef _TESTS_UNIT_BSD_FS_EXT2_IMG_H_
#define _TESTS_UNIT_BSD_FS_EXT2_IMG_H_

#include <bsd/fs/ext2/ext2.h>
#include <stddef.h>

struct timg {
	char ti_dir[64];   /* a temporary directory: tree/ and img */
	char ti_img[128];
	int ti_fd;
	uint64_t ti_size;
	struct ext2_fs ti_fs;
};

/*
 * Make an image of size_kb KiB with block size bsize from the tree that the shell snippet
 * setup (run in tree/, may be NULL) writes; extra goes to mke2fs (e.g. "-O ^large_file").
 */
void timg_make(struct timg *t, unsigned bsize, unsigned size_kb, const char *extra,
	       const char *setup);
/* The image's callbacks, for tests that call ext2_mount_rw themselves. */
int timg_write(void *ctx, uint64_t off, const void *buf, size_t len);
/* ext2_mount (read-only) through the image's callbacks: its result. */
int timg_mount(struct timg *t);
/* ext2_mount, then ext2_mount_rw (both must succeed). */
void timg_mount_rw(struct timg *t);
void timg_unmount(struct timg *t);
/* Run `e2fsck -fn` on the image; its exit status (0: clean). The output goes to stderr. */
int timg_fsck(struct timg *t);
/* Run debugfs -R cmd on the image: its stdout, malloc'd and NUL-terminated; *len its size. */
char *timg_debugfs(struct timg *t, const char *cmd, size_t *len);
/* Remove the image and its directory. */
void timg_destroy(struct timg *t);
/* Resolve path (no symlink at the end) on the mounted image; asserts success. */
void timg_namei(struct timg *t, const char *path, struct ext2_inode *ip);

#endif
