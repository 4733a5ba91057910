/*
 * ext2_vnops.c — ext2 under the VFS: the mount operations and the vnode operations over the
 * portable core (ext2.h), reading through the partition's IOMedia. File data goes through the
 * UBC (bsd/vfs/vfs_ubc.h): read/write copy through the vnode's pages, and the vnode pager asks
 * here (pagein/pageout) for runs of blocks, which are read as one disk request per physically
 * contiguous run.
 *
 * The one idea: the ext2 core is not reentrant (one metadata buffer per file system), so every
 * call into it on one mount holds that mount's em_lock; vnodes are created only after it is
 * dropped, because making a vnode may recycle another of the same mount, which writes its
 * pages back through here.
 *
 * Writes: ext2_write is called only by the pager (pageout), for the dirty pages the UBC
 * hands back; every other change (create, remove, rename, truncate, attributes) writes
 * through at once. A file whose last link is removed keeps its inode until its last use is
 * gone (inactive: its pages are dropped and ext2_release frees it).
 * Timestamps come from the calendar (mach/kern/clock.h), in ext2's 32-bit seconds.
 */
#include <bsd/fs/ext2/ext2.h>
#include <bsd/sys/dirent.h>
#include <bsd/sys/mount.h>
#include <bsd/sys/stat.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <iokit/io_media.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_param.h>

struct ext2_mount {
	struct ext2_fs em_fs;
	lck_mtx_t em_lock;	/* serialises every ext2_* call on em_fs */
	struct io_media *em_media;
};

struct ext2_node {
	struct ext2_inode en_ino;
	bool en_released;	/* ext2_release done (the inode is free on disk) */
};

static const struct vnodeops ext2_vnops;

static struct ext2_mount *
emp(struct mount *mp)
{
	return mp->mnt_data;
}

static struct ext2_inode *
eip(vnode_t vp)
{
	return &((struct ext2_node *)vp->v_data)->en_ino;
}

static int
ext2_media_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	kern_return_t kr = io_media_write(ctx, off, buf, len);

	if (kr != KERN_SUCCESS) {
		klog(LOG_ERR, "ext2: write of %zu bytes at %llu failed (%d)\n", len,
		     (unsigned long long)off, kr);
		return EIO;
	}
	return 0;
}

static int
ext2_media_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	kern_return_t kr = io_media_read(ctx, off, buf, len);

	if (kr != KERN_SUCCESS) {
		klog(LOG_ERR, "ext2: read of %zu bytes at %llu failed (%d)\n", len,
		     (unsigned long long)off, kr);
		return EIO;
	}
	return 0;
}

/*
 * ext2_vget: the vnode of inode ino of mp, with a use reference: from the cache, or read from
 * disk. Called without em_lock.
 */
static int
ext2_vget(struct mount *mp, uint32_t ino, vnode_t *vpp)
{
	struct ext2_mount *em = emp(mp);
	struct ext2_node *en;
	enum vtype type;
	bool existed;
	int err;

	if ((*vpp = vnode_get_cached(mp, ino)) != NULL)
		return 0;
	if ((en = kalloc_zero(sizeof(*en))) == NULL)
		return ENOMEM;
	lck_mtx_lock(&em->em_lock);
	err = ext2_iget(&em->em_fs, ino, &en->en_ino);
	lck_mtx_unlock(&em->em_lock);
	type = vnode_mode_to_vtype(en->en_ino.i_mode);
	if (err == 0 && type == VBAD) {
		klog(LOG_ERR, "ext2 %s: inode %u has an unknown file type %#o\n",
		     em->em_fs.fs_name, ino, en->en_ino.i_mode);
		err = EIO;
	}
	if (err == 0)
		err = vnode_create(mp, ino, &ext2_vnops, en, type, en->en_ino.i_size, vpp,
				   &existed);
	if (err != 0 || existed)
		kfree(en, sizeof(*en));
	if (err == 0 && !existed && ino == EXT2_ROOT_INO)
		(*vpp)->v_flag |= VROOT;
	return err;
}

/* Vnode operations. */

static int
ext2_vop_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp)
{
	struct ext2_mount *em = emp(dvp->v_mount);
	uint32_t ino;
	int err;

	if (len == 1 && name[0] == '.') {
		vnode_ref(dvp);
		*vpp = dvp;
		return 0;
	}
	lck_mtx_lock(&em->em_lock);
	err = ext2_lookup(&em->em_fs, eip(dvp), name, (unsigned)len, &ino);
	lck_mtx_unlock(&em->em_lock);
	if (err != 0)
		return err;
	return ext2_vget(dvp->v_mount, ino, vpp);
}

