/*
 * vfs_syscalls.c — the file-system system calls of the Linux x86-64 ABI over the VFS (XNU
 * bsd/vfs/vfs_syscalls.c and vfs_vnops.c's vnops fileops): open, openat, lseek, pread64,
 * pwrite64, stat, fstat, lstat, newfstatat, getdents64, mkdir(at), unlink(at), rmdir,
 * rename(at), link, symlink, readlink, truncate, ftruncate, fsync, fdatasync, chmod, fchmod,
 * fchmodat, mount, umount2, swapon, swapoff;
 * and the reader exec uses for programs on a mounted file system.
 *
 * The one idea: an open vnode is one more kind of struct file (bsd/kern/file.h), so read,
 * write, readv, writev, dup and close from kern_descrip.c work on it unchanged; its fileops
 * move data with vn_read/vn_write over a user-space uio at the file's own offset, which
 * O_APPEND moves to the end first. Every path is copied in with copyinstr and resolved by the
 * VFS, so a bad pointer is EFAULT and a bad path an errno, never a kernel fault.
 *
 * Relative paths resolve from the process's current directory (p_cwd, a normalised absolute
 * path, as chdir made it) or from the directory a dirfd was opened as (the path it was opened
 * by is kept for that). XXX: both are kept as text, so ".." after a symbolic link goes back up
 * the link's name, not its target's parent.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/vfs/vfs_syscalls.h>
#include <asm/statfs.h>
#include <mach/kern/clock.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/memory_object.h>

#define VFS_PATH_MAX 4096

/* What an open vnode's struct file points at. */
struct vfile {
	vnode_t vf_vp;
	int vf_flags;	   /* open(2) flags */
	int64_t vf_offset; /* the file offset (lseek) */
	char *vf_path;	   /* the path it was opened by (for *at() with this as dirfd) */
};

/* ---- paths ---- */

/*
 * Copy the user path at upath in and make it absolute against dirfd (AT_FDCWD: "/"). Returns a
 * kalloc'ed VFS_PATH_MAX buffer in *out (free with vfs_path_free) or a negative errno.
 */
static long
vfs_path_in(int dirfd, uint64_t upath, char **out)
{
	char *path = kalloc(VFS_PATH_MAX);
	size_t len;
	int err;

	if (path == NULL)
		return -ENOMEM;
	err = copyinstr((const void *)upath, path, VFS_PATH_MAX, &len);
	if (err != 0 || path[0] == '\0') {
		kfree(path, VFS_PATH_MAX);
		return err == ENAMETOOLONG ? -ENAMETOOLONG : err != 0 ? -EFAULT : -ENOENT;
	}
	if (path[0] != '/') {
		const char *base = current_proc()->p_cwd;
		size_t dl;

		if (dirfd != AT_FDCWD) {
			struct file *dfp = fd_get((uint64_t)(uint32_t)dirfd);
			struct vfile *d;

			if (dfp == NULL || dfp->f_ops != &vnops_fileops) {
				kfree(path, VFS_PATH_MAX);
				return dfp == NULL ? -EBADF : -ENOTDIR;
			}
			d = dfp->f_data;
			if (d->vf_vp->v_type != VDIR) {
				kfree(path, VFS_PATH_MAX);
				return -ENOTDIR;
			}
			base = d->vf_path;
		}
		dl = strlen(base);
		if (dl + 1 + strlen(path) + 1 > VFS_PATH_MAX) {
			kfree(path, VFS_PATH_MAX);
			return -ENAMETOOLONG;
		}
		memmove(path + dl + 1, path, strlen(path) + 1);
		memcpy(path, base, dl);
		path[dl] = '/';
	}
	*out = path;
	return 0;
}

static void
vfs_path_free(char *path)
{
	kfree(path, VFS_PATH_MAX);
}

/* ---- the vnode kind of open file ---- */

static long
vnops_rw(struct file *fp, void *ubuf, size_t len, enum uio_rw rw, int64_t *offp)
{
	struct vfile *vf = fp->f_data;
	struct iovec iov = { ubuf, len };
	struct uio uio = {
		.uio_iov = &iov,
		.uio_iovcnt = 1,
		.uio_offset = *offp,
		.uio_resid = len,
		.uio_segflg = UIO_USERSPACE,
		.uio_rw = rw,
	};
	int err;

	if (rw == UIO_READ && OFLAGS_ACCMODE(vf->vf_flags) == O_WRONLY)
		return -EBADF;
	if (rw == UIO_WRITE && OFLAGS_ACCMODE(vf->vf_flags) == O_RDONLY)
		return -EBADF;
	if (rw == UIO_WRITE && offp == &vf->vf_offset && (vf->vf_flags & O_APPEND)) {
		struct stat st;

		if ((err = vn_stat(vf->vf_vp, &st)) != 0)
			return -err;
		uio.uio_offset = st.st_size;
	}
	err = rw == UIO_READ ? vn_read(vf->vf_vp, &uio, 0) : vn_write(vf->vf_vp, &uio, 0);
	/* A transfer cut short by a fault or an error still counts what it moved. */
	if (err != 0 && uio.uio_resid == len)
		return -err;
	*offp = uio.uio_offset;
	return (long)(len - uio.uio_resid);
}

