/*
 * vfs_syscalls.h — the file-system system calls (vfs_syscalls.c), for the Linux table in
 * bsd/kern/syscall.c, and what exec needs from the VFS.
 */
#ifndef _BSD_VFS_VFS_SYSCALLS_H_
#define _BSD_VFS_VFS_SYSCALLS_H_

#include <arch/x86_64/trap.h>
#include <bsd/kern/exec_elf.h>

#define SYS_VFS_HANDLERS(X)                                                                     \
	X(sys_open) X(sys_creat) X(sys_openat) X(sys_lseek) X(sys_pread64) X(sys_pwrite64)      \
	X(sys_stat) X(sys_lstat) X(sys_fstat) X(sys_newfstatat) X(sys_getdents64)               \
	X(sys_mkdir) X(sys_mkdirat) X(sys_unlink) X(sys_unlinkat) X(sys_rmdir) X(sys_rename)    \
	X(sys_renameat) X(sys_renameat2) X(sys_link) X(sys_symlink) X(sys_readlink)             \
	X(sys_readlinkat) X(sys_truncate) X(sys_ftruncate) X(sys_fsync) X(sys_chdir)             \
	X(sys_fchdir) X(sys_getcwd) X(sys_mount) X(sys_umount2) X(sys_statfs) X(sys_fstatfs)      \
	X(sys_chmod) X(sys_fchmod) X(sys_fchmodat) X(sys_utimensat) X(sys_umask) \
	X(sys_swapon) X(sys_swapoff)

#define SYS_VFS_DECLARE(name) long name(struct trapframe *tf);
SYS_VFS_HANDLERS(SYS_VFS_DECLARE)
#undef SYS_VFS_DECLARE

/* The fileops of an open vnode (a file that is one is recognised by them). */
struct fileops;
extern const struct fileops vnops_fileops;

/* vfs_file_path: the absolute path an open vnode file was opened by, or NULL for another
 * kind of file. Valid while fp is. */
struct file;
const char *vfs_file_path(const struct file *fp);

/*
 * vfs_file_vnode: the vnode and open(2) flags of open file fp (mmap of a file).
 *   Returns: 0 (the caller holds fp, which keeps the vnode), ENODEV (fp is not a vnode).
 */
struct file;
struct vnode;
int vfs_file_vnode(struct file *fp, struct vnode **vpp, int *oflags);

/*
 * vfs_exec_open: a reader for the program at path on the mounted file systems: a regular file
 * with an execute bit. Close it with vfs_exec_close once exec has read what it needs.
 *   Returns: 0; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG; EACCES (not a regular executable); EIO.
 */
int vfs_exec_open(const char *path, struct exec_reader *r);
void vfs_exec_close(struct exec_reader *r);
/* vfs_access: access(2) for path with mode (R_OK 4, W_OK 2, X_OK 1). Returns 0 or an errno. */
int vfs_access(const char *path, int mode);

#endif /* _BSD_VFS_VFS_SYSCALLS_H_ */
