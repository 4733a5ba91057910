/*
 * ext2_ktest.c — storage end to end, for the `storage` boot scenario: its second disk holds a
 * GPT (built by tests/boot/mkgpt.py) whose partition "nimbus-ext2" is an ext2 image made by
 * `mke2fs -d`. The ktests check the partition nubs in the registry, then mount the partition
 * through its IOMedia, list the root, read the known files back and print the read rate.
 * Skipped when no partition has that label (every other scenario).
 */
#include <bsd/fs/ext2/ext2.h>
#include <console.h>
#include <iokit/io_media.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>

#define STORAGE_LABEL "nimbus-ext2"
#define BIG_LEN	      (2u * 1024 * 1024 + 123) /* tests/boot/storage.sh's big.bin */

static void
find_label(struct io_service *s, unsigned depth, void *arg)
{
	struct io_media **out = arg;
	struct io_media *m = io_media_from_service(s);
	const char *label;

	if (*out != NULL || m == NULL)
		return;
	label = os_dict_get_string(io_service_props(s), kIOMediaLabelKey);
	if (label != NULL && strcmp(label, STORAGE_LABEL) == 0)
		*out = m;
}

static struct io_media *
storage_partition(void)
{
	struct io_media *m = NULL;

	io_registry_walk(io_registry_root(), find_label, &m);
	return m;
}

static int
media_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

KTEST(storage_partition_nubs)
{
	struct io_media *m = storage_partition(), *disk;
	struct io_service *scheme;
	struct os_dict *d;
	const char *content, *uuid;
	uint8_t buf[512];

	if (m == NULL)
		KT_SKIP("no partition labelled " STORAGE_LABEL);
	KT_ASSERT(!m->im_whole);
	scheme = io_service_provider(m->im_service);
	KT_ASSERT(scheme != NULL && io_service_is_class(scheme, "IOPartitionScheme"));
	disk = io_media_from_service(io_service_provider(scheme));
	KT_ASSERT(disk != NULL && disk->im_whole);
	d = io_service_props(m->im_service);
	content = os_dict_get_string(d, kIOMediaContentKey);
	uuid = os_dict_get_string(d, kIOMediaUUIDKey);
	KT_ASSERT(content != NULL && strcmp(content, "0fc63daf-8483-4772-8e79-3d69d8477de4") == 0);
	KT_ASSERT(uuid != NULL && strlen(uuid) == 36);
	KT_ASSERT(strcmp(os_dict_get_string(io_service_props(scheme), kIOMediaContentKey),
			 "GUID_partition_scheme") == 0);
	/* mkgpt.py puts the first partition at 1 MiB; the BSD name is the disk's plus 1. */
	KT_ASSERT_EQ(m->im_base, 1u << 20);
	KT_ASSERT(m->im_bsd_name[0] != '\0' && strncmp(m->im_bsd_name, disk->im_bsd_name,
							strlen(disk->im_bsd_name)) == 0);
	KT_ASSERT(m->im_base + m->im_size < disk->im_size);
	/* The window ends at the partition, though the disk goes on. */
	KT_ASSERT_EQ(io_media_read(m, m->im_size, buf, 512), KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(io_media_read(m, m->im_size - 512, buf, 512), KERN_SUCCESS);
	/* The partition's sector 2 is the disk's sector 2050: the same bytes. */
	{
		uint8_t b2[512];

		KT_ASSERT_EQ(io_media_read(m, 1024, buf, 512), KERN_SUCCESS);
		KT_ASSERT_EQ(io_media_read(disk, m->im_base + 1024, b2, 512), KERN_SUCCESS);
		KT_ASSERT(memcmp(buf, b2, 512) == 0);
	}
}

static int
list_fn(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	unsigned *n = arg;

	printf("#   %.*s (inode %u, type %u)\n", (int)len, name, ino, ftype);
	(*n)++;
	return 0;
}

KTEST(storage_ext2_reads_files)
{
	struct io_media *m = storage_partition();
	struct ext2_fs *fs;
	struct ext2_inode ip;
	char text[64];
	uint8_t *big;
	unsigned n = 0;
	size_t got;
	uint64_t t0, ns;

	if (m == NULL)
		KT_SKIP("no partition labelled " STORAGE_LABEL);
	fs = kalloc_zero(sizeof(*fs));
	KT_ASSERT(fs != NULL);
	KT_ASSERT_EQ(ext2_mount(fs, m->im_bsd_name, m->im_size, media_read, m), 0);
	KT_ASSERT(strcmp(fs->fs_label, STORAGE_LABEL) == 0);
	KT_ASSERT_EQ(ext2_iget(fs, EXT2_ROOT_INO, &ip), 0);
	printf("# ext2 %s: %u blocks of %u, root:\n", m->im_bsd_name, fs->fs_nblocks,
	       fs->fs_bsize);
	KT_ASSERT_EQ(ext2_readdir(fs, &ip, list_fn, &n), 0);
	KT_ASSERT(n >= 6); /* . .. lost+found hello.txt big.bin etc link */

	KT_ASSERT_EQ(ext2_namei(fs, "/hello.txt", true, &ip), 0);
	KT_ASSERT_EQ(ext2_read(fs, &ip, 0, text, sizeof(text), &got), 0);
	KT_ASSERT_EQ(got, 25);
	KT_ASSERT(memcmp(text, "hello from the host disk\n", 25) == 0);
	KT_ASSERT_EQ(ext2_namei(fs, "/link", true, &ip), 0); /* -> etc/motd */
	KT_ASSERT_EQ(ext2_read(fs, &ip, 0, text, sizeof(text), &got), 0);
	KT_ASSERT_EQ(got, 6);
	KT_ASSERT(memcmp(text, "nimbus", 6) == 0);
	KT_ASSERT_EQ(ext2_namei(fs, "/nope", true, &ip), ENOENT);

	KT_ASSERT_EQ(ext2_namei(fs, "/big.bin", true, &ip), 0);
	KT_ASSERT_EQ(ip.i_size, BIG_LEN);
	big = kalloc(BIG_LEN);
	KT_ASSERT(big != NULL);
	t0 = clock_get_uptime();
	KT_ASSERT_EQ(ext2_read(fs, &ip, 0, big, BIG_LEN, &got), 0);
	ns = clock_get_uptime() - t0;
	KT_ASSERT_EQ(got, BIG_LEN);
	for (size_t i = 0; i < BIG_LEN; i++)
		if (big[i] != (uint8_t)(i * 31 + (i >> 10))) {
			printf("# big.bin differs at byte %zu\n", i);
			KT_ASSERT(false);
		}
	printf("# ext2: read big.bin (%u bytes) in %llu us: %llu KB/s (cold, through IOMedia)\n",
	       BIG_LEN, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns ? (uint64_t)BIG_LEN * 1000000 / ns : 0));
	kfree(big, BIG_LEN);
	ext2_unmount(fs);
	kfree(fs, sizeof(*fs));
}
