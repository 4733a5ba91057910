/*
 * vfs_vnops.c — the kernel's file API (vfs_file.h): open, read and write through a uio, stat,
 * readdir into Linux dirent64 records, truncate, and the operations on names (4.4BSD
 * kern/vfs_vnops.c and the name half of kern/vfs_syscalls.c).
 *
 * The one idea: the checks that do not belong to a file system live here once: read-only
 * mounts (EROFS), directories opened for writing (EISDIR), "." and ".." as the last component
 * of a name operation (EINVAL), renames across mounts (EXDEV), the permission bits against
 * the caller's credentials (EACCES, kern_prot.c); and the name cache forgets a name before the
 * file system changes it. XXX: search permission on the directories of a path is not checked,
 * nor the sticky bit; new files are owned by root (ext2_make takes no owner yet).
 */
#include <bsd/kern/proc.h>
#include <bsd/sys/vfs_file.h>
#include <console.h>

static bool
vn_rdonly(vnode_t vp)
{
	return (vp->v_mount->mnt_flag & MNT_RDONLY) != 0;
}

/* Whether the current process may use vp for want (4 read, 2 write, 1 execute). */
static int
vn_access(vnode_t vp, int want)
{
	struct vattr va;
	int err;

	memset(&va, 0, sizeof(va));
	if ((err = VOP_GETATTR(vp, &va)) != 0)
		return err;
	return cred_vaccess(va.va_uid, va.va_gid, va.va_mode, want, false);
}

static bool
is_dot_or_dotdot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

int
vn_open(const char *path, int flags, uint32_t mode, vnode_t *vpp)
{
	struct nameidata nd = { .ni_path = path };
	bool writing = OFLAGS_ACCMODE(flags) != O_RDONLY, created = false;
	struct vattr va;
	vnode_t vp;
	int err;

	nd.ni_op = (flags & O_CREAT) ? CREATE : LOOKUP;
	nd.ni_flags = ((flags & O_NOFOLLOW) ? 0 : FOLLOW) | ((flags & O_CREAT) ? WANTPARENT : 0);
	if ((err = namei(&nd)) != 0)
		return err;
	if (nd.ni_vp == NULL) {
		/* O_CREAT and the name is free. */
		vnode_t dvp = nd.ni_dvp;

		if (vn_rdonly(dvp)) {
			err = EROFS;
		} else if ((err = vn_access(dvp, 2 | 1)) != 0) {
			/* creating needs write and search on the directory */
		} else if (dvp->v_op->vop_create == NULL) {
			err = EOPNOTSUPP;
		} else {
			memset(&va, 0, sizeof(va));
			va.va_mode = S_IFREG | (mode & 07777);
			nc_remove(dvp, nd.ni_name, nd.ni_namelen);
			err = dvp->v_op->vop_create(dvp, nd.ni_name, nd.ni_namelen, &va,
						    &nd.ni_vp);
		}
		if (err != 0) {
			namei_done(&nd);
			return err;
		}
		flags &= ~O_TRUNC; /* new and empty */
		created = true; /* its mode does not restrict the opener (POSIX open) */
	} else if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
		namei_done(&nd);
		return EEXIST;
	}
	vp = nd.ni_vp;
	nd.ni_vp = NULL;
	namei_done(&nd);
	if (vp->v_type == VLNK)
		err = ELOOP; /* O_NOFOLLOW on a symlink */
	else if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		err = ENOTDIR;
	else if (vp->v_type == VDIR && (writing || (flags & O_TRUNC)))
		err = EISDIR;
	else if (writing && (vp->v_type == VREG) && vn_rdonly(vp))
		err = EROFS;
	else if (!created && (vp->v_type == VREG || vp->v_type == VDIR) &&
		 (err = vn_access(vp, (OFLAGS_ACCMODE(flags) != O_WRONLY ? 4 : 0) |
					      (writing || (flags & O_TRUNC) ? 2 : 0))) != 0)
		;
	else if ((flags & O_TRUNC) && writing && vp->v_type == VREG)
		err = vn_truncate(vp, 0);
	if (err != 0) {
		vnode_rele(vp);
		return err;
	}
	*vpp = vp;
	return 0;
}

int
vn_close(vnode_t vp, int flags)
{
	(void)flags;
	vnode_rele(vp);
	return 0;
}

