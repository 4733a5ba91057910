/*
 * vfs_file.h — the kernel's file API over vnodes (4.4BSD kern/vfs_vnops.c vn_open/vn_rdwr,
 * XNU vnode_open/vn_rdwr), used by the BSD system calls and by kernel code that reads files.
 * Paths are kernel strings; relative paths start at the root (no current directory yet).
 * Every call returns 0 or an errno.
 */
#ifndef _BSD_SYS_VFS_FILE_H_
#define _BSD_SYS_VFS_FILE_H_

#include <bsd/sys/dirent.h>
#include <bsd/sys/fcntl.h>
#include <bsd/sys/mount.h>
#include <bsd/sys/namei.h>
#include <bsd/sys/stat.h>
#include <bsd/sys/uio.h>
#include <bsd/sys/vnode.h>

/*
 * vn_open: open path with open(2) flags (O_CREAT with mode, O_EXCL, O_TRUNC, O_DIRECTORY,
 * O_NOFOLLOW) and return its vnode with a use reference (give it back with vn_close).
 *   Returns: 0; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG (namei); EEXIST (O_CREAT|O_EXCL);
 *            EISDIR (a directory opened for writing); EROFS; EIO.
 */
int vn_open(const char *path, int flags, uint32_t mode, vnode_t *vpp);
int vn_close(vnode_t vp, int flags);

/*
 * vn_rdwr: read or write len bytes at off of vp from/to one buffer in seg.
 *   *resid (may be NULL) gets what was not moved (a short read at the end of the file).
 */
int vn_rdwr(enum uio_rw rw, vnode_t vp, void *buf, size_t len, int64_t off, enum uio_seg seg,
	    int ioflag, size_t *resid);
/* vn_read / vn_write: VOP_READ/VOP_WRITE with the checks open does not make per call. */
int vn_read(vnode_t vp, struct uio *uio, int ioflag);
int vn_write(vnode_t vp, struct uio *uio, int ioflag);

/* vn_stat: vp's attributes as a Linux struct stat. */
int vn_stat(vnode_t vp, struct stat *st);

/*
 * vn_readdir: fill buf (len bytes) with linux_dirent64 records from *cookie on (0: the start);
 * *done gets the bytes used (0: the end of the directory); *cookie moves on.
 *   Returns: 0; EINVAL (buf too small for the next record); ENOTDIR; EIO.
 */
int vn_readdir(vnode_t vp, uint64_t *cookie, void *buf, size_t len, size_t *done);

/* vn_truncate: set a regular file's size (EISDIR, EROFS, EINVAL). */
int vn_truncate(vnode_t vp, uint64_t size);
/* vn_chmod: set vp's permission bits (07777 of mode). Returns 0, EROFS, or the fs's error. */
int vn_chmod(vnode_t vp, uint32_t mode);
int vn_fsync(vnode_t vp);

/* Name operations, by path. */
int vn_mkdir(const char *path, uint32_t mode);
int vn_remove(const char *path);
int vn_rmdir(const char *path);
int vn_rename(const char *from, const char *to);
int vn_link(const char *from, const char *to);
int vn_symlink(const char *target, const char *path);
int vn_readlink(const char *path, char *buf, size_t len, size_t *got);
int vn_stat_path(const char *path, bool follow, struct stat *st);

#endif /* _BSD_SYS_VFS_FILE_H_ */