static long
vnops_read(struct file *fp, void *ubuf, size_t len)
{
	return vnops_rw(fp, ubuf, len, UIO_READ, &((struct vfile *)fp->f_data)->vf_offset);
}

static long
vnops_write(struct file *fp, const void *ubuf, size_t len)
{
	return vnops_rw(fp, (void *)ubuf, len, UIO_WRITE,
			&((struct vfile *)fp->f_data)->vf_offset);
}

static long
vnops_ioctl(struct file *fp, unsigned long cmd, uint64_t uarg)
{
	(void)fp;
	(void)cmd;
	(void)uarg;
	return -ENOTTY;
}

static void
vnops_close(struct file *fp)
{
	struct vfile *vf = fp->f_data;

	(void)vn_close(vf->vf_vp, vf->vf_flags);
	vfs_path_free(vf->vf_path);
	kfree(vf, sizeof(*vf));
}

const struct fileops vnops_fileops = {
	.fo_read = vnops_read,
	.fo_write = vnops_write,
	.fo_ioctl = vnops_ioctl,
	.fo_close = vnops_close,
};

static struct vfile *
vfile_get(uint64_t fd, long *err)
{
	struct file *fp = fd_get(fd);

	if (fp == NULL) {
		*err = -EBADF;
		return NULL;
	}
	if (fp->f_ops != &vnops_fileops) {
		*err = -ESPIPE; /* a console or a pipe: no offset, no attributes here */
		return NULL;
	}
	return fp->f_data;
}

int
vfs_file_vnode(struct file *fp, struct vnode **vpp, int *oflags)
{
	struct vfile *vf;

	if (fp->f_ops != &vnops_fileops)
		return ENODEV;
	vf = fp->f_data;
	*vpp = vf->vf_vp;
	*oflags = vf->vf_flags;
	return 0;
}

const char *
vfs_file_path(const struct file *fp)
{
	return fp->f_ops == &vnops_fileops ? ((const struct vfile *)fp->f_data)->vf_path : NULL;
}

/* ---- open ---- */

#define OPEN_FLAGS_KNOWN                                                                        \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DIRECTORY | \
	 O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE | O_NOATIME | O_SYNC | O_DSYNC)

static long
vfs_openat(int dirfd, uint64_t upath, int flags, uint32_t mode)
{
	struct vfile *vf;
	char *path;
	vnode_t vp;
	long r;
	int err;

	if ((flags & ~OPEN_FLAGS_KNOWN) || OFLAGS_ACCMODE(flags) == O_ACCMODE)
		return -EINVAL;
	if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
		return r;
	err = vn_open(path, flags, mode & 07777 & ~(uint32_t)current_proc()->p_umask, &vp);
	if (err != 0) {
		vfs_path_free(path);
		return -err;
	}
	if ((vf = kalloc(sizeof(*vf))) == NULL) {
		(void)vn_close(vp, flags);
		vfs_path_free(path);
		return -ENOMEM;
	}
	vf->vf_vp = vp;
	vf->vf_flags = flags;
	vf->vf_offset = 0;
	vf->vf_path = path;
	return file_install(&vnops_fileops, vf, (flags & O_CLOEXEC) != 0);
}

long
sys_open(struct trapframe *tf)
{
	return vfs_openat(AT_FDCWD, tf->tf_rdi, (int)tf->tf_rsi, (uint32_t)tf->tf_rdx);
}

long
sys_creat(struct trapframe *tf)
{
	return vfs_openat(AT_FDCWD, tf->tf_rdi, O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)tf->tf_rsi);
}

long
sys_openat(struct trapframe *tf)
{
	return vfs_openat((int)tf->tf_rdi, tf->tf_rsi, (int)tf->tf_rdx, (uint32_t)tf->tf_r10);
}

/* ---- offsets and positioned I/O ---- */