int
vn_read(vnode_t vp, struct uio *uio, int ioflag)
{
	if (uio->uio_rw != UIO_READ)
		return EINVAL;
	if (vp->v_type == VDIR)
		return EISDIR;
	return VOP_READ(vp, uio, ioflag);
}

int
vn_write(vnode_t vp, struct uio *uio, int ioflag)
{
	if (uio->uio_rw != UIO_WRITE)
		return EINVAL;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type == VREG && vn_rdonly(vp))
		return EROFS;
	return VOP_WRITE(vp, uio, ioflag);
}

int
vn_rdwr(enum uio_rw rw, vnode_t vp, void *buf, size_t len, int64_t off, enum uio_seg seg,
	int ioflag, size_t *resid)
{
	struct iovec iov;
	struct uio uio;
	int err;

	uio_init_sys(&uio, &iov, buf, len, off, rw);
	uio.uio_segflg = seg;
	err = rw == UIO_READ ? vn_read(vp, &uio, ioflag) : vn_write(vp, &uio, ioflag);
	if (resid != NULL)
		*resid = uio.uio_resid;
	else if (err == 0 && uio.uio_resid != 0)
		err = EIO; /* the caller wanted it all */
	return err;
}

int
vn_stat(vnode_t vp, struct stat *st)
{
	struct vattr va;
	int err;

	if ((err = VOP_GETATTR(vp, &va)) != 0)
		return err;
	memset(st, 0, sizeof(*st));
	st->st_dev = vp->v_mount->mnt_dev;
	st->st_ino = va.va_fileid;
	st->st_nlink = va.va_nlink;
	st->st_mode = va.va_mode;
	st->st_uid = va.va_uid;
	st->st_gid = va.va_gid;
	st->st_rdev = va.va_rdev;
	st->st_size = (long)va.va_size;
	st->st_blksize = va.va_blksize;
	st->st_blocks = (long)va.va_blocks512;
	st->st_atime = (unsigned long)va.va_atime;
	st->st_mtime = (unsigned long)va.va_mtime;
	st->st_ctime = (unsigned long)va.va_ctime;
	return 0;
}

struct readdir_ctx {
	char *rc_buf;
	size_t rc_len, rc_used;
};

static int
readdir_fn(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned dtype,
	   uint64_t cookie)
{
	struct readdir_ctx *rc = arg;
	size_t reclen = DIRENT64_RECLEN(namelen);
	struct linux_dirent64 *d;

	if (rc->rc_used + reclen > rc->rc_len)
		return 1; /* does not fit: stop before this entry */
	d = (struct linux_dirent64 *)(rc->rc_buf + rc->rc_used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)cookie;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, namelen);
	rc->rc_used += reclen;
	return 0;
}

int
vn_readdir(vnode_t vp, uint64_t *cookie, void *buf, size_t len, size_t *done)
{
	struct readdir_ctx rc = { buf, len, 0 };
	int err;

	*done = 0;
	if (vp->v_type != VDIR)
		return ENOTDIR;
	err = VOP_READDIR(vp, cookie, readdir_fn, &rc);
	if (err == 0 && rc.rc_used == 0) {
		/* Nothing fitted: the end, or a buffer too small for the next record. */
		char probe[DIRENT64_RECLEN(NAME_MAX)] __attribute__((aligned(8)));
		struct readdir_ctx pc = { probe, sizeof(probe), 0 };
		uint64_t c = *cookie;

		err = VOP_READDIR(vp, &c, readdir_fn, &pc);
		if (err == 0 && pc.rc_used != 0)
			err = EINVAL;
	}
	*done = rc.rc_used;
	return err;
}

int
vn_truncate(vnode_t vp, uint64_t size)
{
	struct vattr va;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EINVAL;
	if (vn_rdonly(vp))
		return EROFS;
	memset(&va, 0, sizeof(va));
	va.va_mask = VA_SIZE;
	va.va_size = size;
	return VOP_SETATTR(vp, &va);
}

int
vn_fsync(vnode_t vp)
{
	return VOP_FSYNC(vp);
}

