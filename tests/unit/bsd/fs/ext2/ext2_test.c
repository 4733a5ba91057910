/*
 * ext2_test.c — unit tests for bsd/fs/ext2/ext2.c over real images: the test writes a tree
 * (small and large files, a sparse file reaching the triple-indirect map, a directory of many
 * entries, fast, slow, looping and dangling symlinks), runs `mke2fs -t ext2 -d` on it (1 KiB
 * and 4 KiB blocks), reads everything back through the parser and compares; then it corrupts
 * copies (superblock, group descriptors, directory entries, block pointers, and a seeded sweep
 * of random metadata bytes) and checks that each gives an errno, never a fault (ASan/UBSan).
 */
// unit-deps: ext2_alloc.c ext2_file.c ext2_dir.c tests/unit/shim/kalloc_malloc.c
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>
#include <bsd/fs/ext2/ext2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG_MB	   8
#define BIG_LEN	   (300 * 1024 + 123)
#define SPARSE_OFF (70ull << 20) /* past 12 + 256 + 256^2 blocks of 1 KiB: triple indirect */
#define NMANY	   150

static uint8_t *img;
static size_t img_len;
static char dir[64];
static struct ext2_fs fs;

static int
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	/* The contract with block devices: 512-byte aligned offsets and lengths. */
	cr_assert(off % 512 == 0 && len % 512 == 0, "unaligned read %llu+%zu",
		  (unsigned long long)off, len);
	if (off > img_len || len > img_len - off)
		return EIO;
	memcpy(buf, img + off, len);
	return 0;
}

static uint8_t
big_byte(size_t i)
{
	return (uint8_t)(i * 31 + (i >> 10));
}

static void
write_file(const char *name, const void *data, size_t len, uint64_t at)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tree/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert(f != NULL, "%s", path);
	if (at != 0)
		cr_assert(fseek(f, (long)at, SEEK_SET) == 0);
	cr_assert(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static void
sh(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
	cr_assert(system(cmd) == 0, "failed: %s", cmd);
}

/* Make the tree and an image of it with block size bsize; load it into img. */
static void
make_image(unsigned bsize)
{
	char path[256], cmd[512];
	uint8_t *big = malloc(BIG_LEN);
	FILE *f;
	char slow[200];

	strcpy(dir, "/tmp/ext2-test-XXXXXX");
	cr_assert(mkdtemp(dir) != NULL);
	sh("mkdir -p %s/tree/dir/sub %s/tree/many", dir);
	write_file("hello.txt", "hello, ext2\n", 12, 0);
	for (size_t i = 0; i < BIG_LEN; i++)
		big[i] = big_byte(i);
	write_file("big.bin", big, BIG_LEN, 0);
	free(big);
	write_file("sparse.bin", "tail", 4, SPARSE_OFF);
	write_file("dir/sub/deep.txt", "deep\n", 5, 0);
	for (int i = 0; i < NMANY; i++) {
		char name[64];

		snprintf(name, sizeof(name), "many/file-with-a-long-name-%03d", i);
		write_file(name, name, strlen(name), 0);
	}
	/* A slow symlink: a target longer than the 60 bytes i_block holds. */
	strcpy(slow, "dir");
	for (int i = 0; i < 30; i++)
		strcat(slow, "/.");
	strcat(slow, "/sub/deep.txt");
	snprintf(cmd, sizeof(cmd),
		 "cd %s/tree && ln -s hello.txt fast && ln -s %s slow && ln -s loop loop && "
		 "ln -s nowhere dangling && ln -s /dir/sub abs",
		 dir, slow);
	cr_assert(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd),
		 "mke2fs -q -F -t ext2 -b %u -L nimbus-ext2 -d %s/tree %s/img %uM >/dev/null 2>&1",
		 bsize, dir, dir, IMG_MB);
	cr_assert(system(cmd) == 0, "mke2fs failed: %s", cmd);
	snprintf(path, sizeof(path), "%s/img", dir);
	f = fopen(path, "rb");
	cr_assert(f != NULL);
	img_len = (size_t)IMG_MB << 20;
	img = malloc(img_len);
	cr_assert(fread(img, 1, img_len, f) == img_len);
	fclose(f);
	sh("rm -rf %s", dir);
}

