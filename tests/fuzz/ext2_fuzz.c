/*
 * ext2_fuzz.c — libFuzzer harness for bsd/fs/ext2/ext2.c: a disk image is untrusted, so any
 * bytes must mount or be refused with an errno, and everything reachable from the root of a
 * mounted image (inodes, block maps, directories, symlinks, path lookup) must read without a
 * fault. Then a copy of the image, marked clean so that most inputs get that far, is mounted
 * read-write and goes through a fixed sequence of changes (files written across the indirect
 * boundary and truncated, directories made, renamed and removed, symlinks, links, changes to
 * the entries already there) and an unmount: any error is fine, a fault or a leak is not.
 * The input is the image itself (the seeds are small `mke2fs -d` images: small1k, one group;
 * groups1k, `-b 1024 -g 256 -N 64 -O ^resize_inode` over d/f, a symlink l and a 3000-byte big,
 * two groups).
 */
// fuzz-deps: bsd/fs/ext2/ext2.c bsd/fs/ext2/ext2_alloc.c bsd/fs/ext2/ext2_file.c
// fuzz-deps: bsd/fs/ext2/ext2_dir.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img_fuzz.h"
#include <bsd/fs/ext2/ext2.h>

static struct ext2_fs fs;

static int
img_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct img *im = ctx;

	if (off % 512 != 0 || len % 512 != 0)
		abort();
	if (off > im->len || len > im->len - off)
		return EIO;
	memcpy(im->data + off, buf, len);
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

/* Free an inode whose last name went, as its owner would. */
static void
release(uint32_t ino)
{
	struct ext2_inode ip;

	if (ino != 0 && ext2_iget(&fs, ino, &ip) == 0)
		(void)ext2_release(&fs, &ip);
}

static uint32_t
ino_of(struct ext2_inode *dir, const char *name)
{
	uint32_t ino = 0;

	if (ext2_lookup(&fs, dir, name, (unsigned)strlen(name), &ino) != 0)
		return 0;
	return ino;
}

/* The fixed sequence of changes; every step may fail on a hostile image. */
static void
write_ops(void)
{
	static uint8_t data[5000];
	struct ext2_inode root, f, d, x, l;
	char slow[100];
	uint32_t ino;

	memset(data, 0x5a, sizeof(data));
	memset(slow, 's', sizeof(slow) - 1);
	slow[sizeof(slow) - 1] = '\0';
	if (ext2_iget(&fs, EXT2_ROOT_INO, &root) != 0)
		return;
	if (ext2_create(&fs, &root, "new", 3, EXT2_S_IFREG | 0644, 0, 0, &f) == 0) {
		(void)ext2_write(&fs, &f, 0, data, sizeof(data));
		(void)ext2_write(&fs, &f, 70000, data, 100);
		(void)ext2_truncate(&fs, &f, 1500);
	}
	if (ext2_create(&fs, &root, "nd", 2, EXT2_S_IFDIR | 0755, 0, 0, &d) == 0) {
		(void)ext2_create(&fs, &d, "x", 1, EXT2_S_IFREG | 0600, 0, 0, &x);
		(void)ext2_symlink(&fs, &d, "s", 1, slow, 0, 0, &l);
		(void)ext2_rename(&fs, &d, "x", 1, &root, "y", 1);
		ino = ino_of(&d, "s");
		(void)ext2_unlink(&fs, &d, "s", 1);
		release(ino);
		(void)ext2_rename(&fs, &root, "nd", 2, &root, "d2", 2);
	}
	/* Entries the image already had: a file over a directory, a move, removals. */
	(void)ext2_iget(&fs, EXT2_ROOT_INO, &root);
	(void)ext2_link(&fs, &root, "hl", 2, &f);
	ino = ino_of(&root, "l");
	(void)ext2_rename(&fs, &root, "y", 1, &root, "l", 1);
	release(ino);
	if (ext2_namei(&fs, "/d", true, &d) == 0) {
		ino = ino_of(&d, "f");
		(void)ext2_unlink(&fs, &d, "f", 1);
		release(ino);
		(void)ext2_rename(&fs, &root, "d", 1, &d, "loop", 4);
	}
	(void)ext2_iget(&fs, EXT2_ROOT_INO, &root);
	ino = ino_of(&root, "d2");
	(void)ext2_rmdir(&fs, &root, "d2", 2);
	release(ino);
	ino = ino_of(&root, "new");
	(void)ext2_unlink(&fs, &root, "new", 3);
	(void)ext2_unlink(&fs, &root, "hl", 2);
	release(ino);
	(void)ext2_sync(&fs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img im = { (uint8_t *)data, size };
	struct ext2_inode ip;
	unsigned budget = 64;

	if (ext2_mount(&fs, "fuzz", size, img_read, &im) != 0)
		return 0;
	if (ext2_iget(&fs, EXT2_ROOT_INO, &ip) == 0)
		(void)ext2_readdir(&fs, &ip, walk, &budget);
	(void)ext2_namei(&fs, "/d/f", true, &ip);
	(void)ext2_namei(&fs, "/l", true, &ip);
	ext2_unmount(&fs);

	/* Read-write, on a copy marked clean (s_state at 1024 + 58). */
	if (size < 2048)
		return 0;
	im.data = malloc(size);
	if (im.data == NULL)
		return 0;
	memcpy(im.data, data, size);
	im.data[1024 + 58] = 1;
	im.data[1024 + 59] = 0;
	if (ext2_mount(&fs, "fuzz", size, img_read, &im) == 0) {
		if (ext2_mount_rw(&fs, img_write) == 0)
			write_ops();
		ext2_unmount(&fs);
	}
	free(im.data);
	return 0;
}
