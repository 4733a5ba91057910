/*
 * vnode.h — the vnode: the kernel's handle on a file of any file system (4.4BSD sys/vnode.h;
 * XNU bsd/sys/vnode_internal.h), its operations vector, its attributes, and the vnode cache.
 *
 * The one idea: a vnode is found by (mount, file id) in one hash table and lives as long as
 * someone uses it (v_usecount: opens, the name lookups in progress, the current and root
 * directories, a covered mount point) or holds it (v_holdcount: a reference that keeps the
 * vnode from being recycled without counting as a use, e.g. a pager I/O in flight). A vnode
 * nobody uses stays in the cache on an LRU list, still hashed and still holding its cached
 * pages, until the cache is over its limit and the oldest one is recycled (reclaimed: its
 * pages written back and dropped, the file system's data freed, the struct reused).
 *
 * Locks: vnode_list_lock (a spin lock) covers the hash, the LRU list and the counts.
 * v_lock (a mutex) serialises operations that change a vnode's data or size, and the UBC's
 * page-ins for it; a file system serialises its own calls (ext2: one mutex per mount).
 */
#ifndef _BSD_SYS_VNODE_H_
#define _BSD_SYS_VNODE_H_

#include <bsd/sys/errno.h>
#include <bsd/sys/uio.h>
#include <libkern/libkern.h>
#include <mach/kern/locks.h>

struct mount;
struct vm_object;
struct vnode_pager;
struct componentname;

enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD };

/* v_flag */
#define VROOT	 0x01 /* the root of its file system */
#define VDEAD	 0x02 /* reclaimed: no file system behind it any more */
#define VONLRU	 0x04 /* on the free (LRU) list */
#define VRECLAIM 0x08 /* being reclaimed (recycle in progress) */
#define VGONE	 0x10 /* the file is gone (unlinked): recycle at the last use */

struct vnode {
	lck_mtx_t v_lock;		/* data, size and UBC page-ins of this vnode */
	uint32_t v_usecount;		/* vnode_list_lock */
	uint32_t v_holdcount;		/* vnode_list_lock */
	uint32_t v_flag;		/* vnode_list_lock */
	uint32_t v_id;			/* changes when the vnode is recycled */
	enum vtype v_type;
	struct mount *v_mount;		/* the file system it belongs to */
	const struct vnodeops *v_op;
	void *v_data;			/* the file system's node */
	uint64_t v_fileid;		/* the file system's id (inode number): the hash key */
	struct mount *v_mountedhere;	/* a file system mounted on this directory, or NULL */
	struct vnode *v_hnext;		/* hash chain */
	struct vnode *v_lrunext, *v_lruprev;
	/* Unified Buffer Cache (vfs_ubc.c): regular files only. */
	struct vm_object *v_object;	/* the file's pages; its pager is v_pager */
	struct vnode_pager *v_pager;
	uint64_t v_size;		/* the file size the UBC works to (v_lock) */
	uint64_t v_ndirty;		/* dirty pages (vm_object_lock_all) */
	uint64_t v_nextr;		/* the page a sequential read would ask for next */
	bool v_wasmapped;		/* mmap'ed once: syncs look at the pmap's modify bits */
};
typedef struct vnode *vnode_t;

/* File attributes (a subset of 4.4BSD struct vattr, in the units Linux stat reports). */
struct vattr {
	enum vtype va_type;
	uint32_t va_mode;	/* type and permission bits (S_IF* | 07777) */
	uint32_t va_nlink;
	uint32_t va_uid, va_gid;
	uint64_t va_fileid;
	uint64_t va_size;
	uint64_t va_blocks512;
	uint32_t va_blksize;
	uint64_t va_rdev;
	int64_t va_atime, va_mtime, va_ctime; /* seconds */
	uint32_t va_mask;	/* setattr: which fields to set (VA_*) */
};
#define VA_SIZE	 0x1
#define VA_MODE	 0x2
#define VA_UID	 0x4
#define VA_GID	 0x8
#define VA_MTIME 0x10