static void
fini(void)
{
	ext2_unmount(&fs);
	free(img);
	img = NULL;
}

static void
init1k(void)
{
	make_image(1024);
}

static void
init4k(void)
{
	make_image(4096);
}

static void
read_path(const char *path, uint8_t *buf, size_t len, size_t *got)
{
	struct ext2_inode ip;

	cr_assert_eq(ext2_namei(&fs, path, true, &ip), 0, "namei %s", path);
	cr_assert_eq(ext2_read(&fs, &ip, 0, buf, len, got), 0);
}

static void
check_tree(unsigned bsize)
{
	struct ext2_inode ip;
	uint8_t buf[64];
	size_t got;
	uint8_t *big;

	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), 0);
	cr_assert_eq(fs.fs_bsize, bsize);
	cr_assert_str_eq(fs.fs_label, "nimbus-ext2");
	read_path("/hello.txt", buf, sizeof(buf), &got);
	cr_assert_eq(got, 12);
	cr_assert(memcmp(buf, "hello, ext2\n", 12) == 0);
	read_path("fast", buf, sizeof(buf), &got);
	cr_assert_eq(got, 12);
	read_path("/slow", buf, sizeof(buf), &got);
	cr_assert_eq(got, 5);
	cr_assert(memcmp(buf, "deep\n", 5) == 0);
	read_path("/abs/deep.txt", buf, sizeof(buf), &got);
	cr_assert_eq(got, 5);
	read_path("/dir/./sub/../sub/deep.txt", buf, sizeof(buf), &got);
	cr_assert_eq(got, 5);

	/* Read big.bin in odd pieces, crossing blocks and the indirect boundaries. */
	big = malloc(BIG_LEN);
	cr_assert_eq(ext2_namei(&fs, "/big.bin", true, &ip), 0);
	cr_assert_eq(ip.i_size, BIG_LEN);
	for (size_t off = 0, step = 777; off < BIG_LEN; off += got, step = step * 3 % 70001 + 1) {
		cr_assert_eq(ext2_read(&fs, &ip, off, big + off, step, &got), 0);
		cr_assert(got > 0);
	}
	for (size_t i = 0; i < BIG_LEN; i++)
		cr_assert_eq(big[i], big_byte(i), "big.bin byte %zu", i);
	cr_assert_eq(ext2_read(&fs, &ip, 0, big, BIG_LEN, &got), 0);
	cr_assert_eq(got, BIG_LEN);
	for (size_t i = 0; i < BIG_LEN; i++)
		cr_assert_eq(big[i], big_byte(i), "big.bin byte %zu (one read)", i);
	free(big);

	cr_assert_eq(ext2_namei(&fs, "/sparse.bin", true, &ip), 0);
	cr_assert_eq(ip.i_size, SPARSE_OFF + 4);
	cr_assert_eq(ext2_read(&fs, &ip, SPARSE_OFF - 4, buf, 16, &got), 0);
	cr_assert_eq(got, 8);
	cr_assert(memcmp(buf, "\0\0\0\0tail", 8) == 0);
}

Test(ext2_1k, reads_the_tree, .init = init1k, .fini = fini)
{
	check_tree(1024);
}

Test(ext2_4k, reads_the_tree, .init = init4k, .fini = fini)
{
	check_tree(4096);
}

struct listing {
	unsigned n;
	bool seen_hello, seen_many, seen_dotdot;
};

static int
list_fn(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	struct listing *l = arg;

	l->n++;
	if (len == 9 && memcmp(name, "hello.txt", 9) == 0)
		l->seen_hello = true;
	if (len == 4 && memcmp(name, "many", 4) == 0)
		l->seen_many = ftype == 2; /* EXT2_FT_DIR */
	if (len == 2 && memcmp(name, "..", 2) == 0)
		l->seen_dotdot = ino == EXT2_ROOT_INO;
	return 0;
}