/* namei for a name operation: the parent (a use) and the vnode (a use, or NULL). */
static int
name_lookup(const char *path, enum namei_op op, struct nameidata *nd)
{
	int err;

	memset(nd, 0, sizeof(*nd));
	nd->ni_path = path;
	nd->ni_op = op;
	nd->ni_flags = WANTPARENT;
	if ((err = namei(nd)) != 0)
		return err;
	if (nd->ni_dvp == NULL || is_dot_or_dotdot(nd->ni_name, nd->ni_namelen)) {
		namei_done(nd);
		return EINVAL; /* "/", ".", ".." */
	}
	if (vn_rdonly(nd->ni_dvp)) {
		namei_done(nd);
		return EROFS;
	}
	return 0;
}

int
vn_mkdir(const char *path, uint32_t mode)
{
	struct nameidata nd;
	struct vattr va;
	vnode_t vp;
	int err;

	if ((err = name_lookup(path, CREATE, &nd)) != 0)
		return err == EINVAL ? EEXIST : err;
	if (nd.ni_vp != NULL)
		err = EEXIST;
	else if ((err = vn_access(nd.ni_dvp, 2 | 1)) != 0)
		;
	else if (nd.ni_dvp->v_op->vop_mkdir == NULL)
		err = EOPNOTSUPP;
	if (err == 0) {
		memset(&va, 0, sizeof(va));
		va.va_mode = S_IFDIR | (mode & 07777);
		nc_remove(nd.ni_dvp, nd.ni_name, nd.ni_namelen);
		err = nd.ni_dvp->v_op->vop_mkdir(nd.ni_dvp, nd.ni_name, nd.ni_namelen, &va, &vp);
		if (err == 0)
			vnode_rele(vp);
	}
	namei_done(&nd);
	return err;
}

static int
vn_unlink_common(const char *path, bool dir)
{
	struct nameidata nd;
	vnode_t dvp, vp;
	int err;

	if ((err = name_lookup(path, DELETE, &nd)) != 0)
		return err;
	dvp = nd.ni_dvp;
	vp = nd.ni_vp;
	if (dir && vp->v_type != VDIR)
		err = ENOTDIR;
	else if (!dir && vp->v_type == VDIR)
		err = EISDIR;
	else if (vp->v_flag & VROOT)
		err = EBUSY; /* a mount point */
	else if ((err = vn_access(dvp, 2 | 1)) != 0)
		;
	else if ((dir ? dvp->v_op->vop_rmdir : dvp->v_op->vop_remove) == NULL)
		err = EOPNOTSUPP;
	if (err == 0) {
		nc_remove(dvp, nd.ni_name, nd.ni_namelen);
		if (dir) {
			nc_purge(vp);
			err = dvp->v_op->vop_rmdir(dvp, nd.ni_name, nd.ni_namelen, vp);
		} else {
			err = dvp->v_op->vop_remove(dvp, nd.ni_name, nd.ni_namelen, vp);
		}
	}
	namei_done(&nd);
	return err;
}

int
vn_remove(const char *path)
{
	return vn_unlink_common(path, false);
}

int
vn_rmdir(const char *path)
{
	return vn_unlink_common(path, true);
}

int
vn_rename(const char *from, const char *to)
{
	struct nameidata fnd, tnd;
	int err;

	if ((err = name_lookup(from, DELETE, &fnd)) != 0)
		return err;
	if ((err = name_lookup(to, RENAME, &tnd)) != 0) {
		namei_done(&fnd);
		return err;
	}
	if (fnd.ni_dvp->v_mount != tnd.ni_dvp->v_mount)
		err = EXDEV;
	else if (fnd.ni_vp == tnd.ni_vp)
		err = 0; /* the same file: nothing to do */
	else if (fnd.ni_dvp->v_op->vop_rename == NULL)
		err = EOPNOTSUPP;
	else {
		nc_remove(fnd.ni_dvp, fnd.ni_name, fnd.ni_namelen);
		nc_remove(tnd.ni_dvp, tnd.ni_name, tnd.ni_namelen);
		if (fnd.ni_vp->v_type == VDIR)
			nc_purge(fnd.ni_vp); /* its ".." changes */
		if (tnd.ni_vp != NULL)
			nc_purge(tnd.ni_vp); /* replaced */
		err = fnd.ni_dvp->v_op->vop_rename(fnd.ni_dvp, fnd.ni_name, fnd.ni_namelen,
						   fnd.ni_vp, tnd.ni_dvp, tnd.ni_name,
						   tnd.ni_namelen, tnd.ni_vp);
	}
	namei_done(&tnd);
	namei_done(&fnd);
	return err;
}