/*
 * readdir callback: one entry; return non-zero to stop (the value is passed back). cookie is
 * where a later readdir resumes to get the entry after this one.
 */
typedef int (*vnode_dirent_fn)(void *arg, const char *name, size_t namelen, uint64_t ino,
			       unsigned dtype, uint64_t cookie);

/*
 * A readdir over a file-system core that walks a whole directory each time (ext2, cd9660): the
 * cookie is an entry index. vnode_dirwalk_emit skips the entries before the cookie and passes
 * the others on, returning the callback's answer (non-zero: stop the walk);
 * vnode_dirwalk_finish turns the walk's error into readdir's and leaves *cookie where a later
 * readdir resumes (at the entry that did not fit, when the callback stopped). vfs_vnops.c.
 */
struct vnode_dirwalk {
	uint64_t dw_skip; /* entries before the cookie */
	uint64_t dw_index;
	vnode_dirent_fn dw_fn;
	void *dw_arg;
	int dw_stop;
};
void vnode_dirwalk_init(struct vnode_dirwalk *dw, uint64_t cookie, vnode_dirent_fn fn, void *arg);
int vnode_dirwalk_emit(struct vnode_dirwalk *dw, const char *name, size_t namelen, uint64_t ino,
		       unsigned dtype);
int vnode_dirwalk_finish(struct vnode_dirwalk *dw, int err, uint64_t *cookie);

/*
 * The operations vector. Every operation returns 0 or an errno. Vnodes passed in carry a use
 * reference the operation does not consume; vnodes handed back (*vpp) carry a new one.
 * A NULL operation answers EOPNOTSUPP (vnode_ops_default in vfs_vnode.c).
 */
struct vnodeops {
	/* The vnode of name in directory dvp ("." and ".." too; namei crosses mount points). */
	int (*vop_lookup)(vnode_t dvp, const char *name, size_t len, vnode_t *vpp);
	int (*vop_create)(vnode_t dvp, const char *name, size_t len, struct vattr *va,
			  vnode_t *vpp);
	int (*vop_mkdir)(vnode_t dvp, const char *name, size_t len, struct vattr *va,
			 vnode_t *vpp);
	int (*vop_remove)(vnode_t dvp, const char *name, size_t len, vnode_t vp);
	int (*vop_rmdir)(vnode_t dvp, const char *name, size_t len, vnode_t vp);
	/* fvp is the file renamed; tvp the one it replaces, or NULL. */
	int (*vop_rename)(vnode_t fdvp, const char *fname, size_t flen, vnode_t fvp,
			  vnode_t tdvp, const char *tname, size_t tlen, vnode_t tvp);
	int (*vop_link)(vnode_t dvp, const char *name, size_t len, vnode_t vp);
	int (*vop_symlink)(vnode_t dvp, const char *name, size_t len, const char *target,
			   struct vattr *va, vnode_t *vpp);
	int (*vop_readlink)(vnode_t vp, struct uio *uio);
	/* Entries from *cookie on (0: the first); *cookie is updated. */
	int (*vop_readdir)(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg);
	int (*vop_getattr)(vnode_t vp, struct vattr *va);
	int (*vop_setattr)(vnode_t vp, struct vattr *va);
	/* read/write: regular files go through the UBC (ubc_read/ubc_write); devices here. */
	int (*vop_read)(vnode_t vp, struct uio *uio, int ioflag);
	int (*vop_write)(vnode_t vp, struct uio *uio, int ioflag);
	int (*vop_fsync)(vnode_t vp);
	/* The last use is gone (the vnode stays cached). */
	int (*vop_inactive)(vnode_t vp);
	/* The vnode is being recycled: free the file system's node (v_data). */
	int (*vop_reclaim)(vnode_t vp);
	/* Vnode pager: read/write len bytes of file data at off (page aligned) to/from buf. */
	int (*vop_pagein)(vnode_t vp, uint64_t off, void *buf, size_t len);
	int (*vop_pageout)(vnode_t vp, uint64_t off, const void *buf, size_t len);
};

