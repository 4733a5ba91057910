/*
 * cd9660_vnops.c — ISO 9660 under the VFS, read-only (vfs name "iso9660", as Linux and mount(8)
 * call it): the mount operations and the vnode operations over the portable core (cd9660.h),
 * reading through the IOMedia. File data goes through the UBC like ext2's; a file's data is
 * one contiguous extent, so a page-in is one disk request.
 *
 * The one idea: the core is not reentrant (one block buffer per volume), so every call into it
 * holds the mount's cm_lock, and vnodes are made only after it is dropped (making one may
 * recycle another vnode of the same mount). Nothing is ever written: the mount is always
 * MNT_RDONLY and the vnode operations that change things are left out (EOPNOTSUPP; the
 * system calls answer EROFS first).
 */
#include <bsd/fs/cd9660/cd9660.h>
#include <bsd/sys/dirent.h>
#include <bsd/sys/mount.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>

#define CD9660_PATH_MAX 4096

struct cd9660_mount {
	struct cd9660_fs cm_fs;
	lck_mtx_t cm_lock;	/* serialises every cd9660_* call on cm_fs */
	struct io_media *cm_media;
};

static const struct vnodeops cd9660_vnops;

static struct cd9660_mount *
cmp(struct mount *mp)
{
	return mp->mnt_data;
}

static struct cd9660_node *
cnp(vnode_t vp)
{
	return vp->v_data;
}

static int
cd9660_media_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	kern_return_t kr = io_media_read(ctx, off, buf, len);

	if (kr != KERN_SUCCESS) {
		klog(LOG_ERR, "cd9660: read of %zu bytes at %llu failed (%d)\n", len,
		     (unsigned long long)off, kr);
		return EIO;
	}
	return 0;
}

/* The vnode of node np of mp, with a use reference: from the cache or new. No cm_lock. */
static int
cd9660_vget(struct mount *mp, const struct cd9660_node *np, bool root, vnode_t *vpp)
{
	struct cd9660_node *cn;
	enum vtype type;
	bool existed;
	int err;

	if ((*vpp = vnode_get_cached(mp, np->n_ino)) != NULL)
		return 0;
	type = vnode_mode_to_vtype(np->n_mode);
	if (type != VDIR && type != VREG && type != VLNK) {
		klog(LOG_ERR, "cd9660 %s: file %llu has an unusable mode %#o\n",
		     cmp(mp)->cm_fs.fs_name, (unsigned long long)np->n_ino, np->n_mode);
		return EIO;
	}
	if ((cn = kalloc(sizeof(*cn))) == NULL)
		return ENOMEM;
	*cn = *np;
	err = vnode_create(mp, np->n_ino, &cd9660_vnops, cn, type, np->n_size, vpp, &existed);
	if (err != 0 || existed)
		kfree(cn, sizeof(*cn));
	if (err == 0 && !existed && root)
		(*vpp)->v_flag |= VROOT;
	return err;
}

static int
cd9660_vop_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	struct cd9660_mount *cm = cmp(dvp->v_mount);
	struct cd9660_node n;
	int err;

	if (len == 1 && name[0] == '.') {
		vnode_ref(dvp);
		*vpp = dvp;
		return 0;
	}
	lck_mtx_lock(&cm->cm_lock);
	err = cd9660_lookup(&cm->cm_fs, cnp(dvp), name, len, &n);
	lck_mtx_unlock(&cm->cm_lock);
	if (err != 0)
		return err;
	return cd9660_vget(dvp->v_mount, &n, n.n_ino == cm->cm_fs.fs_root.n_ino, vpp);
}

static int
cd9660_rd_fn(void *arg, const char *name, unsigned namelen, const struct cd9660_node *np)
{
	unsigned dt;

	switch (np->n_mode & CD9660_S_IFMT) {
	case CD9660_S_IFDIR:
		dt = DT_DIR;
		break;
	case CD9660_S_IFLNK:
		dt = DT_LNK;
		break;
	default:
		dt = DT_REG;
	}
	return vnode_dirwalk_emit(arg, name, namelen, np->n_ino, dt);
}

/* readdir: the cookie is an entry index, as in ext2_vnops.c (vnode_dirwalk). */
static int
cd9660_vop_readdir(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	struct cd9660_mount *cm = cmp(vp->v_mount);
	struct vnode_dirwalk dw;
	int err;

	vnode_dirwalk_init(&dw, *cookie, fn, arg);
	lck_mtx_lock(&cm->cm_lock);
	err = cd9660_readdir(&cm->cm_fs, cnp(vp), cd9660_rd_fn, &dw);
	lck_mtx_unlock(&cm->cm_lock);
	return vnode_dirwalk_finish(&dw, err, cookie);
}

