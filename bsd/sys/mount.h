/*
 * mount.h — mounted file systems (4.4BSD sys/mount.h): the mount table, the operations a
 * file system type provides, and the calls that mount, sync and unmount.
 *
 * The one idea: a mount joins a file system's root vnode to a directory vnode of the tree
 * (mnt_vnodecovered, whose v_mountedhere points back): namei crosses downward at a covered
 * directory and upward when ".." is asked at a file system's root. The root mount covers
 * nothing; rootvnode is its root.
 */
#ifndef _BSD_SYS_MOUNT_H_
#define _BSD_SYS_MOUNT_H_

#include <bsd/sys/vnode.h>
#include <libkern/libkern.h>
#include <mach/kern/locks.h>

struct io_media;

#define MNT_RDONLY  0x1
#define MNT_NOCACHE 0x2 /* lookups bypass the name cache (names that come and go: procfs) */

#define MNAMELEN 64

struct statfs_info {
	uint32_t f_bsize;	/* block size */
	uint64_t f_blocks, f_bfree, f_bavail;
	uint64_t f_files, f_ffree;
	uint32_t f_namemax;
};

struct mount;

struct vfsops {
	const char *vfs_name;	/* "ext2", "devfs" */
	/* Mount the file system on media (NULL for a pseudo file system) into mp. */
	int (*vfs_mount)(struct mount *mp, struct io_media *media, int flags);
	/* Unmount: every vnode but the root has been recycled. */
	int (*vfs_unmount)(struct mount *mp);
	/* The root vnode, with a use reference. */
	int (*vfs_root)(struct mount *mp, vnode_t *vpp);
	int (*vfs_statfs)(struct mount *mp, struct statfs_info *sf);
	/* Write back metadata (the UBC has written the files' pages). */
	int (*vfs_sync)(struct mount *mp);
};

struct mount {
	struct mount *mnt_next;		/* the mount table (vfs_mount_lock) */
	const struct vfsops *mnt_op;
	vnode_t mnt_vnodecovered;	/* the directory it is mounted on (a use), NULL for / */
	vnode_t mnt_root;		/* its root (a use while mounted) */
	int mnt_flag;			/* MNT_* */
	void *mnt_data;			/* the file system's own */
	struct io_media *mnt_media;	/* the disk it was mounted from, or NULL */
	uint64_t mnt_dev;		/* st_dev for its files */
	char mnt_from[MNAMELEN];	/* /dev/vda1, devfs */
	char mnt_on[MNAMELEN];		/* the path it is mounted on */
};

extern struct mount *mountlist;
extern vnode_t rootvnode;
extern lck_mtx_t vfs_mount_lock;

extern const struct vfsops ext2_vfsops;
extern const struct vfsops devfs_vfsops;
extern const struct vfsops procfs_vfsops;

/*
 * vfs_type_find: the file system type user space names `name` (mount -t; /proc/filesystems).
 *   Returns: its vfsops, or NULL (unknown).
 * vfs_type_at: the i-th type (NULL past the last); *nodev: it mounts no device; *magic: the
 * f_type statfs(2) reports for it (Linux's magic numbers, linux/magic.h).
 */
const struct vfsops *vfs_type_find(const char *name);
const struct vfsops *vfs_type_at(unsigned i, bool *nodev, uint32_t *magic);
extern const struct vfsops cd9660_vfsops;
extern const struct vfsops tmpfs_vfsops;

/*
 * vfs_init: the VFS at boot: the vnode cache, the name cache, devfs; then the root file system
 * named by `root=` (after I/O Kit matching is quiet), with devfs on its /dev; without root= but
 * with a boot archive (initramfs), a tmpfs root the archive is unpacked into, with devfs on its
 * /dev. Otherwise, or when the root cannot be mounted (logged), / is devfs alone. Called once
 * by the main thread.
 */
void vfs_init(void);


/*
 * vfs_mount_at: mount a file system of type ops from media (or none) on the directory `path`
 * ("/" only when nothing is mounted yet).
 *   Returns: 0; ENOENT/ENOTDIR (path); EBUSY (something is mounted there already, or media is
 *            mounted elsewhere: two mounts of one disk would each write it as its own); the
 *            file system's mount error.
 */
int vfs_mount_at(const struct vfsops *ops, struct io_media *media, const char *from,
		 const char *path, int flags);

/*
 * vfs_unmount_path: unmount the file system mounted on path, writing it back first.
 *   Returns: 0; EINVAL (not a mount point); EBUSY (files still in use, or file systems
 *            mounted below it).
 */
int vfs_unmount_path(const char *path);

/* vfs_sync_all: write every mount's dirty file pages and metadata back. Returns the first error. */
int vfs_sync_all(void);

/* vfs_shutdown: sync and unmount everything (poweroff). Logs what could not be unmounted. */
void vfs_shutdown(void);

/*
 * vfs_find_media: the IOMedia named by spec: "/dev/vda1", "vda1" or "LABEL=name". A label is
 * a partition's (GPT name) or, on a media without one, an ISO 9660 volume identifier (a
 * NoCloud seed, "cidata"), which is read from the disk: call it from a thread that may sleep.
 *   Returns: the media (valid while its nub lives), or NULL.
 * XXX: the nub is not retained: a mounted disk that goes away leaves the mount reading
 * through a terminated media (which answers errors); forced unmount on terminate is to come.
 */
struct io_media *vfs_find_media(const char *spec);

#endif /* _BSD_SYS_MOUNT_H_ */
