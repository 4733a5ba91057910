/*
 * cd9660_ktest.c — a NoCloud seed end to end, for the `nocloud-seed` boot scenario: its second
 * disk is an ISO 9660 seed built by ci/mkseed.sh (label cidata, Rock Ridge). The ktest finds
 * it as root=LABEL= and mount(2) do (vfs_find_media("LABEL=cidata"): no partition has that
 * label, so the ISO volume identifiers are probed), mounts it through its IOMedia, lists the
 * root and reads meta-data back. Skipped when no disk is labelled cidata (every other
 * scenario).
 */
#include <bsd/fs/cd9660/cd9660.h>
#include <bsd/sys/mount.h>
#include <console.h>
#include <iokit/io_media.h>
#include <ktest.h>
#include <mach/kern/kalloc.h>

static int
seed_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

static int
seed_list(void *arg, const char *name, unsigned namelen, const struct cd9660_node *np)
{
	unsigned *n = arg;

	printf("#   %.*s (%u bytes, mode %o)\n", (int)namelen, name, np->n_size, np->n_mode);
	(*n)++;
	return 0;
}

KTEST(cd9660_seed_by_label)
{
	struct io_media *m = vfs_find_media("LABEL=cidata");
	struct cd9660_fs *fs;
	struct cd9660_node md;
	char text[128];
	unsigned n = 0;
	size_t got;

	if (m == NULL)
		KT_SKIP("no disk labelled cidata");
	KT_ASSERT(vfs_find_media("LABEL=cidata-not") == NULL);
	fs = kalloc_zero(sizeof(*fs));
	KT_ASSERT(fs != NULL);
	KT_ASSERT_EQ(cd9660_mount(fs, m->im_bsd_name, m->im_size, seed_read, m), 0);
	KT_ASSERT(strcmp(fs->fs_label, "cidata") == 0);
	KT_ASSERT(fs->fs_rr);
	printf("# cd9660 %s: %u blocks of %u, root:\n", m->im_bsd_name, fs->fs_nblocks,
	       fs->fs_bsize);
	KT_ASSERT_EQ(cd9660_readdir(fs, &fs->fs_root, seed_list, &n), 0);
	KT_ASSERT_EQ(n, 4); /* . .. meta-data user-data */
	KT_ASSERT_EQ(cd9660_lookup(fs, &fs->fs_root, "meta-data", 9, &md), 0);
	KT_ASSERT(md.n_size > 12 && md.n_size < sizeof(text));
	KT_ASSERT_EQ(cd9660_read(fs, &md, 0, text, sizeof(text), &got), 0);
	KT_ASSERT_EQ(got, md.n_size);
	KT_ASSERT(memcmp(text, "instance-id:", 12) == 0);
	cd9660_unmount(fs);
	kfree(fs, sizeof(*fs));
}