long
sys_lseek(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);
	int64_t off = (int64_t)tf->tf_rsi, base;
	struct stat st;

	if (vf == NULL)
		return err;
	switch (tf->tf_rdx) {
	case 0: /* SEEK_SET */
		base = 0;
		break;
	case 1: /* SEEK_CUR */
		base = vf->vf_offset;
		break;
	case 2: /* SEEK_END */
		if ((err = vn_stat(vf->vf_vp, &st)) != 0)
			return -err;
		base = st.st_size;
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	vf->vf_offset = base + off;
	return vf->vf_offset;
}

static long
vfs_prw(struct trapframe *tf, enum uio_rw rw)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);
	int64_t off = (int64_t)tf->tf_r10;

	if (vf == NULL)
		return err;
	if (off < 0)
		return -EINVAL;
	if (!user_range_ok((void *)tf->tf_rsi, tf->tf_rdx))
		return -EFAULT;
	return vnops_rw(fd_get(tf->tf_rdi), (void *)tf->tf_rsi, tf->tf_rdx, rw, &off);
}

long
sys_pread64(struct trapframe *tf)
{
	return vfs_prw(tf, UIO_READ);
}

long
sys_pwrite64(struct trapframe *tf)
{
	return vfs_prw(tf, UIO_WRITE);
}

/* ---- attributes ---- */

static long
vfs_stat_out(const struct stat *st, uint64_t ubuf)
{
	return copyout(st, (void *)ubuf, sizeof(*st)) != 0 ? -EFAULT : 0;
}

static long
vfs_statat(int dirfd, uint64_t upath, uint64_t ubuf, bool follow)
{
	struct stat st;
	char *path;
	long r;
	int err;

	if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
		return r;
	err = vn_stat_path(path, follow, &st);
	vfs_path_free(path);
	return err != 0 ? -err : vfs_stat_out(&st, ubuf);
}

long
sys_stat(struct trapframe *tf)
{
	return vfs_statat(AT_FDCWD, tf->tf_rdi, tf->tf_rsi, true);
}

long
sys_lstat(struct trapframe *tf)
{
	return vfs_statat(AT_FDCWD, tf->tf_rdi, tf->tf_rsi, false);
}

long
sys_fstat(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);
	struct stat st;

	if (vf == NULL) {
		/* A socket, the console or a pipe: its kind and nothing else to say. */
		const struct fileops *ops;

		if (err != -ESPIPE)
			return err;
		ops = fd_get(tf->tf_rdi)->f_ops;
		/* The console is /dev/console's device: ttyname() matches the two. */
		if (file_is_console(fd_get(tf->tf_rdi)) && vn_stat_path("/dev/console", true, &st) == 0)
			return vfs_stat_out(&st, tf->tf_rsi);
		memset(&st, 0, sizeof(st));
		st.st_mode = ops == &socket_fileops ? S_IFSOCK | 0777
			     : ops->fo_ioctl != NULL ? S_IFCHR | 0620 /* the console */
						     : S_IFIFO | 0600;
		st.st_blksize = 4096;
		return vfs_stat_out(&st, tf->tf_rsi);
	}
	if ((err = vn_stat(vf->vf_vp, &st)) != 0)
		return -err;
	return vfs_stat_out(&st, tf->tf_rsi);
}

#define AT_SYMLINK_NOFOLLOW_ 0x100
#define AT_EMPTY_PATH_	     0x1000
#define AT_REMOVEDIR_	     0x200

long
sys_newfstatat(struct trapframe *tf)
{
	uint64_t flags = tf->tf_r10;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW_ | AT_EMPTY_PATH_))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH_) {
		char c;

		if (copyin((const void *)tf->tf_rsi, &c, 1) != 0)
			return -EFAULT;
		if (c == '\0') {
			struct trapframe f = *tf;

			f.tf_rsi = tf->tf_rdx;
			return sys_fstat(&f);
		}
	}
	return vfs_statat((int)tf->tf_rdi, tf->tf_rsi, tf->tf_rdx,
			  !(flags & AT_SYMLINK_NOFOLLOW_));
}

/* getdents64: records straight into a kernel bounce buffer, then out in one copy. */
long
sys_getdents64(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);
	size_t len = MIN(tf->tf_rdx, (uint64_t)65536), done = 0;
	uint64_t cookie;
	void *buf;

	if (vf == NULL)
		return err == -ESPIPE ? -ENOTDIR : err;
	if (vf->vf_vp->v_type != VDIR)
		return -ENOTDIR;
	if ((buf = kalloc(len)) == NULL)
		return -ENOMEM;
	cookie = (uint64_t)vf->vf_offset;
	err = vn_readdir(vf->vf_vp, &cookie, buf, len, &done);
	if (err == 0 && done > 0 && copyout(buf, (void *)tf->tf_rsi, done) != 0)
		err = EFAULT;
	kfree(buf, len);
	if (err != 0)
		return -err;
	vf->vf_offset = (int64_t)cookie;
	return (long)done;
}