static int
ext2_rd_fn(const char *name, unsigned namelen, uint32_t ino, unsigned ftype, void *arg)
{
	static const uint8_t dt[8] = { DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR,
				       DT_BLK, DT_FIFO, DT_SOCK, DT_LNK };

	return vnode_dirwalk_emit(arg, name, namelen, ino, ftype < 8 ? dt[ftype] : DT_UNKNOWN);
}

/*
 * readdir: the core walks the whole directory; the cookie is an entry index, so a listing in
 * several calls skips what it has returned (vnode_dirwalk). XXX: quadratic for huge
 * directories.
 */
static int
ext2_vop_readdir(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg)
{
	struct ext2_mount *em = emp(vp->v_mount);
	struct vnode_dirwalk dw;
	int err;

	vnode_dirwalk_init(&dw, *cookie, fn, arg);
	lck_mtx_lock(&em->em_lock);
	err = ext2_readdir(&em->em_fs, eip(vp), ext2_rd_fn, &dw);
	lck_mtx_unlock(&em->em_lock);
	return vnode_dirwalk_finish(&dw, err, cookie);
}

static int
ext2_vop_getattr(vnode_t vp, struct vattr *va)
{
	struct ext2_inode *ip = eip(vp);

	va->va_type = vp->v_type;
	va->va_mode = ip->i_mode;
	va->va_nlink = ip->i_links;
	va->va_uid = ip->i_uid;
	va->va_gid = ip->i_gid;
	va->va_fileid = ip->i_ino;
	va->va_size = vp->v_object != NULL ? vp->v_size : ip->i_size;
	va->va_blocks512 = ip->i_blocks512;
	va->va_blksize = PAGE_SIZE;
	va->va_atime = ip->i_atime;
	va->va_mtime = ip->i_mtime;
	va->va_ctime = ip->i_ctime;
	return 0;
}

static int
ext2_vop_readlink(vnode_t vp, struct uio *uio)
{
	struct ext2_mount *em = emp(vp->v_mount);
	char *buf = kalloc(EXT2_PATH_MAX);
	int err;

	if (buf == NULL)
		return ENOMEM;
	lck_mtx_lock(&em->em_lock);
	err = ext2_readlink(&em->em_fs, eip(vp), buf, EXT2_PATH_MAX);
	lck_mtx_unlock(&em->em_lock);
	if (err == 0)
		err = uiomove(buf, strlen(buf), uio);
	kfree(buf, EXT2_PATH_MAX);
	return err;
}

/*
 * fsync: the file's dirty pages (the pager writes the inode with them), the allocation
 * bitmaps and counts they changed, then FLUSH.
 */
static int
ext2_vop_fsync(vnode_t vp)
{
	struct ext2_mount *em = emp(vp->v_mount);
	int err = vp->v_object != NULL ? ubc_msync(vp) : 0;

	if (err != 0 || (vp->v_mount->mnt_flag & MNT_RDONLY))
		return err;
	lck_mtx_lock(&em->em_lock);
	err = ext2_sync(&em->em_fs);
	lck_mtx_unlock(&em->em_lock);
	if (err == 0 && io_media_flush(em->em_media) != KERN_SUCCESS)
		err = EIO;
	return err;
}

/* A new inode from the core as a vnode. Called without em_lock. */
static int
ext2_newvnode(struct mount *mp, const struct ext2_inode *ip, vnode_t *vpp)
{
	struct ext2_node *en = kalloc_zero(sizeof(*en));
	bool existed;
	int err;

	if (en == NULL)
		return ENOMEM;
	en->en_ino = *ip;
	err = vnode_create(mp, ip->i_ino, &ext2_vnops, en, vnode_mode_to_vtype(ip->i_mode),
			   ip->i_size, vpp, &existed);
	if (err != 0 || existed)
		kfree(en, sizeof(*en));
	return err;
}

