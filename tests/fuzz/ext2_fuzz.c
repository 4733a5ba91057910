/*
 * ext2_fuzz.c — libFuzzer harness for bsd/fs/ext2/ext2.c: a disk image is untrusted, so any
 * bytes must mount or be refused with an errno, and everything reachable from the root of a
 * mounted image (inodes, block maps, directories, symlinks, path lookup) must read without a
 * fault. The input is the image itself (the seed is a small `mke2fs -d` image).
 */
// fuzz-deps: bsd/fs/ext2/ext2.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/fs/ext2/ext2.h>

struct img {
	const uint8_t *data;
	size_t len;
};

static struct ext2_fs fs;

static int
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct img *im = ctx;

	if (off % 512 != 0 || len % 512 != 0)
		abort(); /* the block-device contract */
	if (off > im->len || len > im->len - off)
		return EIO;
	memcpy(buf, im->data + off, len);
	return 0;
}

static int
walk(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	unsigned *budget = arg;
	struct ext2_inode ip;
	uint8_t buf[512];
	size_t got;

	if (*budget == 0 || (len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return 0;
	(*budget)--;
	if (ext2_iget(&fs, ino, &ip) != 0)
		return 0;
	if (ext2_read(&fs, &ip, 0, buf, sizeof(buf), &got) == 0 && got > sizeof(buf))
		abort();
	(void)ext2_read(&fs, &ip, ip.i_size > 700 ? ip.i_size - 700 : 0, buf, sizeof(buf), &got);
	(void)ext2_readlink(&fs, &ip, (char *)buf, sizeof(buf));
	if ((ip.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		(void)ext2_readdir(&fs, &ip, walk, arg);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img im = { data, size };
	struct ext2_inode ip;
	unsigned budget = 64;

	if (ext2_mount(&fs, "fuzz", size, img_read, &im) != 0)
		return 0;
	if (ext2_iget(&fs, EXT2_ROOT_INO, &ip) == 0)
		(void)ext2_readdir(&fs, &ip, walk, &budget);
	(void)ext2_namei(&fs, "/d/f", true, &ip);
	(void)ext2_namei(&fs, "/l", true, &ip);
	ext2_unmount(&fs);
	return 0;
}
