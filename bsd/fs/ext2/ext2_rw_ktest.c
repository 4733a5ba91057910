/*
 * ext2_rw_ktest.c — ext2 read-write in the kernel, for the `storage-write` boot scenario: its
 * scratch disk is an ext2 image labelled "nimbus-scratch" (made by `mke2fs -d` on the host).
 * The ktest finds it among the IOMedia, mounts it read-write through io_media_read/write,
 * makes a directory of new files (a 1 MiB pattern written in pieces, a text file, a symlink,
 * a file renamed and truncated), removes and extends files the host put there, unmounts
 * (which marks it clean) and flushes; the host then runs `e2fsck -fn` and reads the files back
 * with debugfs. Skipped when no disk has that label (every other scenario).
 */
#include <bsd/fs/ext2/ext2.h>
#include <console.h>
#include <iokit/io_media.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>

#define SCRATCH_LABEL  "nimbus-scratch"
#define SCRATCH_MAX    16
#define WR_BIG_LEN     (1024u * 1024 + 321) /* tests/boot/storage-write.sh checks these */
#define WR_PIECE       (60u * 1024 + 7)
#define WR_HELLO       "written by nimbus\n"
#define WR_RENAMED_LEN 1000

struct scratch_list {
	struct io_service *sl_s[SCRATCH_MAX];
	unsigned sl_n;
};

static void
collect(struct io_service *s, unsigned depth, void *arg)
{
	struct scratch_list *sl = arg;

	if (io_media_from_service(s) != NULL && sl->sl_n < SCRATCH_MAX) {
		io_service_retain(s);
		sl->sl_s[sl->sl_n++] = s;
	}
}

/* The medium whose ext2 superblock has the scratch label (I/O after the registry walk). */
static struct io_media *
scratch_media(struct io_service **held)
{
	struct scratch_list sl = { .sl_n = 0 };
	struct io_media *found = NULL;
	uint8_t sb[512];

	io_registry_walk(io_registry_root(), collect, &sl);
	for (unsigned i = 0; i < sl.sl_n; i++) {
		struct io_media *m = io_media_from_service(sl.sl_s[i]);

		if (found == NULL && m->im_writable &&
		    io_media_read(m, 1024, sb, sizeof(sb)) == KERN_SUCCESS && sb[56] == 0x53 &&
		    sb[57] == 0xef && memcmp(sb + 120, SCRATCH_LABEL, sizeof(SCRATCH_LABEL)) == 0) {
			found = m;
			*held = sl.sl_s[i];
			continue;
		}
		io_service_release(sl.sl_s[i]);
	}
	return found;
}

static int
media_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

static int
media_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return io_media_write(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

static uint8_t
wr_byte(size_t i)
{
	return (uint8_t)(i * 13 + (i >> 11) + 7);
}

KTEST(storage_ext2_writes_files)
{
	struct io_service *held = NULL;
	struct io_media *m = scratch_media(&held);
	struct ext2_inode root, out, big, f, ip;
	struct ext2_statfs sf;
	struct ext2_fs *fs;
	uint8_t *buf;
	size_t got;
	uint64_t t0, ns;
	uint32_t ino;

	if (m == NULL)
		KT_SKIP("no disk labelled " SCRATCH_LABEL);
	fs = kalloc_zero(sizeof(*fs));
	buf = kalloc(WR_BIG_LEN);
	KT_ASSERT(fs != NULL && buf != NULL);
	KT_ASSERT_EQ(ext2_mount(fs, m->im_bsd_name, m->im_size, media_read, m), 0);
	KT_ASSERT_EQ(ext2_mount_rw(fs, media_write), 0);
	KT_ASSERT_EQ(ext2_iget(fs, EXT2_ROOT_INO, &root), 0);
	KT_ASSERT_EQ(ext2_create(fs, &root, "out", 3, EXT2_S_IFDIR | 0755, 0, 0, &out), 0);

	for (size_t i = 0; i < WR_BIG_LEN; i++)
		buf[i] = wr_byte(i);
	KT_ASSERT_EQ(ext2_create(fs, &out, "big.bin", 7, EXT2_S_IFREG | 0644, 0, 0, &big), 0);
	t0 = clock_get_uptime();
	for (size_t off = 0; off < WR_BIG_LEN; off += WR_PIECE)
		KT_ASSERT_EQ(ext2_write(fs, &big, off, buf + off, MIN(WR_PIECE, WR_BIG_LEN - off)),
			     0);
	ns = clock_get_uptime() - t0;
	KT_ASSERT_EQ(big.i_size, WR_BIG_LEN);

	KT_ASSERT_EQ(ext2_create(fs, &out, "hello.txt", 9, EXT2_S_IFREG | 0644, 0, 0, &f), 0);
	KT_ASSERT_EQ(ext2_write(fs, &f, 0, WR_HELLO, sizeof(WR_HELLO) - 1), 0);
	KT_ASSERT_EQ(ext2_symlink(fs, &out, "link", 4, "hello.txt", 0, 0, &ip), 0);
	KT_ASSERT_EQ(ext2_create(fs, &out, "tmp", 3, EXT2_S_IFREG | 0600, 0, 0, &f), 0);
	KT_ASSERT_EQ(ext2_write(fs, &f, 0, buf, 5000), 0);
	KT_ASSERT_EQ(ext2_truncate(fs, &f, WR_RENAMED_LEN), 0);
	KT_ASSERT_EQ(ext2_rename(fs, &out, "tmp", 3, &out, "renamed", 7), 0);

	/* The host's files: one removed (and freed), one extended. */
	KT_ASSERT_EQ(ext2_lookup(fs, &root, "hello.txt", 9, &ino), 0);
	KT_ASSERT_EQ(ext2_unlink(fs, &root, "hello.txt", 9), 0);
	KT_ASSERT_EQ(ext2_iget(fs, ino, &ip), 0);
	KT_ASSERT_EQ(ip.i_links, 0);
	KT_ASSERT_EQ(ext2_release(fs, &ip), 0);
	KT_ASSERT_EQ(ext2_namei(fs, "/etc/motd", true, &ip), 0);
	KT_ASSERT_EQ(ext2_write(fs, &ip, ip.i_size, " rw", 3), 0);

	/* Read back through the same mount before it goes. */
	memset(buf, 0, WR_BIG_LEN);
	KT_ASSERT_EQ(ext2_namei(fs, "/out/big.bin", true, &ip), 0);
	KT_ASSERT_EQ(ext2_read(fs, &ip, 0, buf, WR_BIG_LEN, &got), 0);
	KT_ASSERT_EQ(got, WR_BIG_LEN);
	for (size_t i = 0; i < WR_BIG_LEN; i++)
		if (buf[i] != wr_byte(i)) {
			printf("# out/big.bin differs at byte %zu\n", i);
			KT_ASSERT(false);
		}
	KT_ASSERT_EQ(ext2_statfs(fs, &sf), 0);
	printf("# ext2: wrote out/big.bin (%u bytes) in %llu us: %llu KB/s (through IOMedia); "
	       "%u of %u blocks free\n", WR_BIG_LEN, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns ? (uint64_t)WR_BIG_LEN * 1000000 / ns : 0), sf.sf_bfree,
	       sf.sf_blocks);
	ext2_unmount(fs);
	KT_ASSERT_EQ(io_media_flush(m), KERN_SUCCESS);
	kfree(fs, sizeof(*fs));
	kfree(buf, WR_BIG_LEN);
	io_service_release(held);
}