/* Make name in dvp: a file or directory (mode), or a symlink to target. */
static int
ext2_make(vnode_t dvp, const char *name, size_t len, uint32_t mode, const char *target,
	  vnode_t *vpp)
{
	struct ext2_mount *em = emp(dvp->v_mount);
	struct ext2_inode ni;
	int err;

	lck_mtx_lock(&em->em_lock);
	if (target != NULL)
		err = ext2_symlink(&em->em_fs, eip(dvp), name, len, target, 0, 0, &ni);
	else
		err = ext2_create(&em->em_fs, eip(dvp), name, len, (uint16_t)mode, 0, 0, &ni);
	lck_mtx_unlock(&em->em_lock);
	if (err != 0)
		return err;
	return ext2_newvnode(dvp->v_mount, &ni, vpp);
}

static int
ext2_vop_create(vnode_t dvp, const char *name, size_t len, struct vattr *va, vnode_t *vpp)
{
	return ext2_make(dvp, name, len, va->va_mode, NULL, vpp);
}

static int
ext2_vop_mkdir(vnode_t dvp, const char *name, size_t len, struct vattr *va, vnode_t *vpp)
{
	return ext2_make(dvp, name, len, va->va_mode, NULL, vpp);
}

static int
ext2_vop_symlink(vnode_t dvp, const char *name, size_t len, const char *target,
		 struct vattr *va, vnode_t *vpp)
{
	return ext2_make(dvp, name, len, va->va_mode, target, vpp);
}

/*
 * The core changed vp's inode on disk only (a link dropped, ".." moved): read it again; a
 * file left without links is recycled at its last use.
 */
static void
ext2_reload(struct ext2_mount *em, vnode_t vp)
{
	struct ext2_inode *ip = eip(vp);

	if (ext2_iget(&em->em_fs, ip->i_ino, ip) != 0)
		klog(LOG_ERR, "ext2 %s: cannot re-read inode %u\n", em->em_fs.fs_name, ip->i_ino);
	if (ip->i_links == 0)
		vnode_set_gone(vp);
}

static int
ext2_vop_remove(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct ext2_mount *em = emp(dvp->v_mount);
	int err;

	lck_mtx_lock(&em->em_lock);
	if ((err = ext2_unlink(&em->em_fs, eip(dvp), name, len)) == 0)
		ext2_reload(em, vp);
	lck_mtx_unlock(&em->em_lock);
	return err;
}

static int
ext2_vop_rmdir(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct ext2_mount *em = emp(dvp->v_mount);
	int err;

	lck_mtx_lock(&em->em_lock);
	if ((err = ext2_rmdir(&em->em_fs, eip(dvp), name, len)) == 0)
		ext2_reload(em, vp);
	lck_mtx_unlock(&em->em_lock);
	return err;
}

static int
ext2_vop_rename(vnode_t fdvp, const char *fname, size_t flen, vnode_t fvp, vnode_t tdvp,
		const char *tname, size_t tlen, vnode_t tvp)
{
	struct ext2_mount *em = emp(fdvp->v_mount);
	int err;

	lck_mtx_lock(&em->em_lock);
	err = ext2_rename(&em->em_fs, eip(fdvp), fname, flen, eip(tdvp), tname, tlen);
	if (err == 0) {
		ext2_reload(em, fvp);
		if (tvp != NULL)
			ext2_reload(em, tvp);
	}
	lck_mtx_unlock(&em->em_lock);
	return err;
}

static int
ext2_vop_link(vnode_t dvp, const char *name, size_t len, vnode_t vp)
{
	struct ext2_mount *em = emp(dvp->v_mount);
	int err;

	lck_mtx_lock(&em->em_lock);
	err = ext2_link(&em->em_fs, eip(dvp), name, len, eip(vp));
	lck_mtx_unlock(&em->em_lock);
	return err;
}

/* setattr: the size through the UBC and the core; mode, owner and mtime written through. */
static int
ext2_vop_setattr(vnode_t vp, struct vattr *va)
{
	struct ext2_mount *em = emp(vp->v_mount);
	struct ext2_inode *ip = eip(vp);
	int err = 0;

	if (va->va_mask & VA_SIZE) {
		if (vp->v_type != VREG)
			return vp->v_type == VDIR ? EISDIR : EINVAL;
		lck_mtx_lock(&vp->v_lock);
		ubc_setsize_locked(vp, va->va_size);
		lck_mtx_lock(&em->em_lock);
		err = ext2_truncate(&em->em_fs, ip, va->va_size);
		lck_mtx_unlock(&em->em_lock);
		lck_mtx_unlock(&vp->v_lock);
		if (err != 0)
			return err;
	}
	if (!(va->va_mask & (VA_MODE | VA_UID | VA_GID | VA_MTIME)))
		return 0;
	lck_mtx_lock(&em->em_lock);
	if (va->va_mask & VA_MODE)
		ip->i_mode = (uint16_t)((ip->i_mode & EXT2_S_IFMT) | (va->va_mode & 07777));
	if (va->va_mask & VA_UID)
		ip->i_uid = va->va_uid;
	if (va->va_mask & VA_GID)
		ip->i_gid = va->va_gid;
	if (va->va_mask & VA_MTIME)
		ip->i_mtime = (uint32_t)va->va_mtime;
	err = ext2_iupdate(&em->em_fs, ip);
	lck_mtx_unlock(&em->em_lock);
	return err;
}