Test(ext2_1k, directories, .init = init1k, .fini = fini)
{
	struct ext2_inode root, many, f;
	struct listing l = { 0 };
	char name[64];
	uint32_t ino;

	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), 0);
	cr_assert_eq(ext2_iget(&fs, EXT2_ROOT_INO, &root), 0);
	cr_assert_eq(ext2_readdir(&fs, &root, list_fn, &l), 0);
	/* . .. lost+found hello.txt big.bin sparse.bin dir many fast slow loop dangling abs */
	cr_assert_eq(l.n, 13);
	cr_assert(l.seen_hello && l.seen_many && l.seen_dotdot);
	cr_assert_eq(ext2_namei(&fs, "/many", true, &many), 0);
	cr_assert(many.i_size > 1024, "the directory should span blocks");
	for (int i = 0; i < NMANY; i++) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%03d", i);
		cr_assert_eq(ext2_lookup(&fs, &many, name, (unsigned)strlen(name), &ino), 0, "%s",
			     name);
	}
	cr_assert_eq(ext2_lookup(&fs, &many, "nope", 4, &ino), ENOENT);
	cr_assert_eq(ext2_namei(&fs, "/hello.txt", true, &f), 0);
	cr_assert_eq(ext2_readdir(&fs, &f, list_fn, &l), ENOTDIR);
	cr_assert_eq(ext2_namei(&fs, "/hello.txt/x", true, &f), ENOTDIR);
	cr_assert_eq(ext2_namei(&fs, "/nope", true, &f), ENOENT);
}

Test(ext2_1k, symlinks, .init = init1k, .fini = fini)
{
	struct ext2_inode ip;
	char buf[128];

	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), 0);
	cr_assert_eq(ext2_namei(&fs, "/loop", true, &ip), ELOOP);
	cr_assert_eq(ext2_namei(&fs, "/loop", false, &ip), 0);
	cr_assert_eq(ext2_namei(&fs, "/dangling", true, &ip), ENOENT);
	cr_assert_eq(ext2_namei(&fs, "/fast", false, &ip), 0);
	cr_assert_eq(ext2_readlink(&fs, &ip, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "hello.txt");
	cr_assert_eq(ext2_readlink(&fs, &ip, buf, 5), ENAMETOOLONG);
	cr_assert_eq(ext2_namei(&fs, "/slow", false, &ip), 0);
	cr_assert_eq(ext2_readlink(&fs, &ip, buf, sizeof(buf)), 0);
	cr_assert(strlen(buf) > 60);
	cr_assert_eq(ext2_namei(&fs, "/hello.txt", false, &ip), 0);
	cr_assert_eq(ext2_readlink(&fs, &ip, buf, sizeof(buf)), EINVAL);
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

Test(ext2_1k, corrupt_superblock, .init = init1k, .fini = fini)
{
	uint8_t save[1024];

	memcpy(save, img + 1024, 1024);
	img[1024 + 56] ^= 1;
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
	memcpy(img + 1024, save, 1024);
	put32(img + 1024 + 96, 0x40 | 0x2); /* EXTENTS */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), ENOTSUP);
	memcpy(img + 1024, save, 1024);
	put32(img + 1024 + 4, 0x7fffffff); /* blocks_count past the device */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
	memcpy(img + 1024, save, 1024);
	put32(img + 1024 + 24, 9); /* 512 KiB blocks */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), ENOTSUP);
	memcpy(img + 1024, save, 1024);
	put32(img + 1024 + 40, 0); /* no inodes per group */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
	memcpy(img + 1024, save, 1024);
	put32(img + 1024 + 0, 12345); /* inodes_count disagrees */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
	memcpy(img + 1024, save, 1024);
	img[1024 + 88] = 100; /* inode size not a power of two */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
	memcpy(img + 1024, save, 1024);
	put32(img + 2048 + 8, 0xfffffff0); /* group 0's inode table (1 KiB blocks: GDT at 2) */
	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), EINVAL);
}

/* The byte offset of inode ino on the mounted image. */
static size_t
inode_off(uint32_t ino)
{
	uint32_t g = (ino - 1) / fs.fs_ipg, idx = (ino - 1) % fs.fs_ipg;

	return (size_t)fs.fs_groups[g].eg_inode_table * fs.fs_bsize + (size_t)idx * fs.fs_isize;
}

/* The image changed under the mount: forget the blocks ext2.c keeps. */
static void
drop_caches(void)
{
	fs.fs_buf_blk = UINT32_MAX;
	for (int l = 0; l < 3; l++)
		fs.fs_ind_blk[l] = UINT32_MAX;
}