/* ---- names ---- */

static long
vfs_path1(int dirfd, uint64_t upath, int (*op)(const char *path))
{
	char *path;
	long r;
	int err;

	if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
		return r;
	err = op(path);
	vfs_path_free(path);
	return -err;
}

static long
vfs_path2(int dfd1, uint64_t up1, int dfd2, uint64_t up2,
	  int (*op)(const char *a, const char *b))
{
	char *a, *b;
	long r;
	int err;

	if ((r = vfs_path_in(dfd1, up1, &a)) != 0)
		return r;
	if ((r = vfs_path_in(dfd2, up2, &b)) != 0) {
		vfs_path_free(a);
		return r;
	}
	err = op(a, b);
	vfs_path_free(a);
	vfs_path_free(b);
	return -err;
}

static long
vfs_mkdirat(int dirfd, uint64_t upath, uint32_t mode)
{
	char *path;
	long r;
	int err;

	if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
		return r;
	err = vn_mkdir(path, mode & 07777 & ~(uint32_t)current_proc()->p_umask);
	vfs_path_free(path);
	return -err;
}

long
sys_mkdir(struct trapframe *tf)
{
	return vfs_mkdirat(AT_FDCWD, tf->tf_rdi, (uint32_t)tf->tf_rsi);
}

long
sys_mkdirat(struct trapframe *tf)
{
	return vfs_mkdirat((int)tf->tf_rdi, tf->tf_rsi, (uint32_t)tf->tf_rdx);
}

long
sys_unlink(struct trapframe *tf)
{
	return vfs_path1(AT_FDCWD, tf->tf_rdi, vn_remove);
}

long
sys_rmdir(struct trapframe *tf)
{
	return vfs_path1(AT_FDCWD, tf->tf_rdi, vn_rmdir);
}

long
sys_unlinkat(struct trapframe *tf)
{
	if (tf->tf_rdx & ~(uint64_t)AT_REMOVEDIR_)
		return -EINVAL;
	return vfs_path1((int)tf->tf_rdi, tf->tf_rsi,
			 (tf->tf_rdx & AT_REMOVEDIR_) ? vn_rmdir : vn_remove);
}

long
sys_rename(struct trapframe *tf)
{
	return vfs_path2(AT_FDCWD, tf->tf_rdi, AT_FDCWD, tf->tf_rsi, vn_rename);
}

long
sys_renameat(struct trapframe *tf)
{
	return vfs_path2((int)tf->tf_rdi, tf->tf_rsi, (int)tf->tf_rdx, tf->tf_r10, vn_rename);
}

long
sys_renameat2(struct trapframe *tf)
{
	if (tf->tf_r8 != 0)
		return -EINVAL; /* RENAME_NOREPLACE / EXCHANGE / WHITEOUT: not supported */
	return sys_renameat(tf);
}

long
sys_link(struct trapframe *tf)
{
	return vfs_path2(AT_FDCWD, tf->tf_rdi, AT_FDCWD, tf->tf_rsi, vn_link);
}

/* symlink(target, path): the target is stored verbatim, not made absolute. */
long
sys_symlink(struct trapframe *tf)
{
	char *target, *path;
	long r;

	if ((target = kalloc(VFS_PATH_MAX)) == NULL)
		return -ENOMEM;
	if (copyinstr((const void *)tf->tf_rdi, target, VFS_PATH_MAX, NULL) != 0) {
		kfree(target, VFS_PATH_MAX);
		return -EFAULT;
	}
	if ((r = vfs_path_in(AT_FDCWD, tf->tf_rsi, &path)) == 0) {
		r = -vn_symlink(target, path);
		vfs_path_free(path);
	}
	kfree(target, VFS_PATH_MAX);
	return r;
}

static long
vfs_readlinkat(int dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char *path, *buf;
	size_t got = 0;
	long r;
	int err;

	if ((int64_t)size <= 0)
		return -EINVAL;
	if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
		return r;
	if ((buf = kalloc(VFS_PATH_MAX)) == NULL) {
		vfs_path_free(path);
		return -ENOMEM;
	}
	err = vn_readlink(path, buf, MIN(size, (uint64_t)VFS_PATH_MAX), &got);
	if (err == 0 && copyout(buf, (void *)ubuf, got) != 0)
		err = EFAULT;
	kfree(buf, VFS_PATH_MAX);
	vfs_path_free(path);
	return err != 0 ? -err : (long)got;
}