/* inactive: an unlinked file's last use is gone: drop its pages unwritten, free the inode. */
static int
ext2_vop_inactive(vnode_t vp)
{
	struct ext2_mount *em = emp(vp->v_mount);
	struct ext2_node *en = vp->v_data;
	int err;

	if (en == NULL || en->en_ino.i_links != 0 || en->en_released ||
	    (vp->v_mount->mnt_flag & MNT_RDONLY))
		return 0;
	en->en_released = true;
	lck_mtx_lock(&vp->v_lock);
	ubc_setsize_locked(vp, 0);
	lck_mtx_unlock(&vp->v_lock);
	lck_mtx_lock(&em->em_lock);
	err = ext2_release(&em->em_fs, eip(vp));
	lck_mtx_unlock(&em->em_lock);
	vnode_set_gone(vp);
	return err;
}

/* pageout: the UBC's dirty pages, already cut to the file size. */
static int
ext2_vop_pageout(vnode_t vp, uint64_t off, const void *buf, size_t len)
{
	struct ext2_mount *em = emp(vp->v_mount);
	int err;

	if (vp->v_mount->mnt_flag & MNT_RDONLY)
		return EROFS;
	lck_mtx_lock(&em->em_lock);
	err = ext2_write(&em->em_fs, eip(vp), off, buf, len);
	lck_mtx_unlock(&em->em_lock);
	return err;
}

static int
ext2_vop_reclaim(vnode_t vp)
{
	kfree(vp->v_data, sizeof(struct ext2_node));
	vp->v_data = NULL;
	return 0;
}

/*
 * pagein: len bytes of file data at off into buf: blocks are mapped, physically contiguous
 * runs read with one request each, holes and whatever lies past the file's end zeroed.
 */
static int
ext2_vop_pagein(vnode_t vp, uint64_t off, void *buf, size_t len)
{
	struct ext2_mount *em = emp(vp->v_mount);
	struct ext2_fs *fs = &em->em_fs;
	struct ext2_inode *ip = eip(vp);
	uint64_t bs = fs->fs_bsize, first = off >> fs->fs_bshift;
	uint64_t nblk = len >> fs->fs_bshift, size = ip->i_size;
	char *dst = buf;
	int err = 0;

	if ((off & (bs - 1)) != 0 || (len & (bs - 1)) != 0)
		return EINVAL;
	lck_mtx_lock(&em->em_lock);
	for (uint64_t i = 0; i < nblk && err == 0;) {
		uint32_t pblk, next;
		uint64_t run = 1;

		if (((first + i) << fs->fs_bshift) >= size) {
			memset(dst + (i << fs->fs_bshift), 0,
			       (size_t)((nblk - i) << fs->fs_bshift));
			break;
		}
		if ((err = ext2_bmap(fs, ip, first + i, &pblk)) != 0)
			break;
		if (pblk == 0) {
			memset(dst + (i << fs->fs_bshift), 0, (size_t)bs);
			i++;
			continue;
		}
		while (i + run < nblk && ((first + i + run) << fs->fs_bshift) < size &&
		       ext2_bmap(fs, ip, first + i + run, &next) == 0 && next == pblk + run)
			run++;
		err = fs->fs_read(fs->fs_ctx, (uint64_t)pblk << fs->fs_bshift,
				  dst + (i << fs->fs_bshift), (size_t)(run << fs->fs_bshift));
		i += run;
	}
	lck_mtx_unlock(&em->em_lock);
	/* The tail of the last block past the end of the file reads as zeros. */
	if (err == 0 && size > off && size < off + len)
		memset(dst + (size - off), 0, (size_t)(off + len - size));
	return err;
}