int
vn_link(const char *from, const char *to)
{
	struct nameidata fnd = { .ni_path = from, .ni_op = LOOKUP }, tnd;
	int err;

	if ((err = namei(&fnd)) != 0)
		return err;
	if ((err = name_lookup(to, CREATE, &tnd)) != 0) {
		namei_done(&fnd);
		return err == EINVAL ? EEXIST : err;
	}
	if (tnd.ni_vp != NULL)
		err = EEXIST;
	else if (fnd.ni_vp->v_type == VDIR)
		err = EPERM;
	else if (fnd.ni_vp->v_mount != tnd.ni_dvp->v_mount)
		err = EXDEV;
	else if (tnd.ni_dvp->v_op->vop_link == NULL)
		err = EOPNOTSUPP;
	else {
		nc_remove(tnd.ni_dvp, tnd.ni_name, tnd.ni_namelen);
		err = tnd.ni_dvp->v_op->vop_link(tnd.ni_dvp, tnd.ni_name, tnd.ni_namelen,
						 fnd.ni_vp);
	}
	namei_done(&tnd);
	namei_done(&fnd);
	return err;
}

int
vn_symlink(const char *target, const char *path)
{
	struct nameidata nd;
	struct vattr va;
	vnode_t vp;
	int err;

	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return ENAMETOOLONG;
	if ((err = name_lookup(path, CREATE, &nd)) != 0)
		return err == EINVAL ? EEXIST : err;
	if (nd.ni_vp != NULL)
		err = EEXIST;
	else if (nd.ni_dvp->v_op->vop_symlink == NULL)
		err = EOPNOTSUPP;
	if (err == 0) {
		memset(&va, 0, sizeof(va));
		va.va_mode = S_IFLNK | 0777;
		nc_remove(nd.ni_dvp, nd.ni_name, nd.ni_namelen);
		err = nd.ni_dvp->v_op->vop_symlink(nd.ni_dvp, nd.ni_name, nd.ni_namelen, target,
						   &va, &vp);
		if (err == 0)
			vnode_rele(vp);
	}
	namei_done(&nd);
	return err;
}

int
vn_readlink(const char *path, char *buf, size_t len, size_t *got)
{
	struct nameidata nd = { .ni_path = path, .ni_op = LOOKUP };
	struct iovec iov;
	struct uio uio;
	int err;

	if ((err = namei(&nd)) != 0)
		return err;
	uio_init_sys(&uio, &iov, buf, len, 0, UIO_READ);
	err = VOP_READLINK(nd.ni_vp, &uio);
	*got = len - uio.uio_resid;
	namei_done(&nd);
	return err;
}

int
vn_stat_path(const char *path, bool follow, struct stat *st)
{
	struct nameidata nd = { .ni_path = path, .ni_op = LOOKUP, .ni_flags = follow ? FOLLOW : 0 };
	int err;

	if ((err = namei(&nd)) != 0)
		return err;
	err = vn_stat(nd.ni_vp, st);
	namei_done(&nd);
	return err;
}

void
vnode_dirwalk_init(struct vnode_dirwalk *dw, uint64_t cookie, vnode_dirent_fn fn, void *arg)
{
	*dw = (struct vnode_dirwalk){ .dw_skip = cookie, .dw_fn = fn, .dw_arg = arg };
}

int
vnode_dirwalk_emit(struct vnode_dirwalk *dw, const char *name, size_t namelen, uint64_t ino,
		   unsigned dtype)
{
	uint64_t index = dw->dw_index++;

	if (index < dw->dw_skip)
		return 0;
	dw->dw_stop = dw->dw_fn(dw->dw_arg, name, namelen, ino, dtype, index + 1);
	return dw->dw_stop;
}

int
vnode_dirwalk_finish(struct vnode_dirwalk *dw, int err, uint64_t *cookie)
{
	if (err == dw->dw_stop && err != 0)
		err = 0; /* the caller stopped: not an error */
	*cookie = dw->dw_index > dw->dw_skip ? dw->dw_index : dw->dw_skip;
	if (dw->dw_stop != 0)
		*cookie = dw->dw_index - 1; /* the entry that did not fit comes again */
	return err;
}