long
sys_readlink(struct trapframe *tf)
{
	return vfs_readlinkat(AT_FDCWD, tf->tf_rdi, tf->tf_rsi, tf->tf_rdx);
}

long
sys_readlinkat(struct trapframe *tf)
{
	return vfs_readlinkat((int)tf->tf_rdi, tf->tf_rsi, tf->tf_rdx, tf->tf_r10);
}

/* ---- sizes and durability ---- */

long
sys_ftruncate(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);

	if (vf == NULL)
		return err == -ESPIPE ? -EINVAL : err;
	if ((int64_t)tf->tf_rsi < 0 || OFLAGS_ACCMODE(vf->vf_flags) == O_RDONLY)
		return -EINVAL;
	return -vn_truncate(vf->vf_vp, tf->tf_rsi);
}

long
sys_truncate(struct trapframe *tf)
{
	char *path;
	vnode_t vp;
	long r;
	int err;

	if ((int64_t)tf->tf_rsi < 0)
		return -EINVAL;
	if ((r = vfs_path_in(AT_FDCWD, tf->tf_rdi, &path)) != 0)
		return r;
	err = vn_open(path, O_WRONLY, 0, &vp);
	vfs_path_free(path);
	if (err != 0)
		return -err;
	err = vn_truncate(vp, tf->tf_rsi);
	(void)vn_close(vp, O_WRONLY);
	return -err;
}

long
sys_fsync(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);

	if (vf == NULL)
		return err == -ESPIPE ? -EINVAL : err;
	return -vn_fsync(vf->vf_vp);
}

/* ---- attributes: chmod, utimensat ---- */

/*
 * Only the owner (or root) changes a file's mode (POSIX chmod: EPERM); the caller's effective
 * uid decides. XXX: utimensat's owner-or-writer rule is not checked.
 */
static int
vfs_setattr_allowed(vnode_t vp, const struct vattr *va)
{
	struct proc *p = current_proc();
	struct vattr cur;
	int err;

	if (proc_suser(p) == 0 || !(va->va_mask & VA_MODE))
		return 0;
	memset(&cur, 0, sizeof(cur));
	if ((err = VOP_GETATTR(vp, &cur)) != 0)
		return err;
	return cur.va_uid == p->p_euid ? 0 : EPERM;
}

/* Set va on the file dirfd/upath names (upath 0: the open file dirfd itself). */
static long
vfs_setattr_at(int dirfd, uint64_t upath, bool follow, struct vattr *va)
{
	struct nameidata nd = { .ni_op = LOOKUP, .ni_flags = follow ? FOLLOW : 0 };
	vnode_t vp;
	char *path = NULL;
	long r;
	int err;

	if (upath == 0) {
		struct vfile *vf = vfile_get((uint64_t)(uint32_t)dirfd, &r);

		if (vf == NULL)
			return r == -ESPIPE ? -EINVAL : r;
		vp = vf->vf_vp;
		vnode_ref(vp);
	} else {
		if ((r = vfs_path_in(dirfd, upath, &path)) != 0)
			return r;
		nd.ni_path = path;
		if ((err = namei(&nd)) != 0) {
			vfs_path_free(path);
			return -err;
		}
		vp = nd.ni_vp;
		nd.ni_vp = NULL;
		namei_done(&nd);
	}
	if (vp->v_mount->mnt_flag & MNT_RDONLY)
		err = EROFS;
	else if ((err = vfs_setattr_allowed(vp, va)) == 0)
		err = VOP_SETATTR(vp, va);
	vnode_rele(vp);
	if (path != NULL)
		vfs_path_free(path);
	return -err;
}

static long
vfs_chmod_at(int dirfd, uint64_t upath, uint64_t mode)
{
	struct vattr va = { .va_mask = VA_MODE, .va_mode = (uint32_t)mode & 07777 };

	return vfs_setattr_at(dirfd, upath, true, &va);
}

long
sys_chmod(struct trapframe *tf)
{
	return vfs_chmod_at(AT_FDCWD, tf->tf_rdi, tf->tf_rsi);
}

long
sys_fchmod(struct trapframe *tf)
{
	return vfs_chmod_at((int)tf->tf_rdi, 0, tf->tf_rsi);
}

long
sys_fchmodat(struct trapframe *tf)
{
	return vfs_chmod_at((int)tf->tf_rdi, tf->tf_rsi, tf->tf_rdx);
}