static const struct vnodeops ext2_vnops = {
	.vop_lookup = ext2_vop_lookup,
	.vop_readdir = ext2_vop_readdir,
	.vop_getattr = ext2_vop_getattr,
	.vop_readlink = ext2_vop_readlink,
	.vop_read = ubc_vop_read,
	.vop_write = ubc_vop_write,
	.vop_fsync = ext2_vop_fsync,
	.vop_reclaim = ext2_vop_reclaim,
	.vop_pagein = ext2_vop_pagein,
	.vop_create = ext2_vop_create,
	.vop_mkdir = ext2_vop_mkdir,
	.vop_symlink = ext2_vop_symlink,
	.vop_remove = ext2_vop_remove,
	.vop_rmdir = ext2_vop_rmdir,
	.vop_rename = ext2_vop_rename,
	.vop_link = ext2_vop_link,
	.vop_setattr = ext2_vop_setattr,
	.vop_inactive = ext2_vop_inactive,
	.vop_pageout = ext2_vop_pageout,
};

/* Mount operations. */

/* ext2's timestamps: the calendar's seconds (32 bits on disk: good until 2106). */
static uint32_t
ext2_vfs_clock(void)
{
	return (uint32_t)(clock_get_calendar_ns() / 1000000000u);
}

static int
ext2_vfs_mount(struct mount *mp, struct io_media *media, int flags)
{
	struct ext2_mount *em;
	int err;

	if (media == NULL)
		return ENODEV;
	if ((em = kalloc_zero(sizeof(*em))) == NULL)
		return ENOMEM;
	lck_mtx_init(&em->em_lock, "ext2 mount");
	em->em_media = media;
	err = ext2_mount(&em->em_fs, media->im_bsd_name, media->im_size, ext2_media_read, media);
	if (err != 0) {
		kfree(em, sizeof(*em));
		return err;
	}
	em->em_fs.fs_clock = ext2_vfs_clock;
	/* Read-write when the disk and the file system allow it; else read-only (logged). */
	if ((flags & MNT_RDONLY) || !media->im_writable ||
	    ext2_mount_rw(&em->em_fs, ext2_media_write) != 0)
		mp->mnt_flag |= MNT_RDONLY;
	mp->mnt_data = em;
	return 0;
}

static int
ext2_vfs_unmount(struct mount *mp)
{
	struct ext2_mount *em = emp(mp);

	ext2_unmount(&em->em_fs); /* read-write: syncs and marks the file system clean */
	if (!(mp->mnt_flag & MNT_RDONLY) && io_media_flush(em->em_media) != KERN_SUCCESS)
		klog(LOG_ERR, "ext2 %s: flush at unmount failed\n", em->em_media->im_bsd_name);
	kfree(em, sizeof(*em));
	mp->mnt_data = NULL;
	return 0;
}

static int
ext2_vfs_root(struct mount *mp, vnode_t *vpp)
{
	return ext2_vget(mp, EXT2_ROOT_INO, vpp);
}

static int
ext2_vfs_statfs(struct mount *mp, struct statfs_info *sf)
{
	struct ext2_mount *em = emp(mp);
	struct ext2_statfs es;
	int err;

	lck_mtx_lock(&em->em_lock);
	err = ext2_statfs(&em->em_fs, &es);
	lck_mtx_unlock(&em->em_lock);
	if (err != 0)
		return err;
	sf->f_bsize = es.sf_bsize;
	sf->f_blocks = es.sf_blocks;
	sf->f_bfree = es.sf_bfree;
	sf->f_bavail = es.sf_bavail;
	sf->f_files = es.sf_files;
	sf->f_ffree = es.sf_ffree;
	sf->f_namemax = EXT2_NAME_MAX;
	return 0;
}

/* sync: the core's bitmaps, group descriptors and superblock, then FLUSH. */
static int
ext2_vfs_sync(struct mount *mp)
{
	struct ext2_mount *em = emp(mp);
	int err;

	if (mp->mnt_flag & MNT_RDONLY)
		return 0;
	lck_mtx_lock(&em->em_lock);
	err = ext2_sync(&em->em_fs);
	lck_mtx_unlock(&em->em_lock);
	if (err == 0 && io_media_flush(em->em_media) != KERN_SUCCESS)
		err = EIO;
	return err;
}

const struct vfsops ext2_vfsops = {
	.vfs_name = "ext2",
	.vfs_mount = ext2_vfs_mount,
	.vfs_unmount = ext2_vfs_unmount,
	.vfs_root = ext2_vfs_root,
	.vfs_statfs = ext2_vfs_statfs,
	.vfs_sync = ext2_vfs_sync,
};