static int
cd9660_vop_getattr(vnode_t vp, struct vattr *va)
{
	struct cd9660_node *np = cnp(vp);

	va->va_type = vp->v_type;
	va->va_mode = np->n_mode;
	va->va_nlink = np->n_nlink;
	va->va_uid = np->n_uid;
	va->va_gid = np->n_gid;
	va->va_fileid = np->n_ino;
	va->va_size = np->n_size;
	va->va_blocks512 = ((uint64_t)np->n_size + 511) / 512;
	va->va_blksize = PAGE_SIZE;
	va->va_atime = va->va_mtime = va->va_ctime = np->n_mtime;
	return 0;
}

static int
cd9660_vop_readlink(vnode_t vp, struct uio *uio)
{
	struct cd9660_mount *cm = cmp(vp->v_mount);
	char *buf = kalloc(CD9660_PATH_MAX);
	int err;

	if (buf == NULL)
		return ENOMEM;
	lck_mtx_lock(&cm->cm_lock);
	err = cd9660_readlink(&cm->cm_fs, cnp(vp), buf, CD9660_PATH_MAX);
	lck_mtx_unlock(&cm->cm_lock);
	if (err == 0)
		err = uiomove(buf, strlen(buf), uio);
	kfree(buf, CD9660_PATH_MAX);
	return err;
}

/* pagein: the file's bytes at off, the rest of the pages past its end zeroed. */
static int
cd9660_vop_pagein(vnode_t vp, uint64_t off, void *buf, size_t len)
{
	struct cd9660_mount *cm = cmp(vp->v_mount);
	size_t got = 0;
	int err;

	lck_mtx_lock(&cm->cm_lock);
	err = cd9660_read(&cm->cm_fs, cnp(vp), off, buf, len, &got);
	lck_mtx_unlock(&cm->cm_lock);
	if (err == 0 && got < len)
		memset((char *)buf + got, 0, len - got);
	return err;
}

static int
cd9660_vop_reclaim(vnode_t vp)
{
	kfree(vp->v_data, sizeof(struct cd9660_node));
	vp->v_data = NULL;
	return 0;
}

static const struct vnodeops cd9660_vnops = {
	.vop_lookup = cd9660_vop_lookup,
	.vop_readdir = cd9660_vop_readdir,
	.vop_getattr = cd9660_vop_getattr,
	.vop_read = ubc_vop_read,
	.vop_readlink = cd9660_vop_readlink,
	.vop_reclaim = cd9660_vop_reclaim,
	.vop_pagein = cd9660_vop_pagein,
};

static int
cd9660_vfs_mount(struct mount *mp, struct io_media *media, int flags)
{
	struct cd9660_mount *cm;
	int err;

	(void)flags;
	if (media == NULL)
		return ENODEV;
	if ((cm = kalloc_zero(sizeof(*cm))) == NULL)
		return ENOMEM;
	lck_mtx_init(&cm->cm_lock, "cd9660 mount");
	cm->cm_media = media;
	err = cd9660_mount(&cm->cm_fs, media->im_bsd_name, media->im_size, cd9660_media_read,
			   media);
	if (err != 0) {
		kfree(cm, sizeof(*cm));
		return err;
	}
	mp->mnt_flag |= MNT_RDONLY;
	mp->mnt_data = cm;
	klog(LOG_INFO, "cd9660 %s: volume \"%s\", %u blocks of %u%s\n", media->im_bsd_name,
	     cm->cm_fs.fs_label, cm->cm_fs.fs_nblocks, cm->cm_fs.fs_bsize,
	     cm->cm_fs.fs_rr ? ", Rock Ridge" : "");
	return 0;
}

static int
cd9660_vfs_unmount(struct mount *mp)
{
	struct cd9660_mount *cm = cmp(mp);

	cd9660_unmount(&cm->cm_fs);
	kfree(cm, sizeof(*cm));
	mp->mnt_data = NULL;
	return 0;
}

static int
cd9660_vfs_root(struct mount *mp, vnode_t *vpp)
{
	return cd9660_vget(mp, &cmp(mp)->cm_fs.fs_root, true, vpp);
}

static int
cd9660_vfs_statfs(struct mount *mp, struct statfs_info *sf)
{
	struct cd9660_fs *fs = &cmp(mp)->cm_fs;

	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = fs->fs_bsize;
	sf->f_blocks = fs->fs_nblocks;
	sf->f_namemax = CD9660_NAME_MAX;
	return 0;
}

const struct vfsops cd9660_vfsops = {
	.vfs_name = "iso9660",
	.vfs_mount = cd9660_vfs_mount,
	.vfs_unmount = cd9660_vfs_unmount,
	.vfs_root = cd9660_vfs_root,
	.vfs_statfs = cd9660_vfs_statfs,
};