Test(ext2_1k, corrupt_inodes_and_directories, .init = init1k, .fini = fini)
{
	struct ext2_inode ip, root;
	uint8_t buf[2048];
	size_t got, o;

	cr_assert_eq(ext2_mount(&fs, "test", img_len, img_read, NULL), 0);
	cr_assert_eq(ext2_namei(&fs, "/big.bin", true, &ip), 0);
	o = inode_off(ip.i_ino);
	put32(img + o + 40 + 4 * 3, 0x7ffffff0); /* a direct pointer outside the fs */
	drop_caches();
	cr_assert_eq(ext2_iget(&fs, ip.i_ino, &ip), 0);
	cr_assert_eq(ext2_read(&fs, &ip, 0, buf, sizeof(buf), &got), 0);
	cr_assert_eq(ext2_read(&fs, &ip, 3 * 1024, buf, 16, &got), EIO);
	put32(img + o + 40 + 4 * 12, 0x7ffffff0); /* the indirect block pointer */
	drop_caches();
	cr_assert_eq(ext2_iget(&fs, ip.i_ino, &ip), 0);
	cr_assert_eq(ext2_read(&fs, &ip, 20 * 1024, buf, 16, &got), EIO);
	put32(img + o + 108, 0x7fffffff); /* size_high: beyond the block map */
	drop_caches();
	cr_assert_eq(ext2_iget(&fs, ip.i_ino, &ip), EIO);
	cr_assert_eq(ext2_iget(&fs, 0, &ip), EIO);
	cr_assert_eq(ext2_iget(&fs, fs.fs_ninodes + 1, &ip), EIO);

	cr_assert_eq(ext2_iget(&fs, EXT2_ROOT_INO, &root), 0);
	o = (size_t)root.i_block[0] * fs.fs_bsize;
	img[o + 4] = 3; /* rec_len of "." */
	cr_assert_eq(ext2_namei(&fs, "/hello.txt", true, &ip), EIO);
	img[o + 4] = 12;
	img[o + 12 + 4] = 0xf0; /* rec_len of "..": past the block */
	img[o + 12 + 5] = 0x7f;
	cr_assert_eq(ext2_namei(&fs, "/hello.txt", true, &ip), EIO);
}

/* A seeded sweep: flip random bytes in the metadata and walk everything; errnos only. */
static int
walk_fn(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	unsigned *budget = arg;
	struct ext2_inode ip;
	uint8_t buf[4096];
	size_t got;

	if (*budget == 0 || (len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return 0;
	(*budget)--;
	if (ext2_iget(&fs, ino, &ip) != 0)
		return 0;
	(void)ext2_read(&fs, &ip, 0, buf, sizeof(buf), &got);
	(void)ext2_read(&fs, &ip, 300 * 1024, buf, sizeof(buf), &got);
	(void)ext2_readlink(&fs, &ip, (char *)buf, sizeof(buf));
	if ((ip.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		(void)ext2_readdir(&fs, &ip, walk_fn, arg);
	return 0;
}

Test(ext2_1k, random_metadata_corruption, .init = init1k, .fini = fini)
{
	uint8_t *clean = malloc(img_len);
	uint32_t seed = 12345;
	size_t meta_end = 300 * 1024; /* superblock, GDT, bitmaps, inode tables, dirs */

	memcpy(clean, img, img_len);
	for (int round = 0; round < 300; round++) {
		struct ext2_inode ip;
		unsigned budget = 400;

		memcpy(img, clean, meta_end);
		for (int k = 0; k < 1 + round % 16; k++) {
			seed = seed * 1103515245 + 12345;
			img[1024 + (seed >> 8) % (meta_end - 1024)] ^= (uint8_t)(1 + (seed >> 3) % 255);
		}
		if (ext2_mount(&fs, "fuzz", img_len, img_read, NULL) != 0)
			continue;
		if (ext2_iget(&fs, EXT2_ROOT_INO, &ip) == 0)
			(void)ext2_readdir(&fs, &ip, walk_fn, &budget);
		(void)ext2_namei(&fs, "/dir/sub/deep.txt", true, &ip);
		(void)ext2_namei(&fs, "/slow", true, &ip);
		ext2_unmount(&fs);
	}
	free(clean);
}