/* ioflag */
#define IO_APPEND 0x1
#define IO_SYNC	  0x2

#define VOP_LOOKUP(dvp, n, l, vpp) vnode_op_lookup(dvp, n, l, vpp)
int vnode_op_lookup(vnode_t dvp, const char *name, size_t len, vnode_t *vpp);
int VOP_GETATTR(vnode_t vp, struct vattr *va);
int VOP_SETATTR(vnode_t vp, struct vattr *va);
int VOP_READ(vnode_t vp, struct uio *uio, int ioflag);
int VOP_WRITE(vnode_t vp, struct uio *uio, int ioflag);
int VOP_FSYNC(vnode_t vp);
int VOP_READDIR(vnode_t vp, uint64_t *cookie, vnode_dirent_fn fn, void *arg);
int VOP_READLINK(vnode_t vp, struct uio *uio);

/* Vnodes in existence, and the cache limit past which unused ones are recycled. */
extern uint32_t vnode_count, vnode_limit;

/* vnode_init: the vnode cache. Once, at VFS start. */
void vnode_init(void);

/*
 * vnode_get_cached: the vnode of (mp, fileid) if it is in the cache, with a new use reference.
 *   Returns: the vnode, or NULL (not cached, or being reclaimed).
 */
vnode_t vnode_get_cached(struct mount *mp, uint64_t fileid);

/*
 * vnode_create: a new vnode for (mp, fileid) with the file system's node data, hashed, with
 * one use reference; recycles the oldest unused vnode when the cache is at its limit. A
 * regular file gets its UBC object (file size size) before anyone else can find it. If
 * another thread created the same vnode first, that one is returned (with a reference) and
 * *existed is true: the caller frees its node.
 *   Returns: 0, ENOMEM.
 */
int vnode_create(struct mount *mp, uint64_t fileid, const struct vnodeops *ops, void *data,
		 enum vtype type, uint64_t size, vnode_t *vpp, bool *existed);

/* vnode_ref: one more use reference on vp (which the caller already uses). */
void vnode_ref(vnode_t vp);
/*
 * vnode_rele: drop a use reference. The last one calls VOP_INACTIVE and puts the vnode on the
 * LRU list (still cached). May sleep.
 */
void vnode_rele(vnode_t vp);
/* vnode_set_gone: the file is gone (its last link removed): recycle vp at its last use. */
void vnode_set_gone(vnode_t vp);

/* vnode_hold / vnode_drop: keep vp from being recycled (not a use). */
void vnode_hold(vnode_t vp);
void vnode_drop(vnode_t vp);

/*
 * vnode_flush_mount: recycle every unused vnode of mp (for unmount).
 *   Returns: the vnodes of mp still in use (other than the root), 0 when mp can go.
 */
unsigned vnode_flush_mount(struct mount *mp, vnode_t skip);

/* vnode_reclaim_root: recycle mp's root at unmount, after its last use was dropped. */
void vnode_reclaim_root(vnode_t vp);

/* vnode_recycle_unused: recycle up to n unused vnodes (memory pressure). Returns how many. */
unsigned vnode_recycle_unused(unsigned n);

/* Call fn on every cached vnode of mp (with a use reference held across the call). */
void vnode_iterate(struct mount *mp, void (*fn)(vnode_t vp, void *arg), void *arg);

/* The vtype of a mode's S_IF* bits, and DT_* of a vtype. */
enum vtype vnode_mode_to_vtype(uint32_t mode);
unsigned vnode_vtype_to_dt(enum vtype t);

#endif /* _BSD_SYS_VNODE_H_ */