/* umask(mask): the creation mask open and mkdir apply from now on; returns the old one. */
long
sys_umask(struct trapframe *tf)
{
	struct proc *p = current_proc();
	long old = p->p_umask;

	p->p_umask = (uint16_t)(tf->tf_rdi & 0777);
	return old;
}

#define UTIME_NOW_  ((1l << 30) - 1l)
#define UTIME_OMIT_ ((1l << 30) - 2l)

/*
 * utimensat(dirfd, path, times[2], flags): path NULL is futimens(dirfd). Only the modification
 * time is kept (ext2 here keeps one time stamp; the access time is accepted and dropped).
 */
long
sys_utimensat(struct trapframe *tf)
{
	struct vattr va = { .va_mask = VA_MTIME };
	int64_t ts[2][2];
	uint64_t now_ns = clock_get_calendar_ns();

	if (tf->tf_r10 & ~(uint64_t)AT_SYMLINK_NOFOLLOW_)
		return -EINVAL;
	va.va_mtime = (int64_t)(now_ns / 1000000000ULL);
	if (tf->tf_rdx != 0) {
		if (copyin((const void *)tf->tf_rdx, ts, sizeof(ts)) != 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (ts[i][1] != UTIME_NOW_ && ts[i][1] != UTIME_OMIT_ &&
			    (ts[i][1] < 0 || ts[i][1] >= 1000000000))
				return -EINVAL;
		if (ts[1][1] == UTIME_OMIT_)
			return 0;
		if (ts[1][1] != UTIME_NOW_)
			va.va_mtime = ts[1][0];
	}
	return vfs_setattr_at((int)tf->tf_rdi, tf->tf_rsi, !(tf->tf_r10 & AT_SYMLINK_NOFOLLOW_),
			      &va);
}

/* ---- swapon, swapoff ---- */

/*
 * The IOMedia behind the block device file at the user path upath (as devfs names it).
 * Returns 0 and *mp, or a negative errno: ENOTBLK (not a block device), ENXIO (no media).
 */
static long
vfs_blockdev_in(uint64_t upath, struct io_media **mp)
{
	struct stat st;
	const char *name;
	char *path;
	long r;
	int err;

	if ((r = vfs_path_in(AT_FDCWD, upath, &path)) != 0)
		return r;
	err = vn_stat_path(path, true, &st);
	if (err == 0 && !S_ISBLK(st.st_mode))
		err = ENOTBLK;
	/* XXX: by its name: devfs names a disk's node as I/O Kit names the media. */
	name = path;
	for (const char *c = path; *c != '\0'; c++)
		if (*c == '/')
			name = c + 1;
	if (err == 0 && (*mp = vfs_find_media(name)) == NULL)
		err = ENXIO;
	vfs_path_free(path);
	return -err;
}

/* swapon(path, flags): the default pager's swap device; priorities and discard are ignored. */
long
sys_swapon(struct trapframe *tf)
{
	struct io_media *m;
	kern_return_t kr;
	long r;

	if (proc_suser(current_proc()) != 0)
		return -EPERM; /* CAP_SYS_ADMIN on Linux */

	if ((r = vfs_blockdev_in(tf->tf_rdi, &m)) != 0)
		return r == -ENOTBLK ? -EINVAL : r; /* XXX: no swap files */
	kr = default_pager_swapon(m);
	return kr == KERN_SUCCESS ? 0 : kr == KERN_NO_SPACE ? -EBUSY : -EINVAL;
}

long
sys_swapoff(struct trapframe *tf)
{
	struct io_media *m;
	kern_return_t kr;
	long r;

	if (proc_suser(current_proc()) != 0)
		return -EPERM; /* CAP_SYS_ADMIN on Linux */

	if ((r = vfs_blockdev_in(tf->tf_rdi, &m)) != 0)
		return r == -ENOTBLK ? -EINVAL : r;
	kr = default_pager_swapoff(m);
	return kr == KERN_SUCCESS ? 0 : kr == KERN_FAILURE ? -ENOMEM : -EINVAL;
}

/* ---- the current directory ---- */

/*
 * Normalise absolute path in place: no empty or "." components, ".." removes the one before
 * it (at the root it stays at the root). The result is "/" or "/a/b".
 */
static void
vfs_path_normalise(char *path)
{
	char *out = path, *in = path;

	while (*in != '\0') {
		char *c;
		size_t n;

		while (*in == '/')
			in++;
		c = in;
		while (*in != '\0' && *in != '/')
			in++;
		n = (size_t)(in - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, c, n);
		out += n;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Make path (absolute) the current directory, if it is a directory. */
static long
vfs_chdir_path(char *path)
{
	struct proc *p = current_proc();
	struct stat st;
	int err;

	if ((err = vn_stat_path(path, true, &st)) != 0)
		return -err;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	vfs_path_normalise(path);
	if (strlen(path) >= sizeof(p->p_cwd))
		return -ENAMETOOLONG;
	if (strcmp(path, "/") == 0)
		p->p_cwd[0] = '\0';
	else
		memcpy(p->p_cwd, path, strlen(path) + 1);
	return 0;
}

long
sys_chdir(struct trapframe *tf)
{
	char *path;
	long r;

	if ((r = vfs_path_in(AT_FDCWD, tf->tf_rdi, &path)) != 0)
		return r;
	r = vfs_chdir_path(path);
	vfs_path_free(path);
	return r;
}

long
sys_fchdir(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);
	char *path;

	if (vf == NULL)
		return err == -ESPIPE ? -ENOTDIR : err;
	if ((path = kalloc(VFS_PATH_MAX)) == NULL)
		return -ENOMEM;
	memcpy(path, vf->vf_path, strlen(vf->vf_path) + 1);
	err = vfs_chdir_path(path);
	vfs_path_free(path);
	return err;
}

long
sys_getcwd(struct trapframe *tf)
{
	const char *cwd = current_proc()->p_cwd[0] != '\0' ? current_proc()->p_cwd : "/";
	size_t n = strlen(cwd) + 1;

	if (tf->tf_rsi < n)
		return -ERANGE;
	return copyout(cwd, (void *)tf->tf_rdi, n) != 0 ? -EFAULT : (long)n;
}

/* ---- programs on the mounted file systems, for exec and access ---- */

static int
vfs_exec_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	size_t resid = 0;
	int err;

	err = vn_rdwr(UIO_READ, (vnode_t)ctx, buf, len, (int64_t)off, UIO_SYSSPACE, 0, &resid);
	return err != 0 ? err : resid != 0 ? EIO : 0;
}

int
vfs_exec_open(const char *path, struct exec_reader *r)
{
	struct stat st;
	vnode_t vp;
	int err;

	if ((err = vn_open(path, O_RDONLY, 0, &vp)) != 0)
		return err;
	if ((err = vn_stat(vp, &st)) != 0 || !S_ISREG(st.st_mode) ||
	    (err = cred_vaccess(st.st_uid, st.st_gid, st.st_mode, 1, false)) != 0) {
		(void)vn_close(vp, O_RDONLY);
		return err != 0 ? err : EACCES;
	}
	r->er_read = vfs_exec_read;
	r->er_ctx = vp;
	r->er_size = (uint64_t)st.st_size;
	return 0;
}

void
vfs_exec_close(struct exec_reader *r)
{
	(void)vn_close((vnode_t)r->er_ctx, O_RDONLY);
}

int
vfs_access(const char *path, int mode)
{
	struct stat st;
	int err;

	if ((err = vn_stat_path(path, true, &st)) != 0)
		return err;
	/* access(2) answers for the real ids (kern_prot.c). */
	return cred_vaccess(st.st_uid, st.st_gid, st.st_mode, mode & 7, true);
}

/* ---- mount, umount2, statfs (mount(2), umount(2), statfs(2)) ---- */

#define MS_RDONLY_	 0x1
#define MS_NOSUID_	 0x2
#define MS_NODEV_	 0x4
#define MS_NOEXEC_	 0x8
#define MS_SILENT_	 0x8000
#define MS_MGC_MSK_	 0xffff0000u /* the old magic 0xC0ED in the high half: ignored */
#define MNT_FORCE_	 0x1
#define MNT_DETACH_	 0x2
#define UMOUNT_NOFOLLOW_ 0x8

/* The mount's absolute, normalised target from a user path (AT_FDCWD-relative). */
static long
vfs_mount_target(uint64_t upath, char **out)
{
	long r = vfs_path_in(AT_FDCWD, upath, out);

	if (r == 0)
		vfs_path_normalise(*out);
	return r;
}

long
sys_mount(struct trapframe *tf)
{
	uint64_t flags = tf->tf_r10 & ~(uint64_t)MS_MGC_MSK_;
	char fstype[16], source[MNAMELEN], *target;
	const struct vfsops *ops;
	struct io_media *m = NULL;
	bool nodev = true;
	size_t len;
	long r;

	if (proc_suser(current_proc()) != 0)
		return -EPERM; /* CAP_SYS_ADMIN on Linux */

	/* XXX: remount, bind and move mounts, and the nosuid/nodev/noexec options that mean
	 * nothing without credentials, are not supported: asking for them is EINVAL. */
	if (flags & ~(uint64_t)(MS_RDONLY_ | MS_NOSUID_ | MS_NODEV_ | MS_NOEXEC_ | MS_SILENT_))
		return -EINVAL;
	if (tf->tf_rdx == 0)
		return -EINVAL;
	r = copyinstr((const void *)tf->tf_rdx, fstype, sizeof(fstype), &len);
	if (r != 0)
		return r == ENAMETOOLONG ? -ENODEV : -EFAULT;
	if ((ops = vfs_type_find(fstype)) == NULL)
		return -ENODEV;
	for (unsigned i = 0; vfs_type_at(i, &nodev, NULL) != ops; i++)
		;
	if (tf->tf_rdi == 0)
		ksnprintf(source, sizeof(source), "%s", fstype);
	else if ((r = copyinstr((const void *)tf->tf_rdi, source, sizeof(source), &len)) != 0)
		return r == ENAMETOOLONG ? -ENAMETOOLONG : -EFAULT;
	if (!nodev && (m = vfs_find_media(source)) == NULL)
		return -ENOTBLK;
	if ((r = vfs_mount_target(tf->tf_rsi, &target)) != 0)
		return r;
	r = -vfs_mount_at(ops, m, source, target, (flags & MS_RDONLY_) ? MNT_RDONLY : 0);
	vfs_path_free(target);
	return r;
}

long
sys_umount2(struct trapframe *tf)
{
	char *target;
	long r;

	if (proc_suser(current_proc()) != 0)
		return -EPERM; /* CAP_SYS_ADMIN on Linux */

	/* XXX: MNT_FORCE and MNT_DETACH are taken as a plain unmount (EBUSY while in use). */
	if (tf->tf_rsi & ~(uint64_t)(MNT_FORCE_ | MNT_DETACH_ | UMOUNT_NOFOLLOW_))
		return -EINVAL;
	if ((r = vfs_mount_target(tf->tf_rdi, &target)) != 0)
		return r;
	/* The root stays until power-off (vfs_shutdown): the running programs page from it. */
	r = strcmp(target, "/") == 0 ? -EBUSY : -vfs_unmount_path(target);
	vfs_path_free(target);
	return r;
}

/* statfs(2)'s answer for the file system of vp, copied out to ubuf. */
static long
vfs_statfs_out(vnode_t vp, uint64_t ubuf)
{
	struct mount *mp = vp->v_mount;
	const struct vfsops *ops;
	struct statfs_info sf;
	struct statfs st;
	uint32_t magic = 0;
	int err;

	if ((err = mp->mnt_op->vfs_statfs(mp, &sf)) != 0)
		return -err;
	for (unsigned i = 0; (ops = vfs_type_at(i, NULL, &magic)) != NULL; i++)
		if (ops == mp->mnt_op)
			break;
	memset(&st, 0, sizeof(st));
	st.f_type = ops != NULL ? magic : 0;
	st.f_bsize = st.f_frsize = sf.f_bsize;
	st.f_blocks = (long)sf.f_blocks;
	st.f_bfree = (long)sf.f_bfree;
	st.f_bavail = (long)sf.f_bavail;
	st.f_files = (long)sf.f_files;
	st.f_ffree = (long)sf.f_ffree;
	st.f_fsid.val[0] = (int)mp->mnt_dev;
	st.f_namelen = sf.f_namemax;
	st.f_flags = (mp->mnt_flag & MNT_RDONLY) ? MS_RDONLY_ : 0;
	return copyout(&st, (void *)ubuf, sizeof(st)) != 0 ? -EFAULT : 0;
}

long
sys_statfs(struct trapframe *tf)
{
	struct nameidata nd = { .ni_op = LOOKUP, .ni_flags = FOLLOW };
	char *path;
	long r;
	int err;

	if ((r = vfs_path_in(AT_FDCWD, tf->tf_rdi, &path)) != 0)
		return r;
	nd.ni_path = path;
	if ((err = namei(&nd)) != 0) {
		vfs_path_free(path);
		return -err;
	}
	r = vfs_statfs_out(nd.ni_vp, tf->tf_rsi);
	namei_done(&nd);
	vfs_path_free(path);
	return r;
}

long
sys_fstatfs(struct trapframe *tf)
{
	long err = 0;
	struct vfile *vf = vfile_get(tf->tf_rdi, &err);

	if (vf == NULL)
		return err == -ESPIPE ? -ENOSYS : err; /* XXX: sockets and pipes have no statfs */
	return vfs_statfs_out(vf->vf_vp, tf->tf_rsi);
}
