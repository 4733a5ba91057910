/*
 * tmpfs_ktest.c — tmpfs on a mount of its own (made here, outside the mount table, so it runs
 * whatever the root is): file data written, pushed to the default pager by fsync, dropped from
 * the cache and read back through VOP_PAGEIN; truncation forgets what lay past the new end
 * (extending again reads zeros); rename across directories, hard and symbolic links, readdir,
 * ENOTEMPTY, a file unlinked while open still readable until its last use, and nodes freed so
 * that the mount can go with no vnode left.
 */
#include <bsd/sys/dirent.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>

#define TK_LEN (3 * PAGE_SIZE + 100)

static uint8_t
tk_byte(uint64_t i)
{
	return (uint8_t)(i * 13 + (i >> 12));
}

/* Read len bytes of vp at 0; the number of the first byte that is not want(i) + 1, or 0. */
static uint64_t
tk_check(vnode_t vp, uint8_t *buf, size_t len, uint64_t good)
{
	size_t resid;

	if (vn_rdwr(UIO_READ, vp, buf, len, 0, UIO_SYSSPACE, 0, &resid) != 0 || resid != 0)
		return UINT64_MAX;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != (i < good ? tk_byte(i) : 0))
			return i + 1;
	return 0;
}

static int
tk_count(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned dtype,
	 uint64_t cookie)
{
	(*(unsigned *)arg)++;
	return 0;
}

KTEST(tmpfs_files_through_the_default_pager)
{
	struct mount *mp = kalloc_zero(sizeof(*mp));
	struct vattr va = { 0 };
	struct statfs_info sf;
	vnode_t root, vp, dvp, vp2, lp;
	uint8_t *buf = kalloc(TK_LEN);
	unsigned n = 0;
	uint64_t cookie = 0, dirty;
	char target[16];
	struct uio uio;
	struct iovec iov;
	size_t resid;

	KT_ASSERT(mp != NULL && buf != NULL);
	mp->mnt_op = &tmpfs_vfsops;
	KT_ASSERT_EQ(tmpfs_vfsops.vfs_mount(mp, NULL, 0), 0);
	KT_ASSERT_EQ(tmpfs_vfsops.vfs_root(mp, &root), 0);
	KT_ASSERT(root->v_type == VDIR && (root->v_flag & VROOT));

	/* Data: written, synced to the pager, dropped from the cache, read back. */
	va.va_mode = S_IFREG | 0644;
	KT_ASSERT_EQ(root->v_op->vop_create(root, "f", 1, &va, &vp), 0);
	KT_ASSERT_EQ(root->v_op->vop_create(root, "f", 1, &va, &vp2), EEXIST);
	for (size_t i = 0; i < TK_LEN; i++)
		buf[i] = tk_byte(i);
	KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, buf, TK_LEN, 0, UIO_SYSSPACE, 0, &resid), 0);
	KT_ASSERT_EQ(VOP_FSYNC(vp), 0);
	(void)ubc_resident(vp, &dirty);
	KT_ASSERT_EQ(dirty, 0);
	KT_ASSERT_EQ(ubc_purge_clean(vp), atop(round_page(TK_LEN)));
	KT_ASSERT_EQ(ubc_resident(vp, NULL), 0);
	memset(buf, 0xee, TK_LEN);
	KT_ASSERT_EQ(tk_check(vp, buf, TK_LEN, TK_LEN), 0);

	/* Truncate into the second page, extend again: zeros past the cut, from the pager too. */
	va.va_mask = VA_SIZE;
	va.va_size = 5000;
	KT_ASSERT_EQ(VOP_SETATTR(vp, &va), 0);
	va.va_size = TK_LEN;
	KT_ASSERT_EQ(VOP_SETATTR(vp, &va), 0);
	KT_ASSERT_EQ(VOP_FSYNC(vp), 0);
	(void)ubc_purge_clean(vp);
	KT_ASSERT_EQ(tk_check(vp, buf, TK_LEN, 5000), 0);

	/* Names: rename into a directory, links, readdir, ENOTEMPTY. */
	va.va_mode = S_IFDIR | 0755;
	KT_ASSERT_EQ(root->v_op->vop_mkdir(root, "d", 1, &va, &dvp), 0);
	KT_ASSERT_EQ(root->v_op->vop_rename(root, "f", 1, vp, dvp, "g", 1, NULL), 0);
	KT_ASSERT_EQ(VOP_LOOKUP(root, "f", 1, &vp2), ENOENT);
	KT_ASSERT_EQ(VOP_LOOKUP(dvp, "g", 1, &vp2), 0);
	KT_ASSERT(vp2 == vp);
	vnode_rele(vp2);
	KT_ASSERT_EQ(VOP_LOOKUP(dvp, "..", 2, &vp2), 0);
	KT_ASSERT(vp2 == root);
	vnode_rele(vp2);
	KT_ASSERT_EQ(dvp->v_op->vop_link(dvp, "h", 1, vp), 0);
	KT_ASSERT_EQ(VOP_GETATTR(vp, &va), 0);
	KT_ASSERT_EQ(va.va_nlink, 2);
	KT_ASSERT_EQ(root->v_op->vop_symlink(root, "s", 1, "d/g", &va, &lp), 0);
	uio_init_sys(&uio, &iov, target, sizeof(target), 0, UIO_READ);
	KT_ASSERT_EQ(VOP_READLINK(lp, &uio), 0);
	KT_ASSERT(sizeof(target) - uio.uio_resid == 3 && memcmp(target, "d/g", 3) == 0);
	KT_ASSERT_EQ(VOP_READDIR(dvp, &cookie, tk_count, &n), 0);
	KT_ASSERT_EQ(n, 4); /* . .. g h */
	KT_ASSERT_EQ(root->v_op->vop_rmdir(root, "d", 1, dvp), ENOTEMPTY);

	/* Unlinked while in use: still readable; the node goes at the last use. */
	KT_ASSERT_EQ(dvp->v_op->vop_remove(dvp, "g", 1, vp), 0);
	KT_ASSERT_EQ(dvp->v_op->vop_remove(dvp, "h", 1, vp), 0);
	KT_ASSERT_EQ(tk_check(vp, buf, TK_LEN, 5000), 0);
	KT_ASSERT_EQ(tmpfs_vfsops.vfs_statfs(mp, &sf), 0);
	KT_ASSERT_EQ(sf.f_files, 4); /* root, d, the file, the link */
	vnode_rele(vp);
	KT_ASSERT_EQ(root->v_op->vop_remove(root, "s", 1, lp), 0);
	vnode_rele(lp);
	KT_ASSERT_EQ(root->v_op->vop_rmdir(root, "d", 1, dvp), 0);
	vnode_rele(dvp);
	KT_ASSERT_EQ(tmpfs_vfsops.vfs_statfs(mp, &sf), 0);
	KT_ASSERT_EQ(sf.f_files, 1);

	/* The mount goes as vfs_unmount_locked takes one down. */
	KT_ASSERT_EQ(vnode_flush_mount(mp, root), 0);
	vnode_rele(root);
	vnode_reclaim_root(root);
	KT_ASSERT_EQ(tmpfs_vfsops.vfs_unmount(mp), 0);
	kfree(mp, sizeof(*mp));
	kfree(buf, TK_LEN);
}
